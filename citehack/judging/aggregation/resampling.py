"""The juror bootstrap: per-team intervals and the chance of ranking first."""

from __future__ import annotations

import warnings

import numpy as np

from .constants import _CHUNK_CELLS, TIE_TOLERANCE
from .inputs import AggregationError, _check_method, _float_or_none
from .methods import _team_scores
from .results import AggregationResult, Bootstrap, TeamInterval


def bootstrap(
    result: AggregationResult,
    method: str | None = None,
    *,
    resamples: int = 1000,
    seed: int | None = 0,
    level: float = 0.9,
) -> Bootstrap:
    """Resample jurors with replacement and return per-team intervals and P(first).

    The interval is the central ``level`` percentile interval of the team's score over the
    resamples; the seed makes the draw reproducible.
    """
    method = result.method if method is None else method
    _check_method(method)
    if resamples < 1:
        raise AggregationError("the bootstrap needs at least one resample")
    if not 0 < level < 1:
        raise AggregationError("the interval level must lie between 0 and 1")
    x = result._data.totals
    n_jurors, n_teams = x.shape
    draws = np.random.default_rng(seed).integers(0, n_jurors, size=(resamples, n_jurors))
    chunk = max(1, _CHUNK_CELLS // (n_jurors * n_teams))
    scores = np.empty((resamples, n_teams))
    for start in range(0, resamples, chunk):
        rows = draws[start : start + chunk]
        scores[start : start + len(rows)] = _team_scores(x[rows], method)

    scored = ~np.isnan(scores)
    # A resample that scores no team at all (only unusable jurors drawn) has no first.
    counted = scored.any(axis=1)
    tail = (1 - level) / 2 * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows or columns
        best = np.nanmax(scores, axis=1, keepdims=True)
        low, high = np.nanpercentile(scores, [tail, 100 - tail], axis=0)
    first = scored & (scores >= best - TIE_TOLERANCE * np.maximum(1.0, np.abs(best)))
    shares = first[counted] / first[counted].sum(axis=1, keepdims=True)
    p_first = shares.sum(axis=0) / max(int(counted.sum()), 1)
    coverage = scored.mean(axis=0)
    teams = {
        team: TeamInterval(_float_or_none(low[i]), _float_or_none(high[i]), float(p_first[i]), float(coverage[i]))
        for i, team in enumerate(result.teams)
    }
    return Bootstrap(method, resamples, seed, level, teams)
