"""Turn people and settings into arrays, and refuse impossible settings early.

Every check here names the bound that cannot be met and by how much, so the
organiser knows which knob to turn before any solver runs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .types import FormationInfeasible, Person, Settings


def rank_cost(rank):
    """Convex cost of placing someone on their rank-th choice: 0, 1, 3, 7, 15, ..."""
    return (1 << (rank - 1)) - 1


@dataclass
class Instance:
    people: list[Person]
    ids: list[str]
    challenges: list[str]
    skills: list[str]
    min_size: int
    max_size: int
    unranked: int  # rank value given to an unranked challenge: number of challenges + 1
    rank: np.ndarray  # (people, challenges) int
    cost: np.ndarray  # (people, challenges) int
    person_skill: np.ndarray  # (people, skills) bool
    units: list[list[int]]  # person indices; a friend group is one unit
    unit_of: np.ndarray  # person -> unit
    unit_group: list[str | None]
    size: np.ndarray  # (units,) people per unit
    unit_cost: np.ndarray  # (units, challenges)
    unit_maxrank: np.ndarray  # (units, challenges) worst member rank
    unit_skill: np.ndarray  # (units, skills) bool
    cap: np.ndarray  # (challenges,) most people; len(people) when uncapped
    k_lo: np.ndarray  # (challenges,) fewest teams
    k_hi: np.ndarray  # (challenges,) most teams
    unit_lock: np.ndarray  # (units,) challenge index or -1
    unit_team_lock: np.ndarray  # (units,) team index or -1
    base_allowed: np.ndarray  # (units, challenges) bool: locks, capacity, closed challenges
    settings: Settings

    @property
    def n(self) -> int:
        return len(self.people)

    @property
    def m(self) -> int:
        return len(self.challenges)

    def allowed_up_to(self, worst_rank: int | None) -> np.ndarray:
        """Unit-challenge pairs permitted when nobody may be ranked worse than ``worst_rank``."""
        if worst_rank is None:
            return self.base_allowed
        return self.base_allowed & (self.unit_maxrank <= worst_rank)

    def teams_range_text(self) -> str:
        return f"{self.min_size} to {self.max_size}" if self.min_size != self.max_size else str(self.min_size)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def build_instance(people: Sequence[Person], settings: Settings) -> Instance:
    """Validate the data, check the bounds that can be checked without a solver, and index."""
    L, U = settings.min_size, settings.max_size
    if L < 1:
        raise FormationInfeasible(f"the minimum team size must be at least 1 (got {L})", code="min_size_below_one",
                                 min_size=L)
    if L > U:
        raise FormationInfeasible(f"the minimum team size ({L}) is above the maximum team size ({U})",
                                 code="min_above_max", min_size=L, max_size=U)

    people = list(people)
    ids = [p.id for p in people]
    seen: dict[str, int] = {}
    for i, pid in enumerate(ids):
        if pid in seen:
            raise ValueError(f"duplicate person id {pid!r}")
        seen[pid] = i

    if settings.challenges is not None:
        challenges = list(dict.fromkeys(settings.challenges))
    else:
        names = set()
        for p in people:
            names.update(p.ranks)
        names.update(settings.capacity)
        names.update(settings.teams_per_challenge)
        names.update(settings.locks.values())
        challenges = sorted(names)
    cidx = {c: j for j, c in enumerate(challenges)}
    m = len(challenges)
    if people and m == 0:
        raise FormationInfeasible("there are no challenges to place people on", code="no_challenges")
    if m > 30:
        raise ValueError(f"at most 30 challenges are supported (got {m})")
    for name, mapping in (("capacity", settings.capacity), ("teams per challenge", settings.teams_per_challenge)):
        for c, v in mapping.items():
            if c not in cidx:
                raise ValueError(f"{name} given for unknown challenge {c!r}")
            if not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{name} of {c} must be a whole number of at least 0 (got {v!r})")

    n = len(people)
    unranked = m + 1
    rank = np.full((n, m), unranked, dtype=np.int64)
    for i, p in enumerate(people):
        for c, r in p.ranks.items():
            if c not in cidx:
                raise ValueError(f"{p.id} ranks unknown challenge {c!r}")
            if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 1 or r > m:
                raise ValueError(f"{p.id}: rank of {c} must be a whole number from 1 to {m} (got {r!r})")
            rank[i, cidx[c]] = r
    cost = (np.left_shift(1, rank - 1) - 1).astype(np.int64)

    if settings.required_skills is not None:
        skills = sorted(settings.required_skills)
    else:
        skills = sorted({s for p in people for s in p.skills})
    sidx = {s: j for j, s in enumerate(skills)}
    person_skill = np.zeros((n, len(skills)), dtype=bool)
    for i, p in enumerate(people):
        for s in p.skills:
            if s in sidx:
                person_skill[i, sidx[s]] = True

    # Units: one per friend group, one per person outside a group.
    groups: dict[str, list[int]] = defaultdict(list)
    units: list[list[int]] = []
    unit_group: list[str | None] = []
    for i, p in enumerate(people):
        if p.group:
            if p.group not in groups:
                units.append(groups[p.group])
                unit_group.append(p.group)
            groups[p.group].append(i)
        else:
            units.append([i])
            unit_group.append(None)
    for label, members in groups.items():
        if len(members) > U:
            raise FormationInfeasible(
                f"a friend group of {len(members)} (group {label!r}) is larger than the maximum team size {U}",
                code="group_too_large", group=label, size=len(members), max_size=U,
            )
    nu = len(units)
    unit_of = np.empty(n, dtype=np.int64)
    for u, members in enumerate(units):
        unit_of[members] = u
    size = np.array([len(mem) for mem in units], dtype=np.int64)
    unit_cost = np.zeros((nu, m), dtype=np.int64)
    np.add.at(unit_cost, unit_of, cost)
    unit_maxrank = np.zeros((nu, m), dtype=np.int64)
    np.maximum.at(unit_maxrank, unit_of, rank)
    unit_skill = np.zeros((nu, len(skills)), dtype=bool)
    np.logical_or.at(unit_skill, unit_of, person_skill)

    if 0 < n < L:
        raise FormationInfeasible(
            f"{_plural(n, 'person', 'people')} cannot make a team of at least {L}; lower --min-size to {n}",
            code="sizes_cannot_split", people=n, min_size=L, max_size=U, teams=0, most=0, least=L,
        )

    # Capacities and numbers of teams.
    cap = np.full(m, n, dtype=np.int64)
    for c, v in settings.capacity.items():
        cap[cidx[c]] = min(int(v), n)
        if 0 < v < L:
            raise FormationInfeasible(
                f"capacity of {c} ({v}) is below the minimum team size ({L}); "
                f"set it to 0 to close the challenge or to at least {L}",
                code="capacity_below_min", challenge=c, capacity=int(v), min_size=L,
            )
    fixed = {cidx[c]: int(v) for c, v in settings.teams_per_challenge.items()}
    k_lo = np.zeros(m, dtype=np.int64)
    k_hi = cap // L
    for j, f in fixed.items():
        cv = settings.capacity.get(challenges[j])
        if cv is not None and f * L > cv:
            raise FormationInfeasible(
                f"capacity of {challenges[j]} ({cv}) cannot hold {_plural(f, 'team')} of at least {L} "
                f"({f * L} people needed): {f * L - cv} places short",
                code="capacity_below_fixed_teams", challenge=challenges[j], capacity=int(cv), teams=f,
                min_size=L, needed=f * L, short=f * L - int(cv),
            )
        k_lo[j] = k_hi[j] = f

    # Locks.
    unit_lock = np.full(nu, -1, dtype=np.int64)
    unit_team_lock = np.full(nu, -1, dtype=np.int64)
    for pid, c in settings.locks.items():
        if pid not in seen:
            raise ValueError(f"lock given for unknown person {pid!r}")
        if c not in cidx:
            raise ValueError(f"{pid} is locked to unknown challenge {c!r}")
        u = unit_of[seen[pid]]
        if unit_lock[u] not in (-1, cidx[c]):
            raise FormationInfeasible(
                f"friend group {unit_group[u]!r} has members locked to {challenges[unit_lock[u]]} and {c}",
                code="group_locked_apart", group=unit_group[u], challenges=[challenges[unit_lock[u]], c],
            )
        unit_lock[u] = cidx[c]
    for pid, t in settings.team_locks.items():
        if pid not in seen:
            raise ValueError(f"team lock given for unknown person {pid!r}")
        if pid not in settings.locks:
            raise ValueError(f"team lock for {pid} needs a challenge lock too")
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
            raise ValueError(f"team index for {pid} must be a whole number of at least 0 (got {t!r})")
        u = unit_of[seen[pid]]
        if unit_team_lock[u] not in (-1, t):
            raise FormationInfeasible(
                f"friend group {unit_group[u]!r} has members locked to teams {unit_team_lock[u] + 1} and {t + 1}",
                code="group_locked_to_teams", group=unit_group[u], challenge=settings.locks[pid],
                teams=[int(unit_team_lock[u]) + 1, int(t) + 1],
            )
        unit_team_lock[u] = t
    locked_people = np.zeros(m, dtype=np.int64)
    np.add.at(locked_people, unit_lock[unit_lock >= 0], size[unit_lock >= 0])
    team_load: dict[tuple[int, int], int] = defaultdict(int)
    for u in np.flatnonzero(unit_team_lock >= 0):
        team_load[(int(unit_lock[u]), int(unit_team_lock[u]))] += int(size[u])
    for (j, t), load in team_load.items():
        if load > U:
            raise FormationInfeasible(
                f"{load} people are locked to team {t + 1} of {challenges[j]}, above the maximum team size {U}",
                code="team_lock_over_max", challenge=challenges[j], team=t + 1, people=load, max_size=U,
            )
        if j in fixed and t >= fixed[j]:
            raise FormationInfeasible(
                f"someone is locked to team {t + 1} of {challenges[j]}, which has only {_plural(fixed[j], 'team')}",
                code="team_lock_missing_team", challenge=challenges[j], team=t + 1, teams=fixed[j],
            )
        k_lo[j] = max(k_lo[j], t + 1)
    for j in range(m):
        most = min(int(cap[j]), U * int(k_hi[j]))
        if locked_people[j] > most:
            why = "it is closed" if most == 0 else f"it takes at most {most}"
            raise FormationInfeasible(
                f"{_plural(int(locked_people[j]), 'person', 'people')} are locked to {challenges[j]} but {why}: "
                f"{int(locked_people[j]) - most} too many",
                code="locked_over_capacity", challenge=challenges[j], people=int(locked_people[j]), most=most,
                excess=int(locked_people[j]) - most,
            )
        if k_lo[j] > k_hi[j]:
            set_capacity = settings.capacity.get(challenges[j])
            held_by = f"its capacity ({int(cap[j])})" if set_capacity is not None else f"{n} people in teams of at least {L}"
            raise FormationInfeasible(
                f"{challenges[j]} needs {k_lo[j]} teams for its team locks but {held_by} make at most {k_hi[j]}",
                code="team_locks_over_capacity", challenge=challenges[j], teams=int(k_lo[j]),
                capacity=None if set_capacity is None else int(cap[j]), most_teams=int(k_hi[j]), people=n, min_size=L,
            )

    _check_totals(n, L, U, challenges, fixed, cap, k_lo, k_hi, settings)

    base_allowed = (size[:, None] <= np.minimum(cap, U * k_hi)[None, :]) & (k_hi > 0)[None, :]
    locked = unit_lock >= 0
    base_allowed[locked] = False
    base_allowed[np.flatnonzero(locked), unit_lock[locked]] = True

    return Instance(
        people=people, ids=ids, challenges=challenges, skills=skills, min_size=L, max_size=U,
        unranked=unranked, rank=rank, cost=cost, person_skill=person_skill, units=units,
        unit_of=unit_of, unit_group=unit_group, size=size, unit_cost=unit_cost,
        unit_maxrank=unit_maxrank, unit_skill=unit_skill, cap=cap, k_lo=k_lo, k_hi=k_hi,
        unit_lock=unit_lock, unit_team_lock=unit_team_lock, base_allowed=base_allowed,
        settings=settings,
    )


def _check_totals(n, L, U, challenges, fixed, cap, k_lo, k_hi, settings):
    """Refuse when the places, the minimum sizes or the team counts cannot add up to n."""
    m = len(challenges)
    # Too few people for the teams that must exist.
    need = int(L * k_lo.sum())
    if need > n:
        if len(fixed) == m and set(fixed.values()) == {1}:
            lead = f"with one team per challenge and {m} challenges"
        else:
            parts = ", ".join(f"{challenges[j]}: {int(k_lo[j])}" for j in range(m) if k_lo[j])
            lead = f"with the fixed numbers of teams ({parts})"
        raise FormationInfeasible(
            f"{lead}, at least {need} people are needed (min size {L}); there are {n}: "
            f"{need - n} people short; lower --min-size or fix fewer teams",
            code="too_few_people", people=n, needed=need, short=need - n, min_size=L,
            fixed_teams={challenges[j]: int(k_lo[j]) for j in range(m) if k_lo[j]}, challenge_count=m,
        )
    if n == 0:
        return
    # Too many people for the places.
    places = np.minimum(cap, U * k_hi)
    total = int(places.sum())
    if total < n:
        missing = n - total
        if len(fixed) == m and all(cap[j] >= U * k_hi[j] for j in range(m)):
            teams = int(k_hi.sum())
            new_u = math.ceil(n / teams) if teams else None
            hint = f"raise --max-size to {new_u} or allow more teams" if new_u else "allow more teams"
            raise FormationInfeasible(
                f"{n} people but at most {_plural(teams, 'team')} of at most {U} = {total} places: "
                f"{missing} places missing; {hint}",
                code="too_few_places", people=n, places=total, missing=missing, max_size=U, teams=teams,
                by_challenge=None, suggested_max_size=new_u,
            )
        parts = ", ".join(
            f"{challenges[j]}: {int(places[j])}" for j in range(m)
        )
        raise FormationInfeasible(
            f"{n} people but only {total} places ({parts}): {missing} places missing; "
            f"raise capacities, --max-size or the numbers of teams",
            code="too_few_places", people=n, places=total, missing=missing, max_size=U,
            by_challenge={challenges[j]: int(places[j]) for j in range(m)},
        )
    # Whole teams: some K with K*L <= n <= K*U. The checks above already keep such a K within
    # the team counts allowed (L * sum(k_lo) <= n <= places <= U * sum(k_hi)); whether each
    # challenge's head count fits its own teams is the solver's to find.
    a = n // L
    if a < math.ceil(n / U):
        raise FormationInfeasible(
            f"{n} people cannot be split into teams of {L} to {U}: {_plural(a, 'team')} {'holds' if a == 1 else 'hold'} at most "
            f"{a * U}, {a + 1} teams need at least {(a + 1) * L}; change --min-size or --max-size",
            code="sizes_cannot_split", people=n, min_size=L, max_size=U, teams=a, most=a * U,
            least=(a + 1) * L,
        )
