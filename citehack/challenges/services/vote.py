"""The challenge vote: settings, opening, ballots online and on paper, the count and the close."""

import hashlib
import hmac
import json
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citehack.core import audit
from citehack.events.models import Phase

from .. import selectors
from ..models import (
    Ballot, BallotKind, BallotSource, Challenge, ChallengeStatus, ChallengeVote, VoterRecord, VoteStatus,
)
from ..tally import RULES, TallyError, seed_commitment, tally
from .common import _busy_as_message, _lock_event, _refuse, _snapshot, vote_refusal

VOTE_FIELDS = ["seats", "ballot_kind", "max_approvals", "rule"]


def _vote_for_update(event):
    vote, _created = ChallengeVote.objects.select_for_update().get_or_create(event=event)
    return vote


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
