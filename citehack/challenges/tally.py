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

from __future__ import annotations

import hashlib
import numbers
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

VERSION = "1.0"
DEFAULT_SEED = ""

SEEDED = "seeded order"
HISTORY = "totals at an earlier stage"


class TallyError(ValueError):
    """The rule, the seats or the ballots cannot be tallied."""


@dataclass(frozen=True)
class RuleInfo:
    name: str
    ballot: str  # "approval" or "ranking"
    explanation: str
    version: str = VERSION


RULES: dict[str, RuleInfo] = {
    "av": RuleInfo(
        name="Approval voting",
        ballot="approval",
        explanation=(
            "The k challenges with the most approvals are chosen. Simple, but a majority "
            "can take every seat."
        ),
    ),
    "seqphragmen": RuleInfo(
        name="Sequential Phragmén",
        ballot="approval",
        explanation=(
            "Challenges are chosen one at a time. Each chosen challenge puts one unit of "
            "load on its supporters, shared so that their loads are as equal as possible; "
            "the next challenge is the one whose supporters would end with the smallest "
            "maximum load. A group of voters gets seats in proportion to its size."
        ),
    ),
    "equal-shares": RuleInfo(
        name="Method of Equal Shares (with Phragmén completion)",
        ballot="approval",
        explanation=(
            "Every voter receives an equal share of a budget that pays for k challenges. "
            "A challenge is bought when its supporters can pay its price together; the next "
            "one bought is the one where the most any supporter has to pay is smallest. "
            "When no remaining challenge is affordable, the remaining seats are filled by "
            "sequential Phragmén, starting from what each voter has left."
        ),
    ),
    "schulze": RuleInfo(
        name="Schulze",
        ballot="ranking",
        explanation=(
            "Every pair of challenges is compared: how many voters rank one above the "
            "other. A challenge beats another if its strongest chain of pairwise wins to it "
            "is stronger than the strongest chain back. The k best of the resulting ranking "
            "are chosen."
        ),
    ),
    "stv": RuleInfo(
        name="Single transferable vote (Scottish rules)",
        ballot="ranking",
        explanation=(
            "Each ballot counts for its highest-ranked challenge still in the count. A "
            "challenge reaching the quota is chosen and the votes it does not need move on "
            "to the next preferences; when none reaches it, the challenge with the fewest "
            "votes is excluded and its ballots move on."
        ),
    ),
}


def seed_commitment(seed: str) -> str:
    """Return the SHA-256 hex digest of the seed, to publish before the vote opens."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def tie_break_order(seed: str, candidates: Sequence[Hashable]) -> list:
    """Return the candidates in tie-break priority, first = favoured.

    The order sorts candidates by sha256(seed + ":" + str(candidate)): anyone can
    recompute it once the seed is revealed, and nobody could aim for it beforehand.
    """

    def key(candidate):
        return hashlib.sha256(f"{seed}:{candidate}".encode()).hexdigest()

    return sorted(candidates, key=lambda c: (key(c), str(c)))


@dataclass(frozen=True)
class TallyResult:
    rule: str
    version: str
    seats: int
    candidates: list
    winners: list  # identifiers, in order of selection
    ballots: int  # total weight counted, blank ballots included
    counts: dict  # approvals, or first preferences, per candidate
    ties: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    seed: str = DEFAULT_SEED
    seed_hash: str = ""

    def to_dict(self) -> dict:
        """Return the result as JSON-ready data (fractions become floats)."""
        return _plain(
            {
                "rule": self.rule,
                "version": self.version,
                "seats": self.seats,
                "candidates": self.candidates,
                "winners": self.winners,
                "ballots": self.ballots,
                "counts": self.counts,
                "ties": self.ties,
                "details": self.details,
                "seed": self.seed,
                "seed_hash": self.seed_hash,
            }
        )


def _plain(value):
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def tally(
    rule: str,
    candidates: Sequence[Hashable],
    ballots: Iterable[tuple[object, int]],
    seats: int,
    *,
    seed: str = DEFAULT_SEED,
    ballot_kind: str | None = None,
) -> TallyResult:
    """Elect ``seats`` of ``candidates`` with ``rule`` on weighted ballots.

    ``ballots`` holds ``(ballot, weight)`` pairs; identical ballots may be repeated or
    aggregated, the result is the same. ``ballot_kind``, when given, must match the rule.
    When 1 <= seats <= len(candidates) the winners are exactly ``seats`` distinct
    candidates. Raise TallyError on any invalid input.
    """
    info = RULES.get(rule)
    if info is None:
        raise TallyError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if ballot_kind is not None and ballot_kind != info.ballot:
        raise TallyError(f"rule {rule!r} takes {info.ballot} ballots, not {ballot_kind} ballots")
    if not isinstance(seed, str):
        raise TallyError("the seed must be a string")
    candidates = list(candidates)
    _check_candidates(candidates)
    if isinstance(seats, bool) or not isinstance(seats, numbers.Integral):
        raise TallyError("the number of seats must be an integer")
    seats = int(seats)
    if not 1 <= seats <= len(candidates):
        raise TallyError(
            f"seats must be between 1 and {len(candidates)} (the number of candidates), got {seats}"
        )

    index = {c: i for i, c in enumerate(candidates)}
    if info.ballot == "approval":
        profile = _approval_profile(ballots, index)
    else:
        profile = _ranking_profile(ballots, index, allow_equal_ranks=rule != "stv")
    if not profile:
        raise TallyError("there are no ballots")

    order = tie_break_order(seed, candidates)
    ties = _Ties(candidates, [index[c] for c in order])
    m = len(candidates)
    if rule == "av":
        winners, counts, details = _approval_voting(profile, m, seats, ties)
    elif rule == "seqphragmen":
        winners, counts, details = _sequential_phragmen(profile, m, seats, ties)
    elif rule == "equal-shares":
        winners, counts, details = _equal_shares(profile, m, seats, ties)
    elif rule == "schulze":
        winners, counts, details = _schulze(profile, m, seats, ties)
    else:
        winners, counts, details = _scottish_stv(profile, m, seats, ties)
    assert len(set(winners)) == seats, "a rule returned the wrong number of winners"

    details["tie_break_order"] = order
    return TallyResult(
        rule=rule,
        version=info.version,
        seats=seats,
        candidates=candidates,
        winners=[candidates[c] for c in winners],
        ballots=sum(profile.values()),
        counts={candidates[c]: counts[c] for c in range(m)},
        ties=ties.records,
        details=ties.name(details),
        seed=seed,
        seed_hash=seed_commitment(seed),
    )


# -- input ------------------------------------------------------------------------------


def _check_candidates(candidates):
    if not candidates:
        raise TallyError("there are no candidates")
    seen = set()
    for c in candidates:
        if isinstance(c, bool) or not isinstance(c, (str, int)):
            raise TallyError(f"candidate identifiers must be strings or integers, got {c!r}")
        if c == "":
            raise TallyError("a candidate identifier is empty")
        # The tie-break order hashes str(c): two identifiers must not share it.
        if str(c) in seen:
            raise TallyError(f"candidate {c!r} is listed twice")
        seen.add(str(c))


def _weight(weight):
    if isinstance(weight, bool) or not isinstance(weight, numbers.Integral):
        raise TallyError(f"a ballot weight must be a positive integer, got {weight!r}")
    if weight <= 0:
        raise TallyError(f"a ballot weight must be a positive integer, got {weight}")
    return int(weight)


def _pairs(ballots):
    for item in ballots:
        if not isinstance(item, tuple) or len(item) != 2:
            raise TallyError(f"each ballot must be a (ballot, weight) pair, got {item!r}")
        yield item[0], _weight(item[1])


def _candidate(index, c):
    try:
        return index[c]
    except (KeyError, TypeError):
        raise TallyError(f"unknown candidate {c!r} in a ballot") from None


def _approval_profile(ballots, index) -> dict[frozenset, int]:
    profile: dict[frozenset, int] = defaultdict(int)
    for ballot, weight in _pairs(ballots):
        if not isinstance(ballot, (set, frozenset)):
            raise TallyError(
                f"an approval ballot must be a set of candidates, got {type(ballot).__name__}"
                " (rankings go to schulze or stv)"
            )
        profile[frozenset(_candidate(index, c) for c in ballot)] += weight
    return dict(profile)


def _ranking_profile(ballots, index, *, allow_equal_ranks) -> dict[tuple, int]:
    """Aggregate rankings as tuples of tiers (tuples of candidate indices), best first."""
    profile: dict[tuple, int] = defaultdict(int)
    for ballot, weight in _pairs(ballots):
        if isinstance(ballot, Mapping):
            by_rank = defaultdict(list)
            for c, rank in ballot.items():
                if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or rank < 1:
                    raise TallyError(f"rank of {c!r} must be a positive integer, got {rank!r}")
                by_rank[int(rank)].append(_candidate(index, c))
            tiers = tuple(tuple(sorted(by_rank[r])) for r in sorted(by_rank))
        elif isinstance(ballot, (tuple, list)):
            tiers = tuple((_candidate(index, c),) for c in ballot)
            if len(set(tiers)) != len(tiers):
                raise TallyError(f"a ranking lists a candidate twice: {ballot!r}")
        else:
            raise TallyError(
                f"a ranking must be a tuple of candidates or a mapping candidate -> rank, got "
                f"{type(ballot).__name__} (sets of candidates go to av, seqphragmen or equal-shares)"
            )
        if not allow_equal_ranks and any(len(t) > 1 for t in tiers):
            raise TallyError("stv does not accept equal ranks on a ballot")
        profile[tiers] += weight
    return dict(profile)


# -- ties -------------------------------------------------------------------------------


class _Ties:
    """Seeded tie-breaking and the record of every tie broken."""

    def __init__(self, candidates, order):
        self.candidates = candidates
        self.priority = {c: position for position, c in enumerate(order)}
        self.records: list[dict] = []

    def favoured(self, tied):
        return sorted(tied, key=self.priority.__getitem__)

    def record(self, *, stage, round, tied, chosen, how=SEEDED, value=None):
        entry = {
            "stage": stage,
            "round": round,
            "tied": [self.candidates[c] for c in sorted(tied)],
            "chosen": [self.candidates[c] for c in chosen],
            "how": how,
        }
        if value is not None:
            entry["value"] = value
        self.records.append(entry)

    def pick(self, tied, *, stage, round, value=None):
        """Return the favoured of the tied candidates, recording the tie if there is one."""
        chosen = self.favoured(tied)[0]
        if len(tied) > 1:
            self.record(stage=stage, round=round, tied=tied, chosen=[chosen], value=value)
        return chosen

    def name(self, details):
        """Replace candidate indices, kept in details as _Index, by identifiers."""
        if isinstance(details, _Index):
            return self.candidates[details]
        if isinstance(details, dict):
            return {self.name(k): self.name(v) for k, v in details.items()}
        if isinstance(details, list):
            return [self.name(v) for v in details]
        return details


class _Index(int):
    """A candidate index inside details, to be replaced by the candidate's identifier."""


def _names(cs):
    return [_Index(c) for c in cs]


# -- approval rules ---------------------------------------------------------------------


def _approval_arrays(profile, m):
    ballots = list(profile)
    approvals = np.zeros((len(ballots), m), dtype=bool)
    for row, ballot in enumerate(ballots):
        approvals[row, list(ballot)] = True
    total = sum(profile.values())
    # Sums of weights stay exact in int64 below 2**62; past that, Python integers.
    dtype = np.int64 if total < 2**62 else object
    weights = np.array([profile[b] for b in ballots], dtype=dtype)
    return approvals, weights, total


def _approval_counts(profile, m):
    counts = [0] * m
    for ballot, weight in profile.items():
        for c in ballot:
            counts[c] += weight
    return counts


def _approval_voting(profile, m, seats, ties):
    counts = _approval_counts(profile, m)
    order = sorted(range(m), key=lambda c: (-counts[c], ties.priority[c]))
    cut = counts[order[seats - 1]]
    above = [c for c in order if counts[c] > cut]
    level = [c for c in order if counts[c] == cut]
    needed = seats - len(above)
    if len(level) > needed:
        ties.record(
            stage="approval count at the cut", round=1, tied=level, chosen=level[:needed], value=cut
        )
    winners = above + level[:needed]
    return winners, counts, {"ranking": _names(order)}


class _Groups:
    """Ballots grouped by one exact number per unit of weight (a budget or a load).

    Under Equal Shares and sequential Phragmén that number depends only on which elected
    candidates a ballot approves; groups with equal numbers are merged, so each round costs
    a few exact operations per group and candidate however many ballots there are.
    """

    def __init__(self, approvals, weights, value):
        self._approvals = approvals
        self._weights = weights
        self._weighted = approvals.astype(weights.dtype) * weights[:, None]
        self.group = np.zeros(len(weights), dtype=np.intp)
        self.values = [value]
        self._recount()

    def _recount(self):
        order = np.argsort(self.group, kind="stable")
        grouped = self.group[order]
        starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
        self.support = np.add.reduceat(self._weighted[order], starts, axis=0).tolist()
        self.weight = np.add.reduceat(self._weights[order], starts).tolist()

    def approvers(self, c):
        """Return (value, weight approving c) for each group holding approvers of c."""
        return [(self.values[g], row[c]) for g, row in enumerate(self.support) if row[c]]

    def total(self):
        return sum(v * w for v, w in zip(self.values, self.weight))

    def update(self, c, new_value):
        """Set each ballot's value to new_value(value, approves c)."""
        key = self.group * 2 + self._approvals[:, c]
        uniq, inverse = np.unique(key, return_inverse=True)
        merged: dict = {}
        remap = np.empty(len(uniq), dtype=np.intp)
        for i, k in enumerate(uniq.tolist()):
            remap[i] = merged.setdefault(new_value(self.values[k >> 1], bool(k & 1)), len(merged))
        self.values = list(merged)
        self.group = remap[inverse.reshape(-1)]
        self._recount()


def _sequential_phragmen(profile, m, seats, ties):
    approvals, weights, total = _approval_arrays(profile, m)
    rounds: list[dict] = []
    committee: list[int] = []
    _phragmen(_Groups(approvals, weights, 0), committee, seats, total, ties, rounds, "phragmen")
    return committee, _approval_counts(profile, m), {"rounds": rounds}


def _phragmen(groups, committee, seats, cost, ties, rounds, phase):
    """Fill the committee by sequential Phragmén from the loads held in groups.

    Money is scaled so that a seat costs ``cost`` (the total weight); loads are per unit of
    weight. Candidates nobody approves cannot be reached by Phragmén: they come last, in
    seeded order (abcvoting gives them an equal, maximal load, so this is its tie).
    """
    remaining = [c for c in range(len(groups.support[0])) if c not in committee]
    while len(committee) < seats:
        loads = {}
        for c in remaining:
            approvers = groups.approvers(c)
            if approvers:
                support = sum(w for _, w in approvers)
                loads[c] = Fraction(sum(v * w for v, w in approvers) + cost, support)
        step = len(committee) + 1
        if not loads:
            rest = ties.favoured(remaining)[: seats - len(committee)]
            if len(remaining) > len(rest):
                ties.record(stage="fill: no approvals left", round=step, tied=remaining, chosen=rest)
            for c in rest:
                committee.append(c)
                rounds.append({"round": len(committee), "phase": "fill", "elected": _Index(c)})
            return
        best = min(loads.values())
        tied = [c for c in remaining if loads.get(c) == best]
        chosen = ties.pick(tied, stage=phase, round=step, value=best / cost)
        groups.update(chosen, lambda v, approves: best if approves else v)
        committee.append(chosen)
        remaining.remove(chosen)
        rounds.append(
            {"round": step, "phase": phase, "elected": _Index(chosen), "max_load": best / cost}
        )


def _mes_price(approvers, cost):
    """Return the smallest q with sum(min(budget, q) * weight) == cost, or None.

    ``approvers`` holds (budget per unit of weight, weight) pairs; supporters whose budget
    is below q pay all they have, the others pay q per unit of weight.
    """
    approvers = sorted(approvers)
    if sum(b * w for b, w in approvers) < cost:
        return None
    spent = 0
    rich = sum(w for _, w in approvers)
    for budget, weight in approvers:
        price = Fraction(cost - spent, rich)
        if budget >= price:
            return price
        spent += budget * weight
        rich -= weight
    raise AssertionError("an affordable candidate has no price")  # pragma: no cover


def _equal_shares(profile, m, seats, ties):
    approvals, weights, total = _approval_arrays(profile, m)
    # Scaled money: a seat costs the total weight, each unit of weight starts with `seats`.
    groups = _Groups(approvals, weights, seats)
    committee: list[int] = []
    rounds: list[dict] = []
    while len(committee) < seats:
        prices = {}
        for c in range(m):
            if c not in committee:
                approvers = groups.approvers(c)
                if approvers:
                    q = _mes_price(approvers, total)
                    if q is not None:
                        prices[c] = q
        if not prices:
            break
        best = min(prices.values())
        tied = [c for c in prices if prices[c] == best]
        step = len(committee) + 1
        chosen = ties.pick(tied, stage="equal shares", round=step, value=Fraction(best, total))

        def pay(budget, approves, price=best):
            return budget - min(budget, price) if approves else budget

        groups.update(chosen, pay)
        committee.append(chosen)
        rounds.append(
            {
                "round": step,
                "phase": "equal shares",
                "elected": _Index(chosen),
                # abcvoting's units: a challenge costs 1, each ballot starts with seats / ballots.
                "price_per_voter": Fraction(best, total),
                "budget_left": Fraction(groups.total(), total),
            }
        )
    completed = len(committee) < seats
    if completed:
        # abcvoting's completion: sequential Phragmén from load = -(budget left).
        groups.values = [-budget for budget in groups.values]
        _phragmen(groups, committee, seats, total, ties, rounds, "phragmen completion")
    details = {"rounds": rounds, "completed_by_phragmen": completed}
    return committee, _approval_counts(profile, m), details


# -- ranking rules ----------------------------------------------------------------------


def _first_preferences(profile, m):
    counts = [0] * m
    for tiers, weight in profile.items():
        for c in tiers[0] if tiers else ():
            counts[c] += weight
    return counts


def _schulze(profile, m, seats, ties):
    rankings = list(profile)
    total = sum(profile.values())
    dtype = np.int64 if total < 2**62 else object
    weights = np.array([profile[r] for r in rankings], dtype=dtype)
    position = np.full((len(rankings), m), m, dtype=np.intp)  # unranked: below every rank
    for row, tiers in enumerate(rankings):
        for level, tier in enumerate(tiers):
            position[row, list(tier)] = level
    pairwise = [
        ((position[:, [a]] < position).astype(dtype) * weights[:, None]).sum(axis=0).tolist()
        for a in range(m)
    ]
    # Link strength is the margin of a pairwise win (pref_voting's Beat Path); 0 = no link.
    paths = [[max(pairwise[a][b] - pairwise[b][a], 0) for b in range(m)] for a in range(m)]
    for i in range(m):
        for j in range(m):
            if j != i:
                for k in range(m):
                    if k != i and k != j:
                        paths[j][k] = max(paths[j][k], min(paths[j][i], paths[i][k]))

    # The relation "a beats b" is a strict partial order (Schulze 2011), so the candidates
    # nobody left beats form the next level of the ranking.
    remaining = set(range(m))
    levels = []
    while remaining:
        level = [a for a in sorted(remaining) if not any(paths[b][a] > paths[a][b] for b in remaining)]
        if not level:  # pragma: no cover - impossible for a transitive relation
            raise AssertionError("the Schulze relation has a cycle")
        levels.append(level)
        remaining -= set(level)
    winners: list[int] = []
    for position_, level in enumerate(levels, start=1):
        if len(winners) == seats:
            break
        needed = seats - len(winners)
        chosen = ties.favoured(level)[:needed]
        if len(level) > needed:
            ties.record(stage="Schulze ranking at the cut", round=position_, tied=level, chosen=chosen)
        winners.extend(chosen)
    details = {
        "ranking": [_names(level) for level in levels],
        "pairwise": _matrix(pairwise, m),
        "strongest_paths": _matrix(paths, m),
    }
    return winners, _first_preferences(profile, m), details


def _matrix(rows, m):
    return {_Index(a): {_Index(b): rows[a][b] for b in range(m) if b != a} for a in range(m)}


_STV_SCALE = 10**5  # Rule 48(3) truncates transfer values to five decimal places.


def _scottish_stv(profile, m, seats, ties):
    """Scottish STV (SSI 2007/42) following pref_voting's ``stv_scottish``.

    Vote values are integers in units of 1e-5, so the truncation of Rule 48(3) and every
    comparison are exact. Differences from pref_voting, which only matter on ties or
    blank ballots: blank ballots count in ``ballots`` but not in the quota (they are void);
    a tie left after the earlier-stages rule is decided by the seeded order among the
    candidates still tied, not by lot among all of those first tied.
    """
    scale = _STV_SCALE
    valid = {tuple(t[0] for t in tiers): w for tiers, w in profile.items() if tiers}
    voters = sum(valid.values())
    quota = voters // (seats + 1) + 1  # Rule 46
    q = quota * scale
    # A piece: [ranking, position in it, value (1e-5 units), number of papers, candidate].
    pieces = [[r, 0, w * scale, w, r[0]] for r, w in valid.items()]
    continuing = set(range(m))
    winners: list[int] = []
    history: list[dict] = []  # totals at the end of each stage (Rules 49 and 51)
    stages: list[dict] = []

    def totals(among=None):
        t = defaultdict(int)
        for p in pieces:
            if p[2] > 0 and (among is None or p[4] in among):
                t[p[4]] += p[2]
        return t

    def log(event, cs, new_stage):
        if new_stage:
            history.append(dict(totals()))
        stages.append(
            {
                "stage": len(history),
                "event": event,
                "candidates": _names(cs),
                "totals": {_Index(c): Fraction(v, scale) for c, v in sorted(history[-1].items())},
            }
        )

    def forward(piece):
        ranking = piece[0]
        for i in range(piece[1] + 1, len(ranking)):
            if ranking[i] in continuing:
                return i
        return None

    def transfer_surplus(elected):
        donors = [p for p in pieces if p[4] == elected and p[2] > 0]
        total = sum(p[2] for p in donors)
        surplus = total - q
        if surplus <= 0:
            return False
        moved = False
        for p in donors:
            value = surplus * p[2] // (total * p[3])  # per paper, truncated (Rule 48(3))
            if value <= 0:
                continue
            drained = min(p[3] * value, p[2])
            p[2] -= drained
            moved = True
            nxt = forward(p)
            if nxt is not None:  # otherwise non-transferable: the value is lost
                pieces.append([p[0], nxt, drained, p[3], p[0][nxt]])
        return moved

    def exclude(c):
        continuing.discard(c)
        kept = []
        for p in pieces:
            if p[4] == c:
                nxt = forward(p)
                if nxt is None:
                    continue
                p[1], p[4] = nxt, p[0][nxt]
            kept.append(p)
        pieces[:] = kept

    def decide(tied, *, highest, stage):
        """Rules 49(2) and 51(2): earlier stages first, then the seeded order."""
        narrowed = list(tied)
        for snapshot in reversed(history):
            values = {c: snapshot.get(c, 0) for c in narrowed}
            extreme = max(values.values()) if highest else min(values.values())
            narrowed = [c for c in narrowed if values[c] == extreme]
            if len(narrowed) == 1:
                ties.record(stage=stage, round=len(history), tied=tied, chosen=narrowed, how=HISTORY)
                return narrowed[0]
        ordered = ties.favoured(narrowed)
        chosen = ordered[0] if highest else ordered[-1]
        ties.record(stage=stage, round=len(history), tied=tied, chosen=[chosen])
        return chosen

    def largest_surplus(candidates, now):
        top = max(now[c] for c in candidates)
        tied = [c for c in candidates if now[c] == top]
        return tied[0] if len(tied) == 1 else decide(tied, highest=True, stage="stv surplus order")

    def elect(cs, event):
        now = totals()
        cs = sorted(cs, key=lambda c: (-now.get(c, 0), ties.priority[c]))
        for c in cs:
            continuing.discard(c)
            winners.append(c)
        log(event, cs, new_stage=False)

    log("first preferences", [], new_stage=True)
    while len(winners) < seats:
        current = totals(continuing)
        reached = [c for c in continuing if current.get(c, 0) >= q]
        if reached:
            elect(reached, "elected")
            if len(winners) == seats:
                break
            stuck = set()
            while True:
                now = totals()
                eligible = [c for c in winners if now.get(c, 0) > q and c not in stuck]
                if not eligible:
                    break
                chosen = largest_surplus(eligible, now)
                if transfer_surplus(chosen):
                    log("surplus transferred", [chosen], new_stage=True)
                    if any(v >= q for v in totals(continuing).values()):
                        break
                else:
                    stuck.add(chosen)
            if len(continuing) <= seats - len(winners):
                elect(continuing, "elected: as many left as seats")
                break
            continue
        now = totals()
        holders = [c for c in winners if now.get(c, 0) > q]
        if holders:
            chosen = largest_surplus(holders, now)
            if transfer_surplus(chosen):
                log("surplus transferred", [chosen], new_stage=True)
                continue
        if len(continuing) <= seats - len(winners):  # Rule 52
            elect(continuing, "elected: as many left as seats")
            break
        current = totals(continuing)
        low = min(current.get(c, 0) for c in continuing)
        lowest = sorted(c for c in continuing if current.get(c, 0) == low)
        if len(lowest) == 1:
            excluded = lowest[0]
        else:
            excluded = decide(lowest, highest=False, stage="stv exclusion")
        exclude(excluded)
        log("excluded", [excluded], new_stage=True)

    details = {"quota": quota, "valid_ballots": voters, "stages": stages}
    return winners, _first_preferences(profile, m), details
