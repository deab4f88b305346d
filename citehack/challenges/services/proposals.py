"""Proposals and their moderation: propose, accept, reject, merge. Each locks the event first,
and the list of challenges freezes once the vote has started."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.events.rules import can_manage

from ..models import Challenge, ChallengeStatus, ChallengeVote
from .common import _busy_as_message, _lock_event, _refuse, _snapshot, moderation_refusal, proposal_refusal

CHALLENGE_FIELDS = ["title", "problem", "affected", "outcome", "theme"]


@_busy_as_message
@transaction.atomic
def propose_challenge(*, actor, event, title, problem, affected, outcome, theme=""):
    """Record a proposal; an organiser's own proposal is accepted at once."""
    event = _lock_event(event)
    vote = ChallengeVote.objects.filter(event=event).first()
    _refuse(proposal_refusal(user=actor, event=event, vote=vote))
    status = ChallengeStatus.ACCEPTED if can_manage(actor, event) else ChallengeStatus.PROPOSED
    challenge = Challenge(
        event=event, title=title.strip(), problem=problem.strip(), affected=affected.strip(),
        outcome=outcome.strip(), theme=theme or "", proposed_by=actor, status=status,
    )
    challenge.full_clean()
    challenge.save()
    audit.record(
        actor=actor, action="challenge.propose", obj=challenge, event=event,
        after={**_snapshot(challenge, CHALLENGE_FIELDS), "status": status},
    )
    return challenge


def _locked_challenge(challenge):
    """Lock the event, then return a fresh copy of the challenge; refuse once the vote started."""
    event = _lock_event(challenge.event)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    _refuse(moderation_refusal(vote=ChallengeVote.objects.filter(event=event).first()))
    return event, challenge


def _set_status(*, actor, challenge, event, action, status, reason="", into=None):
    before = {"status": challenge.status, "rejection_reason": challenge.rejection_reason,
              "merged_into": challenge.merged_into_id}
    challenge.status = status
    challenge.rejection_reason = reason
    challenge.merged_into = into
    challenge.full_clean()
    challenge.save(update_fields=["status", "rejection_reason", "merged_into", "updated_at"])
    after = {"status": status, "rejection_reason": reason, "merged_into": into.pk if into else None}
    audit.record(actor=actor, action=action, obj=challenge, event=event, before=before, after=after)
    return challenge


@_busy_as_message
@transaction.atomic
def accept_challenge(*, actor, challenge):
    """Accept a proposal as a candidate of the vote (also undoes a rejection or a merge)."""
    event, challenge = _locked_challenge(challenge)
    if challenge.status == ChallengeStatus.ACCEPTED:
        return challenge
    return _set_status(actor=actor, challenge=challenge, event=event, action="challenge.accept", status=ChallengeStatus.ACCEPTED)


@_busy_as_message
@transaction.atomic
def reject_challenge(*, actor, challenge, reason):
    """Reject a proposal; the reason is shown with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the person who proposed it will read it."))
    event, challenge = _locked_challenge(challenge)
    return _set_status(
        actor=actor, challenge=challenge, event=event, action="challenge.reject", status=ChallengeStatus.REJECTED,
        reason=reason,
    )


@_busy_as_message
@transaction.atomic
def merge_challenge(*, actor, challenge, into):
    """Mark `challenge` as a duplicate of `into`; those already merged into it follow."""
    event, challenge = _locked_challenge(challenge)
    into = Challenge.objects.select_for_update().get(pk=into.pk)
    if into.event_id != event.pk:
        raise ValidationError(_("Choose a challenge of the same event."))
    if into.pk == challenge.pk:
        raise ValidationError(_("A challenge cannot be merged into itself."))
    if into.status not in (ChallengeStatus.PROPOSED, ChallengeStatus.ACCEPTED):
        raise ValidationError(_("Merge into a challenge that is proposed or accepted, not one that was rejected or merged."))
    merged = _set_status(
        actor=actor, challenge=challenge, event=event, action="challenge.merge", status=ChallengeStatus.MERGED, into=into,
    )
    Challenge.objects.filter(merged_into=challenge).update(merged_into=into, updated_at=timezone.now())
    return merged
