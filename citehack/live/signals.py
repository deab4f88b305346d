"""Keep the screens in step with changes made outside the control room (phase, programme)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from citehack.events.models import Event, ProgrammeItem


def _bump_after_commit(event_pk):
    def bump():
        from .services import bump as bump_event

        event = Event.objects.filter(pk=event_pk).first()
        if event is not None:  # gone when the change was the event's own deletion
            bump_event(event)

    transaction.on_commit(bump)


@receiver(post_save, sender=Event)
def event_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        _bump_after_commit(instance.pk)


@receiver([post_save, post_delete], sender=ProgrammeItem)
def programme_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _bump_after_commit(instance.event_id)
