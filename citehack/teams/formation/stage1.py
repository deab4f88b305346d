"""Stage 1: solve the challenge-level model (see model.py) lexicographically."""

from __future__ import annotations

import heapq
import time

import numpy as np

from . import milp
from .instance import Instance
from .model import (Stage1, SolverInfeasible, assignment_cost, build_model, choose_k, missing_by_challenge,
                    read_solution, spread, weight)


def _proved(missing, cost, bound, W, D, rel_gap):
    """Lexicographic optimality from a lower bound on W * missing + cost."""
    total = W * missing + cost
    if missing and total - bound >= W - D - 1e-6:
        return False  # one more missing skill than necessary is not excluded
    gap = cost - (bound - W * missing)
    return gap < 1 - 1e-6 or gap <= rel_gap * max(cost, 1)


def solve_stage1(inst: Instance, allowed: np.ndarray, *, skills: bool, cuts=(), time_limit: float,
                 rel_gap: float, start=None) -> Stage1 | None:
    """Optimise lexicographically: missing skills first, then preference cost. None if no solution in time.

    HiGHS's MILP solver spends seconds at 5,000 people on symmetry detection and
    heuristics, and its weighted-sum gap blurs the two levels, so the levels are
    settled here on LP relaxations, which take milliseconds:
    1. the weighted LP (W * missing + cost); its optimum is usually whole and, when
       it meets its own bound, proves itself;
    2. otherwise the LP minimising missing skills alone: its value rounded up is a
       lower bound M on missing skills;
    3. branch and bound on the LP minimising cost with at most M missing (one warm
       HiGHS instance; each node changes one bound), branching on the numbers of
       teams k[c] first: with k fixed the model is nearly a transportation problem,
       so node optima are nearly always whole; the rare unit still split across
       challenges is branched on next. If no assignment has M missing, M + 1 follows.
    Cuts (from stage 2) go to HiGHS's MILP directly.
    """
    skills = skills and bool(inst.skills)
    if cuts:
        return _solve_mip(inst, allowed, skills=skills, cuts=cuts, time_limit=time_limit, rel_gap=rel_gap)
    deadline = time.perf_counter() + time_limit
    W = weight(inst, allowed) if skills else 0.0
    D = spread(inst, allowed)
    best = None  # (missing, cost, assign, k)

    def offer(assign, k=None):
        nonlocal best
        k = choose_k(inst, assign, skills=skills) if k is None else k
        if k is None:
            return
        missing = int(missing_by_challenge(inst, assign, k).sum()) if skills else 0
        cost = assignment_cost(inst, assign)
        if best is None or (missing, cost) < best[:2]:
            best = (missing, cost, assign, k)

    if start is not None:
        offer(start[0])
    model, pu, pc = build_model(inst, allowed, skills=skills, objective="lex" if skills else "cost")
    root = milp.solve(model, time_limit=deadline - time.perf_counter(), relax=True)
    if root.status == "infeasible":
        raise SolverInfeasible()
    if root.x is not None:
        found = read_solution(inst, pu, pc, root.x, skills=skills)
        if found is not None:
            offer(*found)
        if best is not None and _proved(best[0], best[1], root.objective, W, D, rel_gap):
            return Stage1(best[2], best[3], best[0], best[1], proved=True,
                          missing_by_c=_by_c(inst, best[2], best[3], skills))

    cap = 0
    if skills:
        m1, _, _ = build_model(inst, allowed, skills=True, objective="skills")
        level = milp.solve(m1, time_limit=deadline - time.perf_counter(), relax=True)
        cap = int(np.ceil(level.objective - 1e-6)) if level.x is not None else (best[0] if best else 0)
    level_proved = True
    lower = -np.inf
    while True:
        model, pu, pc = build_model(inst, allowed, skills=skills, objective="cost",
                               missing_cap=cap if skills else None)
        lower, exhausted = _branch_on_k(inst, model, pu, pc, skills=skills, cap=cap, deadline=deadline,
                                        rel_gap=rel_gap, offer=offer, incumbent=lambda: best)
        if best is not None and best[0] <= cap:
            break
        if not exhausted or not skills or time.perf_counter() > deadline:
            level_proved = False
            break
        cap += 1  # no assignment misses only `cap` skills: try one more
    if best is None:
        return _solve_mip(inst, allowed, skills=skills, time_limit=max(deadline - time.perf_counter(), 1.0),
                          rel_gap=rel_gap)
    missing, cost, assign, k = best
    proved = level_proved and missing <= cap and cost - lower <= max(1 - 2e-6, rel_gap * max(cost, 1))
    return Stage1(assign=assign, k=k, missing=missing, cost=cost, proved=bool(proved),
                  missing_by_c=_by_c(inst, assign, k, skills))


def _by_c(inst, assign, k, skills):
    if not skills:
        return np.zeros(inst.m, dtype=np.int64)
    return missing_by_challenge(inst, assign, k).sum(axis=1)


def _branch_on_k(inst, model, pu, pc, *, skills, cap, deadline, rel_gap, offer, incumbent):
    """Best-first branch and bound on the cost LP; returns (lower bound on cost, tree exhausted).

    Branches on a fractional k[c] first, then on a unit split across challenges. The
    lower bound covers assignments missing at most ``cap`` skills.
    """
    m = inst.m
    S = len(inst.skills) if skills else 0
    col_k = len(pu)

    def cutoff():
        """Nodes whose bound reaches this cannot improve the incumbent beyond the gap."""
        best = incumbent()
        if best is None or best[0] > cap:
            return np.inf
        return best[1] - max(1 - 2e-6, rel_gap * max(best[1], 1))

    relax = milp.Relaxation(model)
    heap = [(-np.inf, 0, {})]
    counter = 1
    open_bounds = []
    exhausted = True
    while heap:
        if time.perf_counter() > deadline:
            exhausted = False
            break
        parent_bound, _, kb = heapq.heappop(heap)
        if parent_bound >= cutoff():
            continue
        out = relax.solve(kb, deadline - time.perf_counter())
        if out.status == "infeasible":
            continue
        if out.x is None:
            open_bounds.append(parent_bound)
            exhausted = False
            continue
        bound = out.objective
        if bound >= cutoff():
            continue
        found = read_solution(inst, pu, pc, out.x, skills=skills)
        if found is not None:
            offer(*found)
            within = not skills or missing_by_challenge(inst, *found).sum() <= cap
            if within and assignment_cost(inst, found[0]) <= bound + 1e-6:
                continue  # the node's relaxation optimum is whole: node solved
        else:
            rounded = _round(inst, pu, pc, out.x)
            if rounded is not None:
                offer(rounded)
            if not kb and bound < cutoff():  # at the root, also let HiGHS finish the fractional part
                sub = _finish_fractional(inst, model, pu, pc, out.x, {}, skills,
                                         max(0.5, min(10.0, deadline - time.perf_counter())))
                if sub is not None:
                    offer(*sub)
                if bound >= cutoff():
                    continue
        kv = out.x[col_k: col_k + m]
        frac = [c for c in range(m) if abs(kv[c] - np.rint(kv[c])) > 1e-6]
        if frac:
            c = max(frac, key=lambda c: (_rounding_loss(inst, pu, pc, out.x, c, kv[c], S, col_k + m),
                                         -abs(kv[c] - np.floor(kv[c]) - 0.5)))
            col = col_k + c
            lo, hi = kb.get(col, (float(inst.k_lo[c]), float(inst.k_hi[c])))
            children = ((lo, float(np.floor(kv[c]))), (float(np.ceil(kv[c])), hi))
        else:
            # Whole k but a unit split across challenges (friend groups, skill rows):
            # branch on the most evenly split unit-challenge pair, "on" last so it is dived first.
            xs = out.x[: len(pu)]
            col = int(np.argmin(np.abs(xs - 0.5)))
            if abs(xs[col] - 0.5) > 0.5 - 1e-6:  # nothing left to branch on (numerical trouble)
                open_bounds.append(bound)
                exhausted = False
                continue
            children = ((0.0, 0.0), (1.0, 1.0))
        for child in children:
            if child[0] <= child[1]:
                # Among equal bounds the newest node first: a dive to a whole solution finds
                # incumbents early.
                heapq.heappush(heap, (bound, -counter, {**kb, col: child}))
                counter += 1
    remaining = [b for b, _, _ in heap] + open_bounds
    best = incumbent()
    lower = min(remaining) if remaining else (best[1] if best is not None and best[0] <= cap else np.inf)
    return lower, exhausted and not remaining


def _rounding_loss(inst, pu, pc, x, c, kc, S, col_s):
    """How many more skills challenge c misses once its fractional k is rounded up."""
    if not S:
        return 0.0
    on_c = pc == c
    holders = (x[: len(pu)][on_c, None] * inst.unit_skill[pu[on_c]]).sum(axis=0)
    slack = x[col_s + c * S: col_s + (c + 1) * S]
    return float((np.maximum(0, np.ceil(kc) - holders) - slack).sum())


def _round(inst, pu, pc, x):
    """Each unit to the challenge holding most of it; None if the head counts then fit no teams."""
    xs = x[: len(pu)]
    order = np.lexsort((-xs, pu))  # by unit, largest share first
    first = np.ones(len(order), dtype=bool)
    first[1:] = pu[order][1:] != pu[order][:-1]
    assign = np.full(len(inst.units), -1, dtype=np.int64)
    assign[pu[order][first]] = pc[order][first]
    if (assign < 0).any() or choose_k(inst, assign, skills=False) is None:
        return None
    return assign


def _finish_fractional(inst, model, pu, pc, x, kb, skills, time_limit):
    """Fix the whole part of a fractional node optimum and let HiGHS's MILP place the rest."""
    xs = x[: len(pu)]
    whole = (xs < 1e-6) | (xs > 1 - 1e-6)
    col_lo, col_hi = model.col_lo.copy(), model.col_hi.copy()
    col_lo[: len(pu)][whole] = col_hi[: len(pu)][whole] = np.rint(xs[whole])
    for col, (lo, hi) in kb.items():
        col_lo[col], col_hi[col] = lo, hi
    sub = milp.Milp(model.c, model.A, model.row_lo, model.row_hi, col_lo, col_hi, model.integral)
    out = milp.solve(sub, time_limit=time_limit, rel_gap=0.0, presolve=True)
    if out.x is None:
        return None
    return read_solution(inst, pu, pc, out.x, skills=skills)


def _solve_mip(inst: Instance, allowed: np.ndarray, *, skills: bool, cuts=(), time_limit: float,
               rel_gap: float) -> Stage1 | None:
    """The same optimisation through HiGHS's MILP, one level per solve: fewest missing skills, then cost.

    Used under cuts from stage 2 (they need k as a true integer) and as a backstop.
    """
    deadline = time.perf_counter() + time_limit
    proved = True
    start = None
    cap = None
    if skills:
        m1, pu, pc = build_model(inst, allowed, skills=True, objective="skills", cuts=cuts)
        o1 = milp.solve(m1, time_limit=time_limit, rel_gap=0.0)
        if o1.status == "infeasible":
            raise SolverInfeasible()
        if o1.x is None:
            return None
        cap = int(round(o1.objective))
        proved = o1.status == "optimal"
        start = o1.x
    model, pu, pc = build_model(inst, allowed, skills=skills, objective="cost", cuts=cuts, missing_cap=cap)
    out = milp.solve(model, time_limit=max(deadline - time.perf_counter(), 0.5), rel_gap=rel_gap,
                     start=None if start is None else np.append(start, np.zeros(len(model.c) - len(start))))
    if out.status == "infeasible" and not skills:
        raise SolverInfeasible()
    x = out.x if out.x is not None else start
    if x is None:
        return None
    proved = proved and out.status == "optimal"
    found = read_solution(inst, pu, pc, x, skills=skills, own_k=True)
    if found is None:
        return None
    assign, k = found
    S = len(inst.skills) if skills else 0
    col_s = len(pu) + inst.m
    by_c = np.zeros(inst.m, dtype=np.int64)
    if S:
        by_c = np.rint(x[col_s: col_s + inst.m * S].reshape(inst.m, S).sum(axis=1)).astype(np.int64)
        by_c = np.maximum(by_c, missing_by_challenge(inst, assign, k).sum(axis=1))
    return Stage1(assign=assign, k=k, missing=int(by_c.sum()), cost=assignment_cost(inst, assign),
                  proved=bool(proved), missing_by_c=by_c)
