"""The adapter between the event's models and the optimiser (citehack.teams.formation).

The optimiser knows nothing of Django: this module turns the confirmed participants into
formation.Person, the organiser's choices and the draft teams' locks into formation.Settings.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from citehack.challenges.selectors import retained_challenges

from .. import formation, selectors
from ..models import FriendGroupMember, Preference, Team, TeamMember

TIME_LIMIT_MAX = 60


@dataclass(frozen=True)
class Choices:
    """What the organiser chose on the formation page (stored on the run as JSON)."""

    min_size: int
    max_size: int
    # challenge pk -> number of teams; a challenge not listed gets whatever number is best.
    teams_per_challenge: dict = field(default_factory=dict)
    # challenge pk -> most people; not listed = no limit.
    capacity: dict = field(default_factory=dict)
    fairness: bool = True
    skill_coverage: bool = True
    time_limit: int = 20

    def as_json(self):
        data = asdict(self)
        data["teams_per_challenge"] = {str(k): v for k, v in self.teams_per_challenge.items()}
        data["capacity"] = {str(k): v for k, v in self.capacity.items()}
        return data

    @classmethod
    def from_json(cls, data):
        return cls(
            min_size=data["min_size"], max_size=data["max_size"],
            teams_per_challenge={int(k): v for k, v in data.get("teams_per_challenge", {}).items()},
            capacity={int(k): v for k, v in data.get("capacity", {}).items()},
            fairness=data.get("fairness", True), skill_coverage=data.get("skill_coverage", True),
            time_limit=data.get("time_limit", 20),
        )


def default_choices(event, challenges=None):
    """The last run's choices, else one team per retained challenge, like the reference day."""
    challenges = list(challenges if challenges is not None else retained_challenges(event))
    run = selectors.latest_run(event)
    if run is not None:
        choices = Choices.from_json(run.settings)
        known = {c.pk for c in challenges}
        return Choices(
            **{**asdict(choices),
               "teams_per_challenge": {k: v for k, v in choices.teams_per_challenge.items() if k in known},
               "capacity": {k: v for k, v in choices.capacity.items() if k in known}}
        )
    team_settings = selectors.settings_of(event)
    people = selectors.confirmed_registrations(event).count()
    max_size = team_settings.max_size
    if challenges and people:
        max_size = max(max_size, math.ceil(people / len(challenges)))
    return Choices(
        min_size=team_settings.min_size, max_size=max_size,
        teams_per_challenge={c.pk: 1 for c in challenges},
    )


@dataclass
class FormationInput:
    people: list  # formation.Person
    settings: formation.Settings
    challenges: list  # Challenge, in number order
    challenge_of_id: dict  # formation challenge id -> Challenge
    locked: set  # user pks locked in their current draft team

    def fingerprint(self):
        return (tuple(self.people), tuple(sorted(self.settings.locks.items())), tuple(sorted(self.settings.team_locks.items())))


def challenge_key(challenge):
    """The challenge's identifier for the optimiser; its messages name challenges with it."""
    # Translators: how the optimiser's messages name a challenge ("capacity of challenge 2 (3)...").
    return _("challenge %(number)d") % {"number": challenge.number}


def person_key(user_id):
    return str(user_id)


def build_people(event, challenges):
    """Confirmed participants as formation.Person: ranks (unranked = missing), skills, group, profile.

    Skills come from the person's preferences, else from their registration. Only friend
    groups with at least two confirmed members who are confirmed participants count.
    """
    keys = {c.pk: challenge_key(c) for c in challenges}
    registrations = list(
        selectors.confirmed_registrations(event)
        .order_by("created_at", "id")
        .values_list("user_id", "skills", "status", "neighbourhood", "age_band")
    )
    confirmed = {row[0] for row in registrations}
    preferences = {p.user_id: p for p in Preference.objects.filter(event=event).prefetch_related("ranks")}
    group_of = {
        user_id: group_id
        for user_id, group_id in FriendGroupMember.objects.filter(event=event, confirmed_at__isnull=False)
        .values_list("user_id", "group_id")
        if user_id in confirmed
    }
    group_sizes = defaultdict(int)
    for group_id in group_of.values():
        group_sizes[group_id] += 1
    people = []
    for user_id, skills, status, neighbourhood, age_band in registrations:
        preference = preferences.get(user_id)
        ranks = {}
        if preference is not None:
            ranked = sorted((r.rank, r.challenge_id) for r in preference.ranks.all() if r.challenge_id in keys)
            # Consecutive ranks over the retained challenges, whatever was stored.
            ranks = {keys[challenge_id]: position for position, (_rank, challenge_id) in enumerate(ranked, start=1)}
            skills = preference.skills
        group_id = group_of.get(user_id)
        people.append(formation.Person(
            id=person_key(user_id),
            ranks=ranks,
            skills=frozenset(skills or ()),
            group=f"g{group_id}" if group_id is not None and group_sizes[group_id] > 1 else None,
            status=status or None,
            neighbourhood=(neighbourhood or "").strip().lower() or None,
            age_band=age_band or None,
        ))
    return people


def draft_locks(event, challenges, people_ids):
    """Locked people of the draft teams: {person: challenge key}, {person: team index in its challenge}."""
    keys = {c.pk: challenge_key(c) for c in challenges}
    teams = list(Team.objects.filter(event=event, published_at__isnull=True).order_by("number").values_list("pk", "challenge_id"))
    index_in_challenge = {}
    seen = defaultdict(int)
    for team_id, challenge_id in teams:
        index_in_challenge[team_id] = seen[challenge_id]
        seen[challenge_id] += 1
    locks, team_locks = {}, {}
    for user_id, team_id, challenge_id in TeamMember.objects.filter(
        event=event, locked=True, team__published_at__isnull=True
    ).values_list("user_id", "team_id", "team__challenge_id"):
        key = person_key(user_id)
        if key not in people_ids or challenge_id not in keys:
            continue
        locks[key] = keys[challenge_id]
        team_locks[key] = index_in_challenge[team_id]
    return locks, team_locks


def formation_input(event, choices, *, challenges=None):
    """The optimiser's input for `event` under the organiser's `choices`."""
    challenges = list(challenges if challenges is not None else retained_challenges(event))
    keys = {c.pk: challenge_key(c) for c in challenges}
    people = build_people(event, challenges)
    locks, team_locks = draft_locks(event, challenges, {p.id for p in people})
    settings = formation.Settings(
        min_size=choices.min_size,
        max_size=choices.max_size,
        challenges=[keys[c.pk] for c in challenges],
        capacity={keys[pk]: n for pk, n in choices.capacity.items() if pk in keys},
        teams_per_challenge={keys[pk]: n for pk, n in choices.teams_per_challenge.items() if pk in keys},
        fairness=choices.fairness,
        skill_coverage=choices.skill_coverage,
        time_limit=float(choices.time_limit),
        locks=locks,
        team_locks=team_locks,
    )
    return FormationInput(
        people=people, settings=settings, challenges=challenges,
        challenge_of_id={keys[c.pk]: c for c in challenges},
        locked={int(pid) for pid in locks},
    )
