"""The fallback when the solver returns nothing in time: a greedy feasible assignment.

1. Numbers of teams: each challenge gets teams in proportion to the people for
   whom it is the best permitted choice, then adjusted until the places hold
   everyone and the minimum sizes can be met.
2. Quotas: people per challenge within [L*k, min(U*k, capacity)], as close to
   that demand as possible and summing to the number of people.
3. Locked units first, then friend groups (largest first), then everyone else in
   a seeded random order (random serial dictatorship): each to their best
   permitted challenge that still has quota.
It ignores skills (stage 2 still spreads them) and may miss the optimum; the
status says so. It returns None when it cannot meet the bounds.
"""

from __future__ import annotations

import math

import numpy as np

from .instance import Instance


def greedy_assignment(inst: Instance, allowed: np.ndarray, *, seed: int = 0):
    """(unit -> challenge, teams per challenge), or None if the greedy cannot meet every bound."""
    rng = np.random.default_rng(seed)
    L, U, m, N = inst.min_size, inst.max_size, inst.m, inst.n
    nu = len(inst.units)
    if not allowed.any(axis=1).all():
        return None
    big = np.iinfo(np.int64).max // 4
    masked = np.where(allowed, inst.unit_cost, big)
    best = masked.argmin(axis=1)
    demand = np.bincount(best, weights=inst.size, minlength=m).astype(np.int64)
    locked = np.zeros(m, dtype=np.int64)
    has_lock = inst.unit_lock >= 0
    np.add.at(locked, inst.unit_lock[has_lock], inst.size[has_lock])

    k_floor = np.maximum(inst.k_lo, -(-locked // U))
    k = np.clip(np.rint(demand / ((L + U) / 2)).astype(np.int64), k_floor, inst.k_hi)
    places = lambda: np.minimum(inst.cap, U * k)  # noqa: E731
    while places().sum() < N:
        grow = np.flatnonzero(k < inst.k_hi)
        if not len(grow):
            return None
        c = grow[np.argmax(demand[grow] - places()[grow])]
        k[c] += 1
    while (L * k).sum() > N:
        shrink = np.flatnonzero(k > k_floor)
        if not len(shrink):
            return None
        c = shrink[np.argmin(demand[shrink] - L * k[shrink])]
        k[c] -= 1
        if places().sum() < N:
            return None

    lo = np.maximum(L * k, locked)
    hi = places()
    if lo.sum() > N or hi.sum() < N or (lo > hi).any():
        return None
    quota = np.clip(demand, lo, hi)
    while quota.sum() < N:
        room = np.flatnonzero(quota < hi)
        quota[room[np.argmax(demand[room] - quota[room])]] += 1
    while quota.sum() > N:
        extra = np.flatnonzero(quota > lo)
        quota[extra[np.argmax(quota[extra] - demand[extra])]] -= 1

    assign = np.full(nu, -1, dtype=np.int64)
    left = quota.copy()
    for u in np.flatnonzero(has_lock):
        assign[u] = inst.unit_lock[u]
        left[assign[u]] -= inst.size[u]
    free = np.flatnonzero(~has_lock)
    groups = sorted((u for u in free if inst.size[u] > 1), key=lambda u: -inst.size[u])
    singles = [u for u in free if inst.size[u] == 1]
    rng.shuffle(singles)
    for u in list(groups) + list(singles):
        fits = allowed[u] & (left >= inst.size[u])
        if not fits.any():
            fits = allowed[u] & (left + (hi - quota) >= inst.size[u])
            if not fits.any():
                return None
        c = int(np.argmin(np.where(fits, masked[u] * (N + 1) - left, big)))
        assign[u] = c
        left[c] -= inst.size[u]

    people_on = np.bincount(assign, weights=inst.size, minlength=m).astype(np.int64)
    for c in range(m):
        n_c = int(people_on[c])
        if not (L * k[c] <= n_c <= min(U * k[c], inst.cap[c])):
            options = [x for x in range(int(inst.k_lo[c]), int(inst.k_hi[c]) + 1) if L * x <= n_c <= U * x]
            if not options or n_c > inst.cap[c]:
                return None
            k[c] = min(options, key=lambda x: abs(x - n_c / ((L + U) / 2)))
    return assign, k


def greedy_is_valid(inst: Instance, assign, k) -> bool:
    people_on = np.bincount(assign, weights=inst.size, minlength=inst.m)
    return bool(
        (assign >= 0).all()
        and (people_on >= inst.min_size * k).all()
        and (people_on <= inst.max_size * k).all()
        and (people_on <= inst.cap).all()
        and (k >= inst.k_lo).all() and (k <= inst.k_hi).all()
        and math.isfinite(float(people_on.sum()))
    )
