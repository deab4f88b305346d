"""Choose k challenges out of m from aggregated, weighted ballots.

Plain data in, plain data out; nothing here imports Django. A profile is a list of
``(ballot, weight)`` pairs, the weight being the number of identical ballots (a positive
integer), so one GROUP BY in the database feeds the rules and their cost does not grow
with the number of voters.

Ballots
    approval: a ``set`` or ``frozenset`` of candidate identifiers (may be empty: the
    ballot counts but approves nobody).
    ranking: a ``tuple`` or ``list`` of identifiers, best first, or a mapping identifier ->
    rank (1 = first). Rankings may be truncated; unranked candidates come after every
    ranked one. Equal ranks are accepted by ``schulze`` (the pairwise counts handle them)
    and refused by ``stv`` (Scottish STV ballots cannot hold them).

Rules (identifiers follow the reference implementations they are checked against)
    ``av``, ``seqphragmen``, ``equal-shares``: abcvoting 2.x, resolute, same definitions;
    ``equal-shares`` is abcvoting's default, completed by sequential Phragmén started from
    the loads left by Equal Shares (load = minus the budget left per unit of weight).
    When no remaining candidate has any approval, Phragmén cannot choose (abcvoting gives
    them all the same, worst load): the last seats go to them in seeded order, recorded
    as a tie when there are more of them than seats. So k <= m always gives k winners.
    ``schulze``: the k best of the Schulze ranking (margins, as pref_voting's Beat Path).
    ``stv``: Scottish STV (SSI 2007/42) as pref_voting's ``stv_scottish`` counts it.

Ties are detected exactly (integers and fractions, never floats) at every decision and
broken by ``tie_break_order(seed, candidates)``, a random order derived from a seed whose
hash ``seed_commitment(seed)`` is published before the vote opens: earlier in the order
is favoured (chosen when electing, kept when excluding). Every broken tie is returned in
``TallyResult.ties``. Under ``av`` and ``schulze`` only a tie at the cut decides anything;
winners certain to win are listed in count or ranking order, then in seeded order.

Blank ballots are counted in ``ballots``. Under Equal Shares they hold a share of the
budget they never spend, as in abcvoting; under STV they are void and left out of the
quota (pref_voting counts them in it).
"""

from .count import tally
from .result import DEFAULT_SEED, RULES, VERSION, RuleInfo, TallyError, TallyResult
from .ties import HISTORY, SEEDED, seed_commitment, tie_break_order

__all__ = [
    "DEFAULT_SEED",
    "HISTORY",
    "RULES",
    "SEEDED",
    "VERSION",
    "RuleInfo",
    "TallyError",
    "TallyResult",
    "seed_commitment",
    "tally",
    "tie_break_order",
]
