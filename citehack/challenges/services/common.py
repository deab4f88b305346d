"""What the challenge services share: the lock-timeout message, the event lock, snapshots for
the audit log, and the phase rules that say who may do what, and when."""

import functools

from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils.translation import gettext as _

from citehack.events.models import Event, Phase
from citehack.events.rules import can_manage

from .. import selectors
from ..models import VoteStatus
from ..rules import is_confirmed_participant


class Busy(ValidationError):
    """A lock stayed held longer than the lock timeout: the person should try again."""


def _busy_as_message(service):
    """Turn a lock timeout into a message the person can act on, instead of an error page."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except OperationalError as error:
            raise Busy(_("Many people are voting right now. Please wait a few seconds and try again.")) from error

    return wrapper


def _snapshot(obj, fields):
    return {name: getattr(obj, name) for name in fields}


def _lock_event(event):
    return Event.objects.select_for_update().get(pk=event.pk)


# Phase rules ---------------------------------------------------------------------------------


def proposal_refusal(*, user, event, vote=None):
    """Why `user` may not propose a challenge now, or None.

    Confirmed participants propose while registration is open; organisers at any time
    before the vote opens (draft, registration, or the vote phase while it is being set up).
    """
    vote = vote if vote is not None else selectors.get_vote(event)
    if vote is not None and not vote.is_setup:
        return _("The challenge vote has started: proposals are closed.")
    if can_manage(user, event):
        if event.phase_at_least(Phase.TEAM_FORMATION):
            return _("Proposals are closed: the event has moved past the challenge vote.")
        return None
    if not is_confirmed_participant(user, event):
        return _("Only people whose registration to this event is confirmed can propose a challenge.")
    if event.phase != Phase.REGISTRATION:
        return _("Participants can propose challenges while registration is open; that time is over.")
    return None


def moderation_refusal(*, vote):
    """Why the list of challenges cannot change now, or None."""
    if vote is not None and not vote.is_setup:
        return _("The challenge vote has started: the list of challenges is frozen.")
    return None


def vote_refusal(*, user, event, vote):
    """Why `user` may not cast a ballot now, or None."""
    if vote is None or vote.status == VoteStatus.SETUP:
        return _("The challenge vote has not opened yet.")
    if vote.status == VoteStatus.CLOSED:
        return _("The challenge vote is closed: the results are published.")
    if event.phase != Phase.CHALLENGE_VOTE:
        return _("The challenge vote is not running now.")
    if not is_confirmed_participant(user, event):
        return _("Only people whose registration to this event is confirmed can vote.")
    return None


def _refuse(message):
    if message:
        raise ValidationError(message)
