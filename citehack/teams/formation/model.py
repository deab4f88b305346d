"""The challenge-level model of stage 1, its pieces and its solutions.

Variables: x[u, c] binary (unit u on challenge c, only for permitted pairs),
k[c] integer (teams on c), s[c, j] >= 0 (teams on c that will miss skill j).

    each unit on exactly one challenge           sum_c x[u, c] = 1
    teams of L..U                                L k[c] <= sum_u n_u x[u, c] <= U k[c]
    capacity                                     sum_u n_u x[u, c] <= cap[c]
    skill j reaches every team (soft)            sum_{u holds j} x[u, c] + s[c, j] >= k[c]
    minimise  W * sum s  +  sum cost[u, c] x[u, c]

W exceeds any possible difference in preference cost, so fewer missing skills
always wins (lexicographic). A unit is indivisible, so "units holding j >= k"
is exactly what every one of the k teams getting j needs: sum s is a lower
bound on the teams missing a skill for any split. Stage 2 nearly always reaches
it; when it cannot, it sends back a Cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import milp
from .instance import Instance


class SolverInfeasible(Exception):
    """HiGHS proved the model has no solution."""


@dataclass
class Stage1:
    assign: np.ndarray  # unit -> challenge index
    k: np.ndarray  # teams per challenge
    missing: int  # lower bound on (team, skill) pairs left uncovered
    cost: int  # preference cost
    proved: bool  # optimal within the relative gap
    missing_by_c: np.ndarray | None = None  # the same bound per challenge (cut floors included)


@dataclass(frozen=True)
class Cut:
    """What stage 2 learnt about putting exactly ``units`` on ``challenge`` with ``k`` teams.

    ``floor`` None: no split into k teams of L..U exists (forbid the combination);
    otherwise the best split misses ``floor`` (team, skill) pairs (charge at least that).
    """

    challenge: int
    units: frozenset
    k: int
    floor: int | None = None


def missing_by_challenge(inst: Instance, assign: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(challenges, skills): teams that must miss each skill given the units on each challenge."""
    holders = np.zeros((inst.m, len(inst.skills)), dtype=np.int64)
    np.add.at(holders, assign, inst.unit_skill.astype(np.int64))
    return np.maximum(0, k[:, None] - holders)


def assignment_cost(inst: Instance, assign: np.ndarray) -> int:
    return int(inst.unit_cost[np.arange(len(assign)), assign].sum())


def build_model(inst: Instance, allowed: np.ndarray, *, skills: bool, objective: str, cuts=(),
           missing_cap: int | None = None):
    """Assemble the model. ``objective``: "lex" (W*s + cost), "cost", "skills" or "none"."""
    L, U, m = inst.min_size, inst.max_size, inst.m
    S = len(inst.skills) if skills else 0
    nu = len(inst.units)
    pu, pc = np.nonzero(allowed)
    nx = len(pu)
    n_k, n_s = m, m * S
    col_k, col_s = nx, nx + m
    cut_list = list(cuts)
    col_cut = nx + n_k + n_s
    ncol = col_cut + 2 * len(cut_list)

    # rows: units first (0..nu-1), then per challenge: L*k bound, U*k bound, capacity
    row_lo, row_hi, row_cap = nu, nu + m, nu + 2 * m
    row_skill = nu + 3 * m
    row_cut = row_skill + m * S
    row_miss = row_cut + 3 * len(cut_list)
    nrow = row_miss + (1 if missing_cap is not None else 0)

    sz = inst.size[pu].astype(np.float64)
    rows = [pu, row_lo + pc, row_hi + pc, row_cap + pc]
    cols = [np.arange(nx)] * 4
    vals = [np.ones(nx), sz, sz, sz]
    kc = np.arange(m)
    rows += [row_lo + kc, row_hi + kc]
    cols += [col_k + kc, col_k + kc]
    vals += [np.full(m, -float(L)), np.full(m, -float(U))]
    if S:
        xi, sj = np.nonzero(inst.unit_skill[pu])
        rows.append(row_skill + pc[xi] * S + sj)
        cols.append(xi)
        vals.append(np.ones(len(xi)))
        cj = np.arange(m * S)
        rows += [row_skill + cj, row_skill + cj]
        cols += [col_k + cj // S, col_s + cj]
        vals += [-np.ones(m * S), np.ones(m * S)]
        if missing_cap is not None:
            rows.append(np.full(m * S, row_miss))
            cols.append(col_s + cj)
            vals.append(np.ones(m * S))
    row_lo_v = np.concatenate([np.ones(nu), np.zeros(m), np.full(m, -np.inf), np.full(m, -np.inf),
                               np.zeros(m * S)])
    row_hi_v = np.concatenate([np.ones(nu), np.full(m, np.inf), np.zeros(m), inst.cap.astype(float),
                               np.full(m * S, np.inf)])
    extra_lo, extra_hi = [], []
    for i, cut in enumerate(cut_list):
        c, k = cut.challenge, cut.k
        hi = float(inst.k_hi[c])
        on_c = np.flatnonzero(pc == c)
        inside = np.isin(pu[on_c], np.fromiter(cut.units, dtype=np.int64, count=len(cut.units)))
        a, b = col_cut + 2 * i, col_cut + 2 * i + 1
        r = row_cut + 3 * i
        # dev = (units off the pattern) counts how far x is from "exactly these units on c";
        # a = 1 forces k[c] <= k - 1, b = 1 forces k[c] >= k + 1.
        f = 1.0 if cut.floor is None or not S else float(cut.floor)
        rows += [np.full(len(on_c), r), np.array([r, r])]
        cols += [on_c, np.array([a, b])]
        vals += [f * np.where(inside, -1.0, 1.0), np.array([f, f])]
        if cut.floor is not None and S:
            # sum_j s[c, j] >= floor * (1 - dev - a - b)
            rows.append(np.full(S, r))
            cols.append(col_s + c * S + np.arange(S))
            vals.append(np.ones(S))
        rows += [np.array([r + 1, r + 1]), np.array([r + 2, r + 2])]
        cols += [np.array([col_k + c, a]), np.array([col_k + c, b])]
        vals += [np.array([1.0, hi]), np.array([1.0, -(k + 1.0)])]
        extra_lo += [f * (1.0 - len(cut.units)), -np.inf, 0.0]
        extra_hi += [np.inf, k - 1.0 + hi, np.inf]
    if missing_cap is not None:
        extra_lo.append(-np.inf)
        extra_hi.append(float(missing_cap))
    row_lo_v = np.concatenate([row_lo_v, extra_lo])
    row_hi_v = np.concatenate([row_hi_v, extra_hi])

    A = sparse.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nrow, ncol)
    ).tocsc()

    unit_costs = inst.unit_cost[pu, pc].astype(np.float64)
    c_vec = np.zeros(ncol)
    if objective in ("lex", "cost"):
        c_vec[:nx] = unit_costs
    if objective in ("lex", "skills") and S:
        c_vec[col_s:col_s + n_s] = weight(inst, allowed) if objective == "lex" else 1.0
    col_lo = np.zeros(ncol)
    col_hi = np.ones(ncol)
    col_lo[col_k:col_k + m] = inst.k_lo
    col_hi[col_k:col_k + m] = inst.k_hi
    col_hi[col_s:col_s + n_s] = np.repeat(inst.k_hi, S) if S else []
    integral = np.ones(ncol, dtype=bool)
    integral[col_s:col_s + n_s] = False
    model = milp.Milp(c_vec, A, row_lo_v, row_hi_v, col_lo, col_hi, integral)
    return model, pu, pc


def spread(inst: Instance, allowed: np.ndarray) -> float:
    """D: the largest possible difference in total preference cost between two assignments."""
    big = np.where(allowed, inst.unit_cost, -1).max(axis=1)
    small = np.where(allowed, inst.unit_cost, np.iinfo(np.int64).max).min(axis=1)
    return float((big - small).sum())


def weight(inst: Instance, allowed: np.ndarray) -> float:
    """Weight of one missing (team, skill) pair: 2D + 1, so fewer missing skills always wins.

    With this weight, a solution within W - D of the lower bound provably has the
    fewest missing skills (one more would cost at least W - D).
    """
    return 2 * spread(inst, allowed) + 1


def choose_k(inst: Instance, assign: np.ndarray, *, skills: bool = True) -> np.ndarray | None:
    """Teams per challenge for a given assignment: fewest missing skills, then the team size closest
    to the middle of [L, U]; None when some challenge's head count fits no whole number of teams."""
    L, U = inst.min_size, inst.max_size
    n_c = np.bincount(assign, weights=inst.size, minlength=inst.m).astype(np.int64)
    if (n_c > inst.cap).any():
        return None
    holders = np.zeros((inst.m, len(inst.skills)), dtype=np.int64)
    np.add.at(holders, assign, inst.unit_skill.astype(np.int64))
    k = np.zeros(inst.m, dtype=np.int64)
    mid = (L + U) / 2
    for c in range(inst.m):
        lo = max(int(inst.k_lo[c]), -(-int(n_c[c]) // U))
        hi = min(int(inst.k_hi[c]), int(n_c[c]) // L)
        if lo > hi:
            return None
        options = range(lo, hi + 1)
        k[c] = min(options, key=lambda x: (int(np.maximum(0, x - holders[c]).sum()) if skills else 0,
                                           abs(x - n_c[c] / mid), x))
    return k


def read_solution(inst, pu, pc, x, *, skills=True, own_k=False):
    """Assignment and teams from a solution vector; None when x is fractional or k cannot be whole.

    The number of teams is re-chosen by choose_k unless ``own_k`` (needed under cuts,
    which forbid particular numbers of teams)."""
    nx = len(pu)
    xs = x[:nx]
    if ((xs > 1e-6) & (xs < 1 - 1e-6)).any():
        return None
    on = xs > 0.5
    assign = np.full(len(inst.units), -1, dtype=np.int64)
    assign[pu[on]] = pc[on]
    if (assign < 0).any() or np.bincount(pu[on], minlength=len(inst.units)).max() > 1:
        return None
    if own_k:
        k = np.rint(x[nx: nx + inst.m]).astype(np.int64)
        return assign, k
    k = choose_k(inst, assign, skills=skills)
    if k is None:
        return None
    return assign, k
