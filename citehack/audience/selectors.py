"""Reads on the audience vote: the ballot the phones see, the count, the results for the jury."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Poll, PollStatus, Vote, VoterKind

# The ballot is read by every phone of the room at once, so it comes from memory: this
# process's copy for up to MEMO_SECONDS, else the shared cache for up to BALLOT_SECONDS, else
# the database. Services and signals drop it when the poll, the event or a team changes; the
# lifetimes bound how long a page could show a stale state in another process or after a race
# between a read and a change. A vote is never decided from it: services.cast_vote checks the
# poll and the team in the database, in the statement that writes.
BALLOT_SECONDS = 5
MEMO_SECONDS = 1
_memo = {}


def ballot_key(slug):
    return f"audience:ballot:{slug}"


@dataclass(frozen=True)
class Option:
    id: int
    number: int
    challenge: str

    @property
    def name(self):
        """The team's name, in the language of the request."""
        if not self.challenge:
            return _("Team %(number)d") % {"number": self.number}
        return _("Team %(number)d — %(challenge)s") % {"number": self.number, "challenge": self.challenge}


@dataclass(frozen=True)
class EventInfo:
    """What the vote page shows of its event, without loading it."""

    pk: int
    slug: str
    title: str
    phase: str

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})


@dataclass(frozen=True)
class Ballot:
    """What a phone needs to show the vote: no count, nothing about anyone's choice."""

    event: EventInfo
    poll_id: int | None
    status: str
    eligibility: str
    title: str
    options: tuple
    device_weight: int = 1
    participant_weight: int = 1

    @property
    def exists(self):
        return self.poll_id is not None

    @property
    def is_open(self):
        return self.status == PollStatus.OPEN

    @property
    def is_closed(self):
        return self.status == PollStatus.CLOSED

    def option(self, team_id):
        for option in self.options:
            if option.id == team_id:
                return option
        return None


def published_teams(event_pk):
    """The options of the event's vote: its published teams, by number."""
    from citehack.teams.models import Team

    return Team.objects.filter(event_id=event_pk, published_at__isnull=False).select_related("challenge").order_by("number")


def load_ballot(slug):
    """The ballot of the event named `slug` from the database (three queries), None if no such event."""
    from citehack.events.models import Event

    event = Event.objects.filter(slug=slug).values("pk", "slug", "title", "phase").first()
    if event is None:
        return None
    info = EventInfo(event["pk"], event["slug"], event["title"], event["phase"])
    poll = (
        Poll.objects.filter(event_id=info.pk)
        .values("pk", "status", "eligibility", "title", "device_weight", "participant_weight").first()
    )
    if poll is None:
        return Ballot(info, None, PollStatus.NOT_OPEN, "", "", ())
    options = tuple(
        Option(team.pk, team.number, team.challenge.title if team.challenge_id else "")
        for team in published_teams(info.pk)
    )
    return Ballot(
        info, poll["pk"], poll["status"], poll["eligibility"], poll["title"], options,
        poll["device_weight"], poll["participant_weight"],
    )


# What the cache holds for a slug that names no event: a miss must not cost queries each time.
_NO_EVENT = "-"


def get_ballot(slug):
    """The ballot of the event named `slug`, from memory when possible; None if no such event."""
    now = time.monotonic()
    memo = _memo.get(slug)
    if memo is not None and memo[0] > now:
        return memo[1]
    key = ballot_key(slug)
    ballot = cache.get(key)
    if ballot is None:
        ballot = load_ballot(slug) or _NO_EVENT
        cache.set(key, ballot, BALLOT_SECONDS)
    if len(_memo) > 1000:  # slugs typed at random must not grow it without bound
        _memo.clear()
    _memo[slug] = (now + MEMO_SECONDS, ballot)
    return None if ballot == _NO_EVENT else ballot


def forget_ballot(slug):
    _memo.pop(slug, None)
    cache.delete(ballot_key(slug))


def get_poll(event):
    return Poll.objects.filter(event=event).first()


def current_choice(poll_id, voter):
    """The team the voter chose, or None. Plain SQL: it is on the phones' hot path, and the
    ORM would cost ten times the query itself."""
    if poll_id is None or not voter:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT team_id FROM {Vote._meta.db_table} WHERE poll_id = %s AND voter = %s", [poll_id, voter])
        row = cursor.fetchone()
    return row[0] if row else None


def checked_in_registration(event_pk, user):
    """The pk of the person's confirmed, checked-in registration to the event, or None."""
    if user is None or not user.is_authenticated:
        return None
    from citehack.registrations.models import Registration, RegistrationState

    return (
        Registration.objects.filter(
            event_id=event_pk, user=user, state=RegistrationState.CONFIRMED, checked_in_at__isnull=False
        )
        .values_list("pk", flat=True)
        .first()
    )


def rank(rows):
    """Best first: the most weight, then the most votes, then the team number (only to give
    ties a stable order: equal weights are a tie, for the jury to settle)."""
    return sorted(rows, key=lambda row: (-row["weight"], -row["votes"], row["number"]))


def tally(poll):
    """The count of `poll` per team, every published team included, best first (one query for
    the votes, one for the teams)."""
    counts = {}
    for row in (
        Vote.objects.filter(poll=poll)
        .values("team_id")
        .annotate(
            votes=Count("id"), weight=Sum("weight"),
            device_votes=Count("id", filter=Q(kind=VoterKind.DEVICE)),
            participant_votes=Count("id", filter=Q(kind=VoterKind.PARTICIPANT)),
        )
        .order_by()
    ):
        counts[row["team_id"]] = row
    rows = []
    for team in published_teams(poll.event_id):
        row = counts.pop(team.pk, {})
        rows.append({
            "team_id": team.pk, "number": team.number, "team": team,
            "votes": row.get("votes", 0), "weight": row.get("weight") or 0,
            "device_votes": row.get("device_votes", 0), "participant_votes": row.get("participant_votes", 0),
        })
    # A team unpublished after votes were cast keeps its votes in the count.
    if counts:
        from citehack.teams.models import Team

        for team in Team.objects.filter(pk__in=counts).select_related("challenge"):
            row = counts[team.pk]
            rows.append({
                "team_id": team.pk, "number": team.number, "team": team, "votes": row["votes"],
                "weight": row["weight"] or 0, "device_votes": row["device_votes"],
                "participant_votes": row["participant_votes"],
            })
    return rank(rows)


def total_votes(poll_id):
    return Vote.objects.filter(poll_id=poll_id).count()


def poll_results(event):
    """The result of the event's closed audience vote, best first, for the jury app:
    [{"team_id": int, "votes": int, "weight": int}, ...], every team of the vote included;
    [] while there is no closed vote. `weight` is the sum of the vote weights (equal to `votes`
    unless phones and participants both vote with different weights); rank by it."""
    poll = Poll.objects.filter(event=event, status=PollStatus.CLOSED).values("results").first()
    if poll is None or not poll["results"]:
        return []
    return [{"team_id": row["team_id"], "votes": row["votes"], "weight": row["weight"]} for row in poll["results"]]
