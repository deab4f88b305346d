"""Every write on challenges and the challenge vote.

Each service runs in one transaction and writes an audit row for anything that changes what
the vote can produce (proposals, moderation, settings, opening, paper ballots, closing). An
online ballot writes no audit row: the row would tie a person to a moment of voting, and the
VoterRecord already says who voted.

Organiser-side services lock the event row, so that moderation, settings, opening and
closing never interleave. A ballot takes a shared lock on the vote row (PostgreSQL): ballots
do not wait for each other, but the close waits for those in flight, and none lands after it.
"""

import functools
import hashlib
import hmac
import json
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citehack.core import audit
from citehack.events.models import Event, Phase
from citehack.events.rules import can_manage

from . import selectors
from .models import (
    Ballot, BallotKind, BallotSource, Challenge, ChallengeStatus, ChallengeVote, VoterRecord, VoteStatus,
)
from .rules import is_confirmed_participant
from .tally import RULES, TallyError, seed_commitment, tally

CHALLENGE_FIELDS = ["title", "problem", "affected", "outcome", "theme"]
VOTE_FIELDS = ["seats", "ballot_kind", "max_approvals", "rule"]


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


def _vote_for_update(event):
    vote, _created = ChallengeVote.objects.select_for_update().get_or_create(event=event)
    return vote


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


# Proposals and moderation --------------------------------------------------------------------


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


# The vote ------------------------------------------------------------------------------------


@_busy_as_message
@transaction.atomic
def configure_vote(*, actor, event, seats, ballot_kind, rule, max_approvals=None):
    """Set how many challenges to retain, the ballot and the rule; refused once the vote is open."""
    event = _lock_event(event)
    vote = _vote_for_update(event)
    if not vote.is_setup:
        raise ValidationError(_("The vote has opened: its settings are frozen."))
    errors = {}
    if ballot_kind not in BallotKind.values:
        errors["ballot_kind"] = _("Choose a ballot from the list.")
    if rule not in RULES:
        errors["rule"] = _("Choose a rule from the list.")
    elif RULES[rule].ballot != ballot_kind:
        errors["rule"] = (
            _("This rule counts approval ballots (ticks): choose the approval ballot.")
            if RULES[rule].ballot == BallotKind.APPROVAL
            else _("This rule counts rankings: choose the ranking ballot.")
        )
    if not isinstance(seats, int) or seats < 1:
        errors["seats"] = _("Retain at least one challenge.")
    if ballot_kind == BallotKind.RANKING:
        max_approvals = None
    elif max_approvals is not None and max_approvals < 1:
        errors["max_approvals"] = _("Allow at least one tick, or leave empty for no limit.")
    if errors:
        raise ValidationError(errors)
    before = _snapshot(vote, VOTE_FIELDS)
    vote.seats, vote.ballot_kind, vote.rule, vote.max_approvals = seats, ballot_kind, rule, max_approvals
    vote.save(update_fields=[*VOTE_FIELDS, "updated_at"])
    audit.record(actor=actor, action="challenge_vote.configure", obj=vote, event=event, before=before, after=_snapshot(vote, VOTE_FIELDS))
    return vote


def open_refusal(*, event, vote, accepted_count):
    """Why the vote cannot open now, or None.

    The rule: the event is in the challenge-vote phase, and more challenges are accepted
    than there are places to fill (with as many or fewer there is nothing to choose).
    """
    if vote is not None and vote.status == VoteStatus.OPEN:
        return _("The vote is already open.")
    if vote is not None and vote.status == VoteStatus.CLOSED:
        return _("The vote is closed; it cannot open again.")
    if event.phase != Phase.CHALLENGE_VOTE:
        return _("Move the event to the “Challenge vote” phase first.")
    seats = vote.seats if vote is not None else ChallengeVote._meta.get_field("seats").default
    if accepted_count <= seats:
        return ngettext(
            "%(count)d challenge is accepted: a vote needs more than the %(seats)d to retain. "
            "Accept more challenges or retain fewer.",
            "%(count)d challenges are accepted: a vote needs more than the %(seats)d to retain. "
            "Accept more challenges or retain fewer.",
            accepted_count,
        ) % {"count": accepted_count, "seats": seats}
    return None


@_busy_as_message
@transaction.atomic
def open_vote(*, actor, event):
    """Open the vote: freeze the settings and the candidates, draw the seed, publish its hash."""
    event = _lock_event(event)
    vote = _vote_for_update(event)
    accepted = list(event.challenges.filter(status=ChallengeStatus.ACCEPTED).order_by("created_at", "id"))
    _refuse(open_refusal(event=event, vote=vote, accepted_count=len(accepted)))
    event.challenges.exclude(code="").update(code="")
    for index, challenge in enumerate(accepted, start=1):
        challenge.code = f"C{index}"
        challenge.save(update_fields=["code", "updated_at"])
    vote.seed = secrets.token_hex(16)
    vote.seed_hash = seed_commitment(vote.seed)
    vote.voter_key_secret = secrets.token_hex(32)
    vote.rule_version = RULES[vote.rule].version
    vote.status = VoteStatus.OPEN
    vote.opened_at = timezone.now()
    vote.save()
    audit.record(
        actor=actor, action="challenge_vote.open", obj=vote, event=event,
        after={
            **_snapshot(vote, VOTE_FIELDS), "rule_version": vote.rule_version, "seed_hash": vote.seed_hash,
            "candidates": {c.code: c.title for c in accepted},
        },
    )
    return vote


def _vote_for_share(event):
    """The event's vote, share-locked on PostgreSQL until the transaction ends (None if none).

    Ballots share the lock, so they never wait for each other; the close takes it
    exclusively and so waits for the ballots in flight. SQLite serialises writers anyway.
    """
    if connection.vendor == "postgresql":
        table = ChallengeVote._meta.db_table
        return next(iter(ChallengeVote.objects.raw(f"SELECT * FROM {table} WHERE event_id = %s FOR SHARE", [event.pk])), None)
    return ChallengeVote.objects.filter(event=event).first()


def voter_key(vote, user):
    """HMAC-SHA256 of the user's id under the vote's secret key (only while the vote is open)."""
    return hmac.new(bytes.fromhex(vote.voter_key_secret), str(user.pk).encode(), hashlib.sha256).hexdigest()


def ballot_content(vote, selection, *, codes):
    """Check a selection of ballot codes and return the ballot's canonical content.

    Approval: 1 to max_approvals distinct codes, stored sorted. Ranking: distinct codes,
    best first, at least one. Raise ValidationError with a message a voter can act on.
    """
    selection = [str(code) for code in selection]
    unknown = [code for code in selection if code not in codes]
    if unknown:
        raise ValidationError(_("This ballot names a challenge that is not in the vote."))
    if len(set(selection)) != len(selection):
        raise ValidationError(_("Each challenge can appear only once on a ballot."))
    if not selection:
        if vote.ballot_kind == BallotKind.APPROVAL:
            raise ValidationError(_("Tick at least one challenge."))
        raise ValidationError(_("Rank at least one challenge."))
    if vote.ballot_kind == BallotKind.APPROVAL:
        if vote.max_approvals is not None and len(selection) > vote.max_approvals:
            raise ValidationError(
                ngettext(
                    "You ticked %(count)d challenges: tick at most %(max)d.",
                    "You ticked %(count)d challenges: tick at most %(max)d.",
                    len(selection),
                ) % {"count": len(selection), "max": vote.max_approvals}
            )
        selection = sorted(selection, key=selectors.code_key)
    return json.dumps(selection, separators=(",", ":"))


def _codes(vote):
    return set(Challenge.objects.filter(event_id=vote.event_id).exclude(code="").values_list("code", flat=True))


def _replace_ballot(vote, key, content):
    """Overwrite the voter's ballot if there is one; return whether there was."""
    return Ballot.objects.filter(vote=vote, voter_key=key).update(content=content) > 0


@_busy_as_message
@transaction.atomic
def cast_ballot(*, actor, event, selection):
    """Cast or replace `actor`'s ballot: one ballot and one voter record per person.

    `selection` holds ballot codes: the ticked ones, or the ranked ones best first. Two
    submissions at once leave one ballot: the second INSERT hits the unique (vote,
    voter_key) index, waits for the first to commit, and turns into an UPDATE of its row.
    Return True when an earlier ballot was replaced.
    """
    vote = _vote_for_share(event)
    _refuse(vote_refusal(user=actor, event=event, vote=vote))
    content = ballot_content(vote, selection, codes=_codes(vote))
    key = voter_key(vote, actor)
    replaced = _replace_ballot(vote, key, content)
    if not replaced:
        try:
            with transaction.atomic():
                Ballot.objects.create(vote=vote, voter_key=key, content=content, source=BallotSource.ONLINE)
        except IntegrityError:
            # The same person's other submission committed first: replace it.
            replaced = _replace_ballot(vote, key, content)
            if not replaced:  # pragma: no cover - the row that clashed cannot vanish while the vote is open
                raise
    VoterRecord.objects.get_or_create(vote=vote, user=actor)
    return replaced


def own_ballot(vote, user):
    """The codes on `user`'s current ballot (empty if none), readable only while the vote is open."""
    if vote is None or not vote.is_open:
        return []
    ballot = Ballot.objects.filter(vote=vote, voter_key=voter_key(vote, user)).only("content").first()
    return selectors.parse_content(ballot.content) if ballot else []


@_busy_as_message
@transaction.atomic
def add_paper_ballots(*, actor, event, rows):
    """Add paper ballots as counted rows: `rows` holds (selection, count) pairs."""
    vote = _vote_for_share(event)
    if vote is None or not vote.is_open:
        raise ValidationError(_("Paper ballots can be added while the vote is open."))
    codes = _codes(vote)
    prepared = []
    for selection, count in rows:
        if not isinstance(count, int) or count < 1:
            raise ValidationError(_("The number of ballots must be a whole number of at least 1."))
        prepared.append((ballot_content(vote, selection, codes=codes), count))
    created = Ballot.objects.bulk_create(
        [Ballot(vote=vote, content=content, count=count, source=BallotSource.PAPER) for content, count in prepared]
    )
    audit.record(
        actor=actor, action="challenge_vote.paper", obj=vote, event=event,
        after={"rows": [{"id": str(b.id), "ballot": selectors.parse_content(b.content), "count": b.count} for b in created]},
    )
    return created


@_busy_as_message
@transaction.atomic
def remove_paper_ballots(*, actor, event, ballot_id):
    """Remove a paper row entered by mistake, while the vote is open."""
    vote = _vote_for_share(event)
    if vote is None or not vote.is_open:
        raise ValidationError(_("Paper ballots can be changed while the vote is open."))
    ballot = Ballot.objects.filter(vote=vote, pk=ballot_id, source=BallotSource.PAPER).first()
    if ballot is None:
        raise ValidationError(_("This paper row does not exist."))
    audit.record(
        actor=actor, action="challenge_vote.paper_remove", obj=vote, event=event,
        before={"id": str(ballot.id), "ballot": selectors.parse_content(ballot.content), "count": ballot.count},
    )
    ballot.delete()


def tally_vote(vote, profile=None):
    """Run the vote's rule on its aggregated ballots; return the TallyResult."""
    profile = selectors.aggregated_profile(vote) if profile is None else profile
    codes = [c.code for c in selectors.candidates(vote)]
    if vote.ballot_kind == BallotKind.APPROVAL:
        ballots = [(frozenset(content), count) for content, count in profile]
    else:
        ballots = [(tuple(content), count) for content, count in profile]
    return tally(vote.rule, codes, ballots, vote.seats, seed=vote.seed, ballot_kind=vote.ballot_kind)


@_busy_as_message
@transaction.atomic
def close_vote(*, actor, event):
    """Close the vote: count, store the result, reveal the seed, wipe the voter key.

    The retained challenges are numbered in the order the rule selected them (n°1 first):
    they become the event's challenges for team formation.
    """
    event = _lock_event(event)
    vote = ChallengeVote.objects.select_for_update().filter(event=event).first()
    if vote is None or vote.status == VoteStatus.SETUP:
        raise ValidationError(_("The vote has not opened yet."))
    if vote.status == VoteStatus.CLOSED:
        raise ValidationError(_("The vote is already closed."))
    profile = selectors.aggregated_profile(vote)
    if not profile:
        raise ValidationError(_("No ballot has been cast yet: there is nothing to count."))
    try:
        result = tally_vote(vote, profile)
    except TallyError as error:  # pragma: no cover - the ballots were checked when cast
        raise ValidationError(_("The ballots could not be counted: %(error)s") % {"error": error}) from error
    data = result.to_dict()
    data["turnout"] = selectors.turnout(vote, event)
    vote.result = data
    vote.status = VoteStatus.CLOSED
    vote.closed_at = timezone.now()
    vote.voter_key_secret = ""
    vote.rule_version = result.version
    vote.save()
    event.challenges.filter(retained=True).update(retained=False, number=None)
    for number, code in enumerate(result.winners, start=1):
        event.challenges.filter(code=code).update(retained=True, number=number, updated_at=vote.closed_at)
    audit.record(
        actor=actor, action="challenge_vote.close", obj=vote, event=event,
        after={
            "winners": result.winners, "counts": data["counts"], "ballots": result.ballots,
            "seed": result.seed, "seed_hash": result.seed_hash, "ties": data["ties"],
        },
    )
    return vote
