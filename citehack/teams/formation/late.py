"""Place one late arrival without moving anyone else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .instance import rank_cost
from .stage2 import ATTRIBUTES
from .types import FormationInfeasible, Person, Settings, Team


@dataclass(frozen=True)
class LatePlacement:
    teams: list[Team]  # the same teams; the chosen one gains the newcomer at the end
    index: int  # position of the chosen team in ``teams``
    rank: int  # the newcomer's rank of its challenge (number of challenges + 1 when unranked)


def place_late_arrival(teams: Sequence[Team], person: Person, settings: Settings, *,
                       people: Iterable[Person] = ()) -> LatePlacement:
    """Put ``person`` in the team that fits best; nobody else moves.

    Eligible: teams below the maximum size whose challenge is below its capacity;
    a locked person only in the locked challenge (and team index among that
    challenge's teams, in list order); someone whose friend group is already
    placed only in that group's team. Best, in this order: lowest rank cost,
    most required skills the team lacks and the person brings (``people`` gives
    the members' skills and attributes), fewest members sharing the person's
    status, neighbourhood or age band, smallest team, first in the list.
    """
    teams = list(teams)
    known = {p.id: p for p in people}
    placed = {pid for t in teams for pid in t.members}
    if person.id in placed:
        raise ValueError(f"{person.id} is already in a team")
    challenges = list(settings.challenges) if settings.challenges is not None else sorted(
        {t.challenge for t in teams} | set(person.ranks)
    )
    unranked = len(challenges) + 1
    required = settings.required_skills
    if required is None:
        required = frozenset(s for p in known.values() for s in p.skills) | person.skills
    on_challenge = Counter()
    for t in teams:
        on_challenge[t.challenge] += len(t.members)

    lock = settings.locks.get(person.id)
    team_lock = settings.team_locks.get(person.id)
    group_team = None
    if person.group:
        for i, t in enumerate(teams):
            if any(known.get(pid) and known[pid].group == person.group for pid in t.members):
                group_team = i
                break

    candidates = []
    position_in_challenge = Counter()
    for i, t in enumerate(teams):
        pos = position_in_challenge[t.challenge]
        position_in_challenge[t.challenge] += 1
        if len(t.members) >= settings.max_size:
            continue
        cap = settings.capacity.get(t.challenge)
        if cap is not None and on_challenge[t.challenge] >= cap:
            continue
        if lock is not None and t.challenge != lock:
            continue
        if team_lock is not None and pos != team_lock:
            continue
        if group_team is not None and i != group_team:
            continue
        rank = person.ranks.get(t.challenge, unranked)
        held = set()
        shared = 0
        for pid in t.members:
            member = known.get(pid)
            if member is None:
                continue
            held |= member.skills
            if settings.diversity:
                shared += sum(1 for a in ATTRIBUTES
                              if getattr(person, a) and getattr(member, a) == getattr(person, a))
        filled = len((person.skills & required) - held)
        candidates.append(((rank_cost(rank), -filled, shared, len(t.members), i), i, rank))
    if not candidates:
        raise _why_full(teams, person, settings, lock, group_team)
    _, best, rank = min(candidates)
    chosen = teams[best]
    teams[best] = Team(chosen.challenge, chosen.members + (person.id,))
    return LatePlacement(teams=teams, index=best, rank=rank)


def _why_full(teams, person, settings, lock, group_team) -> FormationInfeasible:
    U = settings.max_size
    if group_team is not None:
        t = teams[group_team]
        if len(t.members) < U:
            return FormationInfeasible(
                f"the team of friend group {person.group!r} has room but {t.challenge} is at its capacity; "
                f"raise --capacity {t.challenge}",
                code="group_team_full", group=person.group, challenge=t.challenge, members=len(t.members),
                max_size=U, at_capacity=True,
            )
        return FormationInfeasible(
            f"the team of friend group {person.group!r} on {t.challenge} is full "
            f"({len(t.members)} of at most {U}); raise --max-size to {len(t.members) + 1}",
            code="group_team_full", group=person.group, challenge=t.challenge, members=len(t.members), max_size=U,
        )
    if lock is not None:
        return FormationInfeasible(
            f"every team of {lock}, where {person.id} is locked, is full (at most {U}) or {lock} is at capacity",
            code="locked_challenge_full", person=person.id, challenge=lock, max_size=U,
        )
    if not teams:
        return FormationInfeasible("there are no teams to join", code="no_teams")
    return FormationInfeasible(
        f"every team is full (at most {U} people) or at its challenge's capacity; raise --max-size to {U + 1}",
        code="all_teams_full", max_size=U,
    )
