"""The entry points: weighted totals, every method's scores and rankings, and rank."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from .closeness import close_pairs
from .constants import MEAN, MEDIAN, METHODS, NORMALISED_METHODS, OFFSET_SCALE, ZSCORE
from .design import _design
from .inputs import (
    AggregationError,
    Criterion,
    Score,
    _check_method,
    _float_or_none,
    _validate_criteria,
    _validate_scores,
)
from .methods import _team_scores
from .offset_scale import _offset_scale
from .resampling import bootstrap
from .results import AggregationResult, MethodResult, PairTotal, RankedTeam, _Data
from .tiebreak import _rank_with_tiebreak


def aggregate(
    criteria: Iterable[Criterion],
    scores: Iterable[Score],
    conflicts: Iterable[tuple[str, str]] = (),
    *,
    teams: Iterable[str] | None = None,
    method: str = MEAN,
    tiebreak_normalised: str = ZSCORE,
    bootstrap_resamples: int = 0,
    seed: int | None = 0,
    level: float = 0.9,
    close_threshold: float | None = None,
) -> AggregationResult:
    """Validate the scores and compute every method's team scores and ranking.

    ``method`` picks the ranking the result leads with (``result.ranking``), the one
    bootstrapped when ``bootstrap_resamples`` > 0, and the one checked for close pairs; all
    methods are computed and kept side by side in ``result.methods``. ``teams``, when given,
    lists every team expected, so a team nobody scored is reported rather than forgotten.
    Raise `AggregationError` on invalid input.
    """
    _check_method(method)
    _check_method(tiebreak_normalised)
    if tiebreak_normalised not in NORMALISED_METHODS:
        raise AggregationError(f"the tie-break needs a normalised method, not {tiebreak_normalised!r}")
    criteria = tuple(criteria)
    by_id = _validate_criteria(criteria)
    expected_teams = None if teams is None else set(teams)
    conflicts = {tuple(pair) for pair in conflicts}
    kept, excluded = _validate_scores(scores, by_id, conflicts, expected_teams)

    counted = [c for c in criteria if c.counted]
    per_pair: dict[tuple[str, str], dict[str, float]] = {}
    for score in kept:
        per_pair.setdefault((score.juror, score.team), {})[score.criterion] = score.value
    totals: dict[tuple[str, str], PairTotal] = {}
    incomplete = []
    for (juror, team), values in sorted(per_pair.items()):
        scored = [c for c in counted if c.id in values]
        missing = tuple(c.id for c in counted if c.id not in values)
        if missing:
            incomplete.append((juror, team, missing))
        if scored:
            weight = sum(c.weight for c in scored)
            value = sum(c.weight * values[c.id] for c in scored) / weight
            totals[juror, team] = PairTotal(juror, team, value, missing)
    if not totals:
        raise AggregationError("no score on a counted criterion")

    jurors = tuple(sorted({j for j, _ in totals}))
    ranked_teams = tuple(sorted({t for _, t in totals}))
    seen_teams = {s.team for s in kept} | {s.team for s in excluded} | (expected_teams or set())
    unscored = tuple(sorted(seen_teams - set(ranked_teams)))
    x = np.full((len(jurors), len(ranked_teams)), np.nan)
    juror_index = {j: i for i, j in enumerate(jurors)}
    team_index = {t: i for i, t in enumerate(ranked_teams)}
    for (juror, team), total in totals.items():
        x[juror_index[juror], team_index[team]] = total.value

    top = max(counted, key=lambda c: c.weight)  # max keeps the first of equal weights
    top_values: dict[str, list[float]] = {}
    for score in kept:
        if score.criterion == top.id:
            top_values.setdefault(score.team, []).append(score.value)
    top_means = {t: (sum(v) / len(v) if (v := top_values.get(t)) else None) for t in ranked_teams}
    data = _Data(jurors, ranked_teams, x, top.id, top_means)

    arrays = {m: _team_scores(x[None], m)[0] for m in (MEAN, MEDIAN, ZSCORE)}
    quality, offsets, scales = _offset_scale(x[None], max_iter=5000, tol=1e-10)
    arrays[OFFSET_SCALE] = quality[0]
    scores_by_method = {m: {t: _float_or_none(v) for t, v in zip(ranked_teams, arrays[m])} for m in METHODS}
    methods = {}
    for m in METHODS:
        ranking, ties = _rank_with_tiebreak(m, scores_by_method, tiebreak_normalised, data)
        extra = {}
        if m == OFFSET_SCALE:
            extra = {
                "juror_offsets": dict(zip(jurors, map(float, offsets[0]))),
                "juror_scales": dict(zip(jurors, map(float, scales[0]))),
            }
        methods[m] = MethodResult(m, scores_by_method[m], ranking, ties, **extra)

    design = _design(
        x, jurors, ranked_teams, totals, conflicts, incomplete, excluded, unscored, methods
    )
    result = AggregationResult(
        method=method,
        criteria=criteria,
        jurors=jurors,
        teams=ranked_teams,
        totals=totals,
        methods=methods,
        design=design,
        tiebreak_normalised=tiebreak_normalised,
        _data=data,
    )
    boot = None
    if bootstrap_resamples:
        boot = bootstrap(result, method, resamples=bootstrap_resamples, seed=seed, level=level)
    close = close_pairs(result, method, threshold=close_threshold, intervals=boot)
    return replace(result, bootstrap=boot, close_pairs=close)


def rank(result: AggregationResult, method: str | None = None) -> tuple[RankedTeam, ...]:
    """Return the teams best first under ``method``, ties marked and broken by the chain.

    Teams still tied after the chain share a rank and carry ``resolved_by=STEP_JURY_VOTE``;
    teams the method cannot score come last with ``rank=None``.
    """
    method = result.method if method is None else method
    _check_method(method)
    return result.methods[method].ranking
