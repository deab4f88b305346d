"""Every write on the audience vote.

The organiser's actions (settings, open, close) lock the poll row, write an audit row and
tell the screens after commit. A vote writes no audit row (it would tie a phone to a moment)
and is one SQL statement: the hot path of the day, when the whole room votes in a minute.

Counting exactly once, and nothing after the close:

- The vote is `INSERT ... SELECT ... ON CONFLICT (poll, voter) DO UPDATE`: the unique
  constraint makes a repeated or concurrent request from the same voter update the one row
  instead of adding a second, and the same request sent twice gets the same answer.
- The SELECT reads the poll row `FOR KEY SHARE` (PostgreSQL) and only yields a row while the
  poll is open and the team is a published team of the event. Closing takes the poll row
  `FOR UPDATE`, which waits for the votes in flight, and a vote arriving after it re-reads
  the closed poll and stores nothing: the count taken at the close is final. (SQLite runs
  one writer at a time, so the statement is atomic there by construction.)
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.events.models import Phase

from . import selectors
from .models import Eligibility, Poll, PollStatus, Vote, VoterKind

SETTINGS_FIELDS = ["title", "eligibility", "device_weight", "participant_weight"]


def _snapshot(poll):
    return {name: getattr(poll, name) for name in SETTINGS_FIELDS}


def _locked_poll(event):
    Poll.objects.get_or_create(event=event)
    return Poll.objects.select_for_update().get(event=event)


def _after_commit(event):
    """Drop the cached ballot and refresh the screens once the change is committed."""

    def changed():
        from citehack.live.services import bump

        selectors.forget_ballot(event.slug)
        bump(event)

    transaction.on_commit(changed)


# The organiser's actions ------------------------------------------------------------------------


@transaction.atomic
def configure_poll(*, actor, event, title, eligibility, device_weight=1, participant_weight=2):
    """Set who may vote and the weights; refused once the vote has opened."""
    poll = _locked_poll(event)
    if poll.settings_frozen:
        raise ValidationError(_("The audience vote has opened: its settings are frozen."))
    before = _snapshot(poll)
    poll.title = (title or "").strip() or poll.title
    poll.eligibility = eligibility
    poll.device_weight = device_weight
    poll.participant_weight = participant_weight
    poll.full_clean(exclude=["event"])
    poll.save(update_fields=[*SETTINGS_FIELDS, "updated_at"])
    audit.record(actor=actor, action="audience.configure", obj=poll, event=event, before=before, after=_snapshot(poll))
    _after_commit(event)
    return poll


def open_refusal(event, poll=None):
    """Why the vote cannot open now, or None."""
    if poll is not None and poll.status == PollStatus.OPEN:
        return _("The audience vote is already open.")
    if poll is not None and poll.status == PollStatus.CLOSED:
        return _("The audience vote is closed: it cannot open again.")
    if event.phase in (Phase.DRAFT, Phase.CLOSED):
        return _("The event is not published or is archived: nobody could reach the vote.")
    if not selectors.published_teams(event.pk).exists():
        return _("There is no published team to vote for yet: publish the teams first.")
    return None


@transaction.atomic
def open_poll(*, actor, event, show_on_screen=False):
    """Open the vote; its settings freeze. With `show_on_screen`, the screens switch to it."""
    poll = _locked_poll(event)
    refusal = open_refusal(event, poll)
    if refusal:
        raise ValidationError(refusal)
    poll.status = PollStatus.OPEN
    poll.opened_at = timezone.now()
    poll.opened_by = actor
    poll.save(update_fields=["status", "opened_at", "opened_by", "updated_at"])
    audit.record(
        actor=actor, action="audience.open", obj=poll, event=event,
        before={"status": PollStatus.NOT_OPEN}, after={"status": PollStatus.OPEN, **_snapshot(poll)},
    )
    if show_on_screen:
        from citehack.live.services import set_screen

        set_screen(actor=actor, event=event, mode="vote")
    _after_commit(event)
    return poll


@transaction.atomic
def close_poll(*, actor, event):
    """Close the vote and record its count; nothing can be added or changed afterwards.

    The FOR UPDATE lock on the poll waits for the votes in flight (they hold FOR KEY SHARE on
    it), so the count taken here includes every vote that was answered as recorded.
    """
    poll = Poll.objects.select_for_update().filter(event=event).first()
    if poll is None or poll.status == PollStatus.NOT_OPEN:
        raise ValidationError(_("The audience vote has not opened."))
    if poll.status == PollStatus.CLOSED:
        raise ValidationError(_("The audience vote is already closed."))
    rows = selectors.tally(poll)
    results = [{"team_id": row["team_id"], "votes": row["votes"], "weight": row["weight"]} for row in rows]
    poll.status = PollStatus.CLOSED
    poll.closed_at = timezone.now()
    poll.closed_by = actor
    poll.results = results
    poll.save(update_fields=["status", "closed_at", "closed_by", "results", "updated_at"])
    audit.record(
        actor=actor, action="audience.close", obj=poll, event=event,
        before={"status": PollStatus.OPEN}, after={"status": PollStatus.CLOSED, "results": results},
    )
    _after_commit(event)
    return poll


# The vote ------------------------------------------------------------------------------------------

ALLOWED = {
    VoterKind.DEVICE: (Eligibility.DEVICE, Eligibility.BOTH),
    VoterKind.PARTICIPANT: (Eligibility.PARTICIPANT, Eligibility.BOTH),
}


def _upsert_sql(vendor):
    vote, poll = Vote._meta.db_table, Poll._meta.db_table
    from citehack.teams.models import Team

    team = Team._meta.db_table
    lock = " FOR KEY SHARE OF p" if vendor == "postgresql" else ""
    # The weight matters only when both kinds of voter take part; otherwise every vote is 1.
    return (
        f"INSERT INTO {vote} (poll_id, voter, kind, weight, team_id, created_at, updated_at) "
        f"SELECT p.id, %s, %s, "
        f"CASE WHEN p.eligibility = 'both' THEN "
        f"(CASE WHEN %s = 'participant' THEN p.participant_weight ELSE p.device_weight END) ELSE 1 END, "
        f"t.id, %s, %s "
        f"FROM {poll} p JOIN {team} t ON t.id = %s AND t.event_id = p.event_id AND t.published_at IS NOT NULL "
        f"WHERE p.id = %s AND p.status = 'open' AND p.eligibility IN (%s, %s){lock} "
        f"ON CONFLICT (poll_id, voter) DO UPDATE SET team_id = excluded.team_id, updated_at = excluded.updated_at"
    )


_SQL = {}


def cast_vote(*, poll_id, team_id, voter, kind):
    """Record `voter`'s choice of `team_id` in the poll, or change it. Return True when stored,
    False when refused (the poll is not open, the team is not one of its options, or this kind
    of voter may not vote in it): then nothing was written.

    One statement, no transaction around it: the request's own autocommit is the unit.
    """
    if getattr(settings, "AUDIENCE_UNSAFE_CHECK_THEN_INSERT", False):
        return _unsafe_check_then_insert(poll_id=poll_id, team_id=team_id, voter=voter, kind=kind)
    vendor = connection.vendor
    sql = _SQL.get(vendor) or _SQL.setdefault(vendor, _upsert_sql(vendor))
    now = timezone.now()
    first, second = (str(value) for value in ALLOWED[kind])
    kind = str(kind)
    with connection.cursor() as cursor:
        cursor.execute(sql, [voter, kind, kind, now, now, team_id, poll_id, first, second])
        return cursor.rowcount == 1


def _unsafe_check_then_insert(*, poll_id, team_id, voter, kind):
    """The naive way: look for the voter's row, then insert or update it. Without the unique
    constraint two requests at once both find nothing and both insert. Only the benchmark's
    negative control turns it on (settings.AUDIENCE_UNSAFE_CHECK_THEN_INSERT, on a scratch
    database whose constraint it dropped), to show that its reconciliation sees a double count."""
    with transaction.atomic():
        poll = Poll.objects.filter(pk=poll_id, status=PollStatus.OPEN).first()
        if poll is None or not selectors.published_teams(poll.event_id).filter(pk=team_id).exists():
            return False
        now = timezone.now()
        if _update_existing(poll_id=poll_id, voter=voter, team_id=team_id, now=now):
            return True
        Vote.objects.create(poll_id=poll_id, voter=voter, kind=kind, weight=1, team_id=team_id, created_at=now, updated_at=now)
    return True


def _update_existing(*, poll_id, voter, team_id, now):
    return Vote.objects.filter(poll_id=poll_id, voter=voter).update(team_id=team_id, updated_at=now)


def cast_participant_vote(*, poll_id, team_id, voter, device_voter=None):
    """A checked-in participant's vote. When both kinds vote and this phone has voted as a
    phone before, that phone vote goes: one person, one vote (the heavier one)."""
    with transaction.atomic():
        stored = cast_vote(poll_id=poll_id, team_id=team_id, voter=voter, kind=VoterKind.PARTICIPANT)
        if stored and device_voter:
            Vote.objects.filter(poll_id=poll_id, voter=device_voter, kind=VoterKind.DEVICE).delete()
    return stored


def vote_refusal(*, event_pk, team_id, kind):
    """(message, HTTP status, reason code) saying why a vote was refused, read afresh from the
    database (after cast_vote said no)."""
    poll = Poll.objects.filter(event_id=event_pk).values("status", "eligibility").first()
    if poll is None or poll["status"] == PollStatus.NOT_OPEN:
        return _("The audience vote has not opened yet."), 403, "not_open"
    if poll["status"] == PollStatus.CLOSED:
        return _("The audience vote is closed: votes can no longer be changed."), 403, "closed"
    if poll["eligibility"] not in ALLOWED[kind]:
        if kind == VoterKind.DEVICE:
            return _("This vote is for participants checked in at the reception: sign in on your phone to vote."), 403, "sign_in"
        return _("This vote is one per phone."), 403, "eligibility"
    if not selectors.published_teams(event_pk).filter(pk=team_id).exists():
        return _("This team is not in the vote. Choose one of the teams listed."), 400, "team"
    return _("Your vote could not be recorded. Please try again."), 409, "retry"
