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

from .closeness import close_pairs
from .constants import (
    CLOSE_FRACTION,
    MEAN,
    MEDIAN,
    METHODS,
    NORMALISED_METHODS,
    OFFSET_SCALE,
    SCALE_PRIOR_FLOOR,
    SCALE_PRIOR_WEIGHT,
    STEP_HEAD_TO_HEAD,
    STEP_JURY_VOTE,
    STEP_NORMALISED,
    STEP_TOP_CRITERION,
    TIE_TOLERANCE,
    ZSCORE,
)
from .inputs import AggregationError, Criterion, Score
from .resampling import bootstrap
from .results import (
    AggregationResult,
    Bootstrap,
    ClosePair,
    Component,
    Design,
    MethodResult,
    PairTotal,
    RankedTeam,
    TeamInterval,
    TieBreak,
    TieStep,
)
from .totals import aggregate, rank

__all__ = [
    "CLOSE_FRACTION",
    "MEAN",
    "MEDIAN",
    "METHODS",
    "NORMALISED_METHODS",
    "OFFSET_SCALE",
    "SCALE_PRIOR_FLOOR",
    "SCALE_PRIOR_WEIGHT",
    "STEP_HEAD_TO_HEAD",
    "STEP_JURY_VOTE",
    "STEP_NORMALISED",
    "STEP_TOP_CRITERION",
    "TIE_TOLERANCE",
    "ZSCORE",
    "AggregationError",
    "AggregationResult",
    "Bootstrap",
    "ClosePair",
    "Component",
    "Criterion",
    "Design",
    "MethodResult",
    "PairTotal",
    "RankedTeam",
    "Score",
    "TeamInterval",
    "TieBreak",
    "TieStep",
    "aggregate",
    "bootstrap",
    "close_pairs",
    "rank",
]
