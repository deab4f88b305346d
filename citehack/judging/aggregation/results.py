"""The result records: pair totals, design, rankings, tie-breaks, intervals, close pairs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .inputs import Criterion, Score


@dataclass(frozen=True)
class PairTotal:
    juror: str
    team: str
    value: float
    missing_criteria: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing_criteria


@dataclass(frozen=True)
class Component:
    jurors: tuple[str, ...]
    teams: tuple[str, ...]


@dataclass(frozen=True)
class Design:
    complete: bool
    # Juror-team pairs without a weighted total (conflict, or not scored), with the reason.
    missing_pairs: tuple[tuple[str, str, str], ...]
    # Pairs scored on only some counted criteria: (juror, team, missing criteria).
    incomplete_pairs: tuple[tuple[str, str, tuple[str, ...]], ...]
    connected: bool
    components: tuple[Component, ...]
    excluded_conflict_scores: tuple[Score, ...]
    jurors_too_few_teams: tuple[str, ...]
    jurors_zero_variance: tuple[str, ...]
    unscored_teams: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RankedTeam:
    team: str
    score: float | None  # None: the method cannot score this team
    rank: int | None  # competition rank ("1, 2, 2, 4") after the tie-break chain
    tied: bool = False  # equal score with another team before the tie-break chain
    resolved_by: str | None = None  # the step that separated it, or STEP_JURY_VOTE


@dataclass(frozen=True)
class TieStep:
    step: str
    teams: tuple[str, ...]  # the tied group entering this step
    values: Mapping[str, float | None]  # what the step compared
    groups: tuple[tuple[str, ...], ...]  # the group after the step, best first


@dataclass(frozen=True)
class TieBreak:
    teams: tuple[str, ...]  # tied on the method's score
    steps: tuple[TieStep, ...]
    resolved: bool  # False: a jury vote is needed for at least part of the group


@dataclass(frozen=True)
class MethodResult:
    method: str
    scores: Mapping[str, float | None]
    ranking: tuple[RankedTeam, ...]
    ties: tuple[TieBreak, ...]
    # Offset-scale only: each juror's fitted a_j and b_j.
    juror_offsets: Mapping[str, float] | None = None
    juror_scales: Mapping[str, float] | None = None


@dataclass(frozen=True)
class TeamInterval:
    low: float | None
    high: float | None
    p_first: float
    coverage: float  # share of resamples in which some drawn juror scored the team


@dataclass(frozen=True)
class Bootstrap:
    method: str
    resamples: int
    seed: int | None
    level: float
    teams: Mapping[str, TeamInterval]


@dataclass(frozen=True)
class ClosePair:
    upper: str
    lower: str
    difference: float
    below_threshold: bool
    intervals_overlap: bool


@dataclass(frozen=True)
class _Data:
    jurors: tuple[str, ...]
    teams: tuple[str, ...]
    totals: np.ndarray  # jurors x teams, NaN where no total
    top_criterion: str
    top_criterion_means: Mapping[str, float | None]


@dataclass(frozen=True)
class AggregationResult:
    method: str
    criteria: tuple[Criterion, ...]
    jurors: tuple[str, ...]
    teams: tuple[str, ...]
    totals: Mapping[tuple[str, str], PairTotal]
    methods: Mapping[str, MethodResult]
    design: Design
    tiebreak_normalised: str
    bootstrap: Bootstrap | None = None
    close_pairs: tuple[ClosePair, ...] = ()
    _data: _Data | None = field(default=None, repr=False, compare=False)

    @property
    def ranking(self) -> tuple[RankedTeam, ...]:
        return self.methods[self.method].ranking

    @property
    def ties(self) -> tuple[TieBreak, ...]:
        return self.methods[self.method].ties

    @property
    def top_criterion(self) -> str:
        """The criterion the third tie-break step compares."""
        return self._data.top_criterion
