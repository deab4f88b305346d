"""Drop the cached ballot when what the phones see of it changes elsewhere: the event (its
phase, its title), its teams, their challenges' titles."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from citehack.challenges.models import Challenge
from citehack.events.models import Event
from citehack.teams.models import Team

from .selectors import forget_ballot


def _forget_after_commit(event_pk):
    def forget():
        slug = Event.objects.filter(pk=event_pk).values_list("slug", flat=True).first()
        if slug is not None:
            forget_ballot(slug)

    transaction.on_commit(forget)


@receiver(post_save, sender=Event)
def event_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        transaction.on_commit(lambda: forget_ballot(instance.slug))


@receiver([post_save, post_delete], sender=Team)
def team_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _forget_after_commit(instance.event_id)


@receiver([post_save, post_delete], sender=Challenge)
def challenge_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _forget_after_commit(instance.event_id)
