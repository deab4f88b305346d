"""The input records (criteria and scores), their validation and the error raised."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .constants import METHODS


class AggregationError(ValueError):
    """The scores cannot be aggregated as given."""


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: float = 1.0
    counted: bool = True
    scale_min: float | None = None  # None: no bound checked on that side
    scale_max: float | None = None


@dataclass(frozen=True)
class Score:
    juror: str
    team: str
    criterion: str
    value: float


# --- validation ---------------------------------------------------------------------


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise AggregationError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _validate_criteria(criteria: tuple[Criterion, ...]) -> dict[str, Criterion]:
    by_id: dict[str, Criterion] = {}
    for criterion in criteria:
        if criterion.id in by_id:
            raise AggregationError(f"criterion {criterion.id!r} is declared twice")
        by_id[criterion.id] = criterion
        weight = criterion.weight
        if not _finite(weight) or weight < 0 or (criterion.counted and weight == 0):
            raise AggregationError(f"criterion {criterion.id!r} needs a positive weight, not {weight!r}")
        for bound in (criterion.scale_min, criterion.scale_max):
            if bound is not None and not _finite(bound):
                raise AggregationError(f"criterion {criterion.id!r} has an invalid scale bound {bound!r}")
        if None not in (criterion.scale_min, criterion.scale_max) and criterion.scale_min >= criterion.scale_max:
            raise AggregationError(
                f"criterion {criterion.id!r}: the scale minimum must be below the maximum"
            )
    if not any(c.counted for c in criteria):
        raise AggregationError("no counted criterion")
    return by_id


def _validate_scores(scores, by_id, conflicts, expected_teams):
    kept: list[Score] = []
    excluded: list[Score] = []
    seen: set[tuple[str, str, str]] = set()
    for score in scores:
        label = f"juror {score.juror!r}, team {score.team!r}, criterion {score.criterion!r}"
        criterion = by_id.get(score.criterion)
        if criterion is None:
            raise AggregationError(f"unknown criterion for {label}")
        if expected_teams is not None and score.team not in expected_teams:
            raise AggregationError(f"unknown team for {label}")
        key = (score.juror, score.team, score.criterion)
        if key in seen:
            raise AggregationError(f"duplicate score for {label}")
        seen.add(key)
        if not _finite(score.value):
            raise AggregationError(f"score {score.value!r} for {label} is not a finite number")
        low, high = criterion.scale_min, criterion.scale_max
        if (low is not None and score.value < low) or (high is not None and score.value > high):
            raise AggregationError(
                f"score {score.value!r} for {label} is outside the scale {_scale_text(criterion)}"
            )
        (excluded if (score.juror, score.team) in conflicts else kept).append(score)
    if not kept:
        raise AggregationError("no scores" if not excluded else "no scores left once conflicts are excluded")
    return kept, excluded


def _scale_text(criterion: Criterion) -> str:
    low = "-inf" if criterion.scale_min is None else f"{criterion.scale_min:g}"
    high = "inf" if criterion.scale_max is None else f"{criterion.scale_max:g}"
    return f"{low} to {high}"


def _finite(value) -> bool:
    try:
        return math.isfinite(value) and not isinstance(value, bool)
    except TypeError:
        return False


def _float_or_none(value) -> float | None:
    return None if value is None or math.isnan(value) else float(value)
