"""Plain data in and out of team formation (no Django)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal


class FormationInfeasible(ValueError):
    """The settings cannot be met; the message says which bound and by how much.

    ``str(error)`` is the English sentence the command line prints (it names its
    flags). ``code`` and ``params`` say the same as data, for an interface that
    phrases it in its own words and language: the codes and their parameters are
    listed in REASONS. Challenges, people and friend groups appear in ``params`` by
    the identifiers the caller gave them.
    """

    def __init__(self, message: str, *, code: str, **params):
        if code not in REASONS:
            raise ValueError(f"unknown reason code {code!r}")
        missing = REASONS[code] - params.keys()
        if missing:
            raise ValueError(f"reason {code!r} needs {sorted(missing)}")
        super().__init__(message)
        self.code = code
        self.params = params


# Reason code -> the parameters it always carries (some carry a few more, optional ones).
REASONS: dict[str, frozenset[str]] = {code: frozenset(keys.split()) for code, keys in {
    "min_size_below_one": "min_size",
    "min_above_max": "min_size max_size",
    "no_challenges": "",
    "group_too_large": "group size max_size",
    "capacity_below_min": "challenge capacity min_size",
    "capacity_below_fixed_teams": "challenge capacity teams min_size needed short",
    "group_locked_apart": "group challenges",
    "group_locked_to_teams": "group challenge teams",
    "team_lock_over_max": "challenge team people max_size",
    "team_lock_missing_team": "challenge team teams",
    "locked_over_capacity": "challenge people most excess",
    "team_locks_over_capacity": "challenge teams capacity most_teams",
    "too_few_people": "people needed short min_size fixed_teams",
    "too_few_places": "people places missing max_size by_challenge",
    "sizes_cannot_split": "people min_size max_size teams most least",
    "groups_cannot_fit": "group_sizes outside min_size max_size",
    "locks_conflict": "min_size max_size",
    "capacities_conflict": "min_size max_size",
    "no_assignment": "min_size max_size",
    "time_limit": "time_limit",
    "groups_not_packed": "",
    "group_team_full": "group challenge members max_size",
    "locked_challenge_full": "person challenge max_size",
    "no_teams": "",
    "unit_fits_nowhere": "group person size",
    "all_teams_full": "max_size",
}.items()}


@dataclass(frozen=True)
class Person:
    """One participant: ranks challenge -> rank (1 = first; absent = unranked, worst)."""

    id: str
    ranks: Mapping[str, int] = field(default_factory=dict)
    skills: frozenset[str] = frozenset()
    group: str | None = None
    status: str | None = None
    neighbourhood: str | None = None
    age_band: str | None = None

    def __post_init__(self):
        if not isinstance(self.skills, frozenset):
            object.__setattr__(self, "skills", frozenset(self.skills))


@dataclass(frozen=True)
class Settings:
    """What the organiser fixes.

    ``capacity`` caps the people on a challenge; ``teams_per_challenge`` fixes the
    number of teams of a challenge (others get whatever number is best, possibly 0).
    ``required_skills`` defaults to every skill somebody holds. ``locks`` pins a
    person to a challenge; ``team_locks`` additionally pins a locked person to a
    team index (0-based) within that challenge. ``fairness`` forbids placing anyone
    worse than R*+1, R* being the best achievable worst rank. ``method="greedy"``
    skips the solver (the documented fallback, also used when the solver finds
    nothing in time).
    """

    min_size: int
    max_size: int
    challenges: Sequence[str] | None = None
    capacity: Mapping[str, int] = field(default_factory=dict)
    teams_per_challenge: Mapping[str, int] = field(default_factory=dict)
    required_skills: frozenset[str] | None = None
    fairness: bool = True
    skill_coverage: bool = True
    diversity: bool = True
    time_limit: float = 30.0
    locks: Mapping[str, str] = field(default_factory=dict)
    team_locks: Mapping[str, int] = field(default_factory=dict)
    mip_rel_gap: float = 1e-3
    method: Literal["milp", "greedy"] = "milp"
    seed: int = 0


@dataclass(frozen=True)
class Team:
    challenge: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Quality:
    """Figures the organiser sees; stable names (they are the JSON keys).

    Ranks count an unranked challenge as number of challenges + 1. ``r_star`` is the
    best achievable worst rank (under the greedy statuses, only its max-flow lower
    bound). ``teams_missing_skill`` counts, per required skill, the teams without it;
    ``min_teams_missing_skill`` is the fewest (team, skill) gaps possible, proved when
    ``optimal``. ``status``: "optimal" (proved, within the relative gap on preference
    cost), "stage2_gap" (a split could not reach the stage-1 bound), "time_limit",
    "greedy" (asked for) or "greedy_fallback" (the solver found nothing in time).
    """

    first_choice_share: float
    top_two_share: float
    worst_rank: int
    r_star: int
    unranked_placements: int
    teams_missing_skill: dict[str, int]
    teams_missing_skill_total: int
    min_teams_missing_skill: int
    groups_split: int
    preference_cost: int
    optimal: bool
    status: str
    seconds: float

    def as_dict(self) -> dict:
        return {
            "first_choice_share": self.first_choice_share,
            "top_two_share": self.top_two_share,
            "worst_rank": self.worst_rank,
            "r_star": self.r_star,
            "unranked_placements": self.unranked_placements,
            "teams_missing_skill": dict(self.teams_missing_skill),
            "teams_missing_skill_total": self.teams_missing_skill_total,
            "min_teams_missing_skill": self.min_teams_missing_skill,
            "groups_split": self.groups_split,
            "preference_cost": self.preference_cost,
            "optimal": self.optimal,
            "status": self.status,
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class Result:
    """Teams in challenge order, then the figures.

    ``stage1_missing`` and ``stage1_cost`` are the challenge-level optimum (a lower
    bound on any team split); ``optimal`` is true when the teams reach it.
    """

    teams: list[Team]
    quality: Quality
    stage1_missing: int
    stage1_cost: int
    unranked_rank: int
    challenges: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "teams": [{"challenge": t.challenge, "members": list(t.members)} for t in self.teams],
            "quality": self.quality.as_dict(),
        }
