"""Adjacent teams of a ranking too close to call."""

from __future__ import annotations

import numpy as np

from .constants import CLOSE_FRACTION
from .inputs import _check_method
from .results import AggregationResult, Bootstrap, ClosePair
from .tiebreak import _same


def close_pairs(
    result: AggregationResult,
    method: str | None = None,
    *,
    threshold: float | None = None,
    intervals: Bootstrap | None = None,
) -> tuple[ClosePair, ...]:
    """Return the adjacent pairs of a ranking that are too close to call.

    A pair is close when the scores differ by less than ``threshold`` (default: a tenth of
    the standard deviation of the method's team scores), or when ``intervals`` (a bootstrap
    of the same method) gives overlapping intervals.
    """
    method = result.method if method is None else method
    _check_method(method)
    ranking = [r for r in result.methods[method].ranking if r.score is not None]
    if threshold is None:
        values = [r.score for r in ranking]
        threshold = CLOSE_FRACTION * float(np.std(values)) if values else 0.0
    if intervals is not None and intervals.method != method:
        intervals = None
    pairs = []
    for upper, lower in zip(ranking, ranking[1:]):
        difference = upper.score - lower.score
        below = difference < threshold or _same(upper.score, lower.score)
        overlap = False
        if intervals is not None:
            a, b = intervals.teams[upper.team], intervals.teams[lower.team]
            if None not in (a.low, b.high):
                overlap = a.low <= b.high
        if below or overlap:
            pairs.append(ClosePair(upper.team, lower.team, difference, below, overlap))
    return tuple(pairs)
