"""The approval rules: ``av``, ``seqphragmen`` and ``equal-shares``."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .ties import _Index, _names


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
