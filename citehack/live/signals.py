"""Keep the screens in step with changes made outside the control room (phase, programme)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from citehack.events.models import Event, ProgrammeItem


@receiver(post_save, sender=Event)
def event_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        from .services import bump

        bump(instance)


@receiver([post_save, post_delete], sender=ProgrammeItem)
def programme_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        from .services import bump

        bump(instance.event)
