"""Locking and counting: the event-row lock, the count of places taken, and filling free
places from the waiting list. Every service that can change how many places are taken takes
this lock first (see the package's docstring)."""

from django.db import OperationalError
from django.utils import timezone

from citehack.accounts.services import language_for
from citehack.core import audit
from citehack.core.rules import forget_roles
from citehack.events.models import Event, Membership, Role

from ..models import RegistrationState
from .mail import _mail_registration


class Busy(Exception):
    """The event row stayed locked longer than the lock timeout: ask the person to retry."""


def _lock_event(event_pk):
    """Lock the event row until the transaction ends and return a fresh copy.

    On PostgreSQL the lock waits at most `lock_timeout` (settings) and then fails fast; on
    SQLite, IMMEDIATE transactions already serialise writers and the lock is a no-op.
    """
    try:
        return Event.objects.select_for_update().get(pk=event_pk)
    except OperationalError as error:
        raise Busy from error


def _confirmed_count(event):
    return event.registrations.filter(state=RegistrationState.CONFIRMED).count()


def _has_free_place(event):
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _waiting_queue(event):
    return event.registrations.filter(state=RegistrationState.WAITLISTED).order_by("waitlisted_at", "id")


def _fill_free_places(*, actor, event, request=None):
    """Promote the earliest waiting people into the free places; return the promoted ones.

    The caller holds the event lock.
    """
    if event.capacity is None:
        waiting = list(_waiting_queue(event).select_related("user"))
    else:
        free = event.capacity - _confirmed_count(event)
        if free <= 0:
            return []
        waiting = list(_waiting_queue(event).select_related("user")[:free])
    now = timezone.now()
    for registration in waiting:
        registration.state = RegistrationState.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["state", "promoted_at", "updated_at"])
        _add_participant_role(registration)
        audit.record(
            actor=actor, action="registration.promote", obj=registration, event=event,
            before={"state": RegistrationState.WAITLISTED}, after={"state": RegistrationState.CONFIRMED},
        )
        # Someone else's cancellation or a capacity raise: the person's language, else the site's.
        _mail_registration(registration, kind="promoted", event=event, request=request,
                           language=language_for(registration.user))
    return waiting


def _add_participant_role(registration):
    Membership.objects.get_or_create(event_id=registration.event_id, user=registration.user, role=Role.PARTICIPANT)
    forget_roles(registration.user)


def _remove_participant_role(registration):
    Membership.objects.filter(event_id=registration.event_id, user=registration.user, role=Role.PARTICIPANT).delete()
    forget_roles(registration.user)
