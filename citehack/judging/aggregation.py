"""Aggregate jury scores: weighted totals, raw and normalised team scores, uncertainty.

Plain data in (`Criterion`, `Score`, conflicts as ``(juror, team)`` pairs), plain data out
(`AggregationResult`); nothing here imports Django. Services adapt models to `aggregate`,
``citehack scores`` calls it on a spreadsheet export.

Choices, declared here because the jury relies on them:

Weighted total
    For one juror and one team, ``sum(w_c * s_c) / sum(w_c)`` over the counted criteria:
    a weighted mean, on the criteria's own scale (the weights carry importance only, so the
    criteria of a rubric should share one scale). Criteria marked "not counted" are
    validated and kept out of every total. A pair scored on only some counted criteria gets
    the weighted mean over the criteria scored (weights renormalised) and is listed in
    ``design.incomplete_pairs``; a pair scored on no counted criterion has no total.
Conflicts
    Scores given for a conflicted ``(juror, team)`` pair are dropped, never raised: the rule
    is that conflicts are excluded, and a score typed in before the conflict was declared must
    not block the results. They are listed in ``design.excluded_conflict_scores``.
Methods, shown side by side and never applied silently
    ``mean`` and ``median`` of the weighted totals across the jurors who scored the team.
    ``zscore``: each juror's totals standardised over the teams that juror scored (mean 0,
    population standard deviation 1), then averaged per team. A juror with fewer than two
    teams, or with equal totals for all of them, has no scale to standardise and is left out
    of this method (``design.jurors_too_few_teams``, ``design.jurors_zero_variance``).
    ``offset-scale``: the additive-multiplicative model ``x_jt = a_j + b_j * q_t`` fitted by
    alternating least squares. Identifiability: ``q`` has mean 0 and standard deviation 1
    over the teams, and ``b_j >= 0`` (a juror whose totals run against the consensus gets
    weight 0 rather than being read backwards; listed in ``design.warnings``). Each ``b_j``
    is shrunk, with the weight of one team (`SCALE_PRIOR_WEIGHT`), towards the SD of that
    juror's totals divided by the SD of ``q`` over the juror's teams (floored at 0.25):
    unpenalised, the fit degenerates on sparse designs, a scale growing without bound while
    teams collapse together. That target is the exact scale for noise-free data, so
    noise-free data are fitted exactly as long as each juror's teams spread over at least
    a quarter of the teams' SD of quality (always so in a complete design). A juror with one team or equal totals gets
    ``b_j = 0`` and carries no information. The team
    estimates ``q_t`` are the score. A team no usable juror scored has no score under a
    normalised method: it is listed last, with no rank.
Tie-break chain (declared before the pitches)
    Teams whose scores are equal (within a relative 1e-9) go through: the normalised score
    (``tiebreak_normalised``, z-score by default; it cannot separate anything when it is the
    ranking method itself), then head-to-head among common jurors (within the tied group,
    each pair is won by the team more common jurors scored higher, a draw counts one half,
    teams are ordered by points), then the mean raw score on the top-weighted counted
    criterion (first declared if several share the top weight), then "jury vote needed".
    Each subgroup still tied moves to the next step; every step is recorded.
Bootstrap
    Jurors are resampled with replacement, each keeping all of their totals (the juror is the
    unit: severity makes one juror's scores dependent), and the method, normalisation
    included, is refitted on every resample. A team no drawn juror scored has no score in
    that resample; its interval and chance of ranking first come from the other resamples
    (``coverage`` says how many). Teams tied for first share that resample equally, so the
    chances sum to 1 (whenever the method scores some team at all).
Closeness
    Adjacent teams in a ranking are flagged when their scores differ by less than a threshold
    (by default a tenth of the standard deviation of that method's team scores, so the same
    rule fits every method's unit) or when their bootstrap intervals overlap.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

MEAN = "mean"
MEDIAN = "median"
ZSCORE = "zscore"
OFFSET_SCALE = "offset-scale"
METHODS = (MEAN, MEDIAN, ZSCORE, OFFSET_SCALE)
NORMALISED_METHODS = (ZSCORE, OFFSET_SCALE)

STEP_NORMALISED = "normalised score"
STEP_HEAD_TO_HEAD = "head-to-head"
STEP_TOP_CRITERION = "top-weighted criterion"
STEP_JURY_VOTE = "jury vote needed"

TIE_TOLERANCE = 1e-9
# Offset-scale model: weight of the prior on each juror's scale, counted in teams (a juror
# with 20 teams barely feels it), and the floor on the spread of q it divides by.
SCALE_PRIOR_WEIGHT = 1.0
SCALE_PRIOR_FLOOR = 0.25
CLOSE_FRACTION = 0.1
# Arrays of resamples x jurors x teams are processed in chunks of about this many cells.
_CHUNK_CELLS = 2_000_000


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


# --- entry points -------------------------------------------------------------------


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


# --- methods, on arrays of resamples x jurors x teams (NaN where no total) ---------------


def _team_scores(x: np.ndarray, method: str) -> np.ndarray:
    if method == MEAN:
        return _nanmean(x, axis=1)
    if method == MEDIAN:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a team no drawn juror scored
            return np.nanmedian(x, axis=1)
    if method == ZSCORE:
        return _nanmean(_zscores(x), axis=1)
    # The bootstrap needs less precision than the point estimate: 1e-7 on a unit-SD scale.
    return _offset_scale(x, max_iter=1000, tol=1e-7)[0]


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    present = ~np.isnan(x)
    count = present.sum(axis=axis)
    total = np.where(present, x, 0.0).sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _juror_spread(x: np.ndarray):
    """Per juror: mask, number of teams, mean, deviations, population SD, usable."""
    present = ~np.isnan(x)
    n = present.sum(axis=2)
    mean = np.where(present, x, 0.0).sum(axis=2) / np.maximum(n, 1)
    deviation = np.where(present, x - mean[..., None], 0.0)
    sd = np.sqrt((deviation**2).sum(axis=2) / np.maximum(n, 1))
    # Zero variance relative to the values' size, so shifting or scaling a juror changes nothing.
    size = np.where(present, np.abs(x), 0.0).max(axis=2, initial=0.0)
    usable = (n >= 2) & (sd > TIE_TOLERANCE * size)
    return present, n, mean, deviation, sd, usable


def _zscores(x: np.ndarray) -> np.ndarray:
    present, _, _, deviation, sd, usable = _juror_spread(x)
    keep = present & usable[..., None]
    return np.where(keep, deviation / np.where(usable, sd, 1.0)[..., None], np.nan)


def _offset_scale(x: np.ndarray, *, max_iter: int, tol: float):
    """Fit x_jt = a_j + b_j q_t by alternating least squares; return q, a, b.

    Gauge: q has mean 0 and SD 1 over the teams that have an estimate; b >= 0. Resamples
    that have converged drop out of the loop, so a few slow ones cost little.
    """
    present, _, _, deviation, spread, usable = _juror_spread(x)
    weight = (present & usable[..., None]).astype(float)
    values = np.where(present, x, 0.0)
    team_present = weight.sum(axis=1) > 0
    # Start from the mean of juror-centred totals: right up to scale when the design is full.
    start = _nanmean(np.where(present, deviation, np.nan), axis=1)
    q = np.nan_to_num(_standardise(np.nan_to_num(start), team_present))
    active = np.arange(len(x))
    w, v, tp, sp = weight, values, team_present, spread
    for _ in range(max_iter):
        new_q = _update_teams(v, w, q[active], tp, sp)[0]
        change = np.abs(new_q - q[active]).max(axis=1)
        q[active] = new_q
        moving = change >= tol
        if not moving.any():
            break
        if moving.sum() <= len(active) // 2:
            active, w, v, tp, sp = active[moving], w[moving], v[moving], tp[moving], sp[moving]
    informed = _update_teams(values, weight, q, team_present, spread)[1]
    q = _standardise(np.where(informed, q, np.nan), informed)
    a, b = _fit_jurors(values, weight * informed[:, None, :], np.nan_to_num(q), spread)
    return q, a, b


def _update_teams(values, weight, q, team_present, spread):
    """One ALS sweep: jurors' lines given q, then q given the lines, standardised."""
    a, b = _fit_jurors(values, weight, q, spread)
    denominator = (weight * b[..., None] ** 2).sum(axis=1)
    numerator = (weight * b[..., None] * (values - a[..., None])).sum(axis=1)
    informed = denominator > 1e-12
    raw = np.where(informed, numerator / np.where(informed, denominator, 1.0), 0.0)
    return np.nan_to_num(_standardise(raw, team_present)), informed


def _fit_jurors(values: np.ndarray, weight: np.ndarray, q: np.ndarray, spread: np.ndarray):
    """Each juror's a_j, b_j given q: least squares, b_j shrunk towards a target scale.

    Unpenalised, the model is degenerate on sparse designs: a juror's scale grows without
    bound while the teams that juror tells apart collapse together. The penalty
    SCALE_PRIOR_WEIGHT * (b_j - target_j)^2 stops that. The target, the SD of the juror's
    totals over the SD of q on the juror's teams (floored at SCALE_PRIOR_FLOOR), is the
    exact scale when the data are noise-free, so an exact fit stays a fixed point.
    """
    n = np.maximum(weight.sum(axis=2), 1.0)
    q_mean = (weight * q[:, None, :]).sum(axis=2) / n
    x_mean = (weight * values).sum(axis=2) / n
    dq = weight * (q[:, None, :] - q_mean[..., None])
    variance = (dq**2).sum(axis=2)
    covariance = (dq * (values - x_mean[..., None])).sum(axis=2)
    target = spread / np.maximum(np.sqrt(variance / n), SCALE_PRIOR_FLOOR)
    b = (covariance + SCALE_PRIOR_WEIGHT * target) / (variance + SCALE_PRIOR_WEIGHT)
    b = np.where(weight.any(axis=2), np.maximum(b, 0.0), 0.0)
    return x_mean - b * q_mean, b


def _standardise(q: np.ndarray, present: np.ndarray) -> np.ndarray:
    count = np.maximum(present.sum(axis=1, keepdims=True), 1)
    mean = np.where(present, q, 0.0).sum(axis=1, keepdims=True) / count
    centred = np.where(present, q - mean, np.nan)
    sd = np.sqrt((np.where(present, centred, 0.0) ** 2).sum(axis=1, keepdims=True) / count)
    return np.where(sd > 1e-12, centred / np.where(sd > 1e-12, sd, 1.0), centred)


# --- ranking and the tie-break chain ------------------------------------------------


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= TIE_TOLERANCE * max(1.0, abs(a), abs(b))


def _split(teams, values: Mapping[str, float | None]) -> tuple[tuple[str, ...], ...]:
    """Group teams by value, best first; a missing value keeps the group together."""
    if any(values.get(t) is None for t in teams):
        return (tuple(sorted(teams)),)
    ordered = sorted(teams, key=lambda t: (-values[t], t))
    groups = [[ordered[0]]]
    for team in ordered[1:]:
        if _same(values[groups[-1][0]], values[team]):
            groups[-1].append(team)
        else:
            groups.append([team])
    return tuple(tuple(sorted(g)) for g in groups)


def _head_to_head(group, data: _Data) -> dict[str, float]:
    columns = {t: data.totals[:, data.teams.index(t)] for t in group}
    points = dict.fromkeys(group, 0.0)
    for i, s in enumerate(group):
        for t in group[i + 1 :]:
            xs, xt = columns[s], columns[t]
            common = ~np.isnan(xs) & ~np.isnan(xt)
            tol = TIE_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(xs), np.abs(xt)))
            prefer_s = int((common & (xs - xt > tol)).sum())
            prefer_t = int((common & (xt - xs > tol)).sum())
            if prefer_s > prefer_t:
                points[s] += 1
            elif prefer_t > prefer_s:
                points[t] += 1
            else:
                points[s] += 0.5
                points[t] += 0.5
    return points


def _rank_with_tiebreak(method, scores_by_method, tiebreak_normalised, data):
    scores = scores_by_method[method]
    rankable = [t for t in data.teams if scores[t] is not None]
    unrankable = sorted(t for t in data.teams if scores[t] is None)
    steps = (
        (STEP_NORMALISED, lambda group: scores_by_method[tiebreak_normalised]),
        (STEP_HEAD_TO_HEAD, lambda group: _head_to_head(group, data)),
        (STEP_TOP_CRITERION, lambda group: data.top_criterion_means),
    )
    ordered: list[tuple[tuple[str, ...], str | None]] = []  # (final group, resolved_by)
    ties = []
    for group in _split(rankable, scores) if rankable else ():
        if len(group) == 1:
            ordered.append((group, None))
            continue
        recorded: list[TieStep] = []
        parts = _break_tie(group, steps, recorded)
        ties.append(TieBreak(group, tuple(recorded), all(by != STEP_JURY_VOTE for _, by in parts)))
        ordered += parts
    ranking = []
    position = 1
    for part, resolved_by in ordered:
        for team in part:
            ranking.append(RankedTeam(team, scores[team], position, resolved_by is not None, resolved_by))
        position += len(part)
    ranking += [RankedTeam(t, None, None) for t in unrankable]
    return tuple(ranking), tuple(ties)


def _break_tie(group, steps, recorded: list[TieStep]) -> list[tuple[tuple[str, ...], str]]:
    """Apply the first step to a tied group, the remaining steps to what stays tied."""
    if not steps:
        return [(group, STEP_JURY_VOTE)]
    (step, values_for), rest = steps[0], steps[1:]
    values = values_for(group)
    split = _split(group, values)
    recorded.append(TieStep(step, group, {t: values.get(t) for t in group}, split))
    parts = []
    for part in split:
        parts += [(part, step)] if len(part) == 1 else _break_tie(part, rest, recorded)
    return parts


# --- design diagnostics ----------------------------------------------------------


def _design(x, jurors, teams, totals, conflicts, incomplete, excluded, unscored, methods) -> Design:
    missing = tuple(
        (j, t, "conflict" if (j, t) in conflicts else "not scored")
        for j in jurors
        for t in teams
        if (j, t) not in totals
    )
    components = _components(jurors, teams, totals)
    _, n, _, _, _, usable = _juror_spread(x[None])
    n, usable = n[0], usable[0]
    too_few = tuple(j for j, k in zip(jurors, n) if k < 2)
    zero_variance = tuple(j for j, k, u in zip(jurors, n, usable) if k >= 2 and not u)
    notes = []
    if len(components) > 1:
        notes.append(
            f"the juror-team design falls into {len(components)} separate groups: normalised "
            "scores are not comparable across groups"
        )
    if too_few:
        notes.append(f"left out of the normalised scores (fewer than 2 teams): {', '.join(too_few)}")
    if zero_variance:
        notes.append(f"left out of the normalised scores (same total for every team): {', '.join(zero_variance)}")
    scales = methods[OFFSET_SCALE].juror_scales
    against = [j for j, k, u in zip(jurors, n, usable) if k >= 3 and u and scales[j] == 0]
    if against:
        notes.append(f"totals run against the consensus, weight 0 in the offset-scale model: {', '.join(against)}")
    for m in NORMALISED_METHODS:
        lost = [t for t, v in methods[m].scores.items() if v is None]
        if lost:
            notes.append(f"no score under {m} (no usable juror): {', '.join(lost)}")
    if unscored:
        notes.append(f"teams without any counted score: {', '.join(unscored)}")
    if excluded:
        pairs = sorted({(s.juror, s.team) for s in excluded})
        notes.append("scores excluded for conflicts: " + ", ".join(f"{j}/{t}" for j, t in pairs))
    return Design(
        complete=not missing and not incomplete,
        missing_pairs=missing,
        incomplete_pairs=tuple(incomplete),
        connected=len(components) == 1,
        components=components,
        excluded_conflict_scores=tuple(excluded),
        jurors_too_few_teams=too_few,
        jurors_zero_variance=zero_variance,
        unscored_teams=unscored,
        warnings=tuple(notes),
    )


def _components(jurors, teams, totals) -> tuple[Component, ...]:
    """Connected components of the bipartite juror-team graph, largest first."""
    parent = {("j", j): ("j", j) for j in jurors} | {("t", t): ("t", t) for t in teams}

    def find(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for juror, team in totals:
        parent[find(("j", juror))] = find(("t", team))
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    components = [
        Component(
            tuple(sorted(name for kind, name in nodes if kind == "j")),
            tuple(sorted(name for kind, name in nodes if kind == "t")),
        )
        for nodes in groups.values()
    ]
    return tuple(sorted(components, key=lambda c: (-len(c.teams) - len(c.jurors), c.teams)))
