"""R*: the best achievable worst rank, and feasibility checks."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from . import milp
from .instance import Instance
from .model import Cut, SolverInfeasible, build_model, read_solution
from .stage2 import can_split
from .types import FormationInfeasible


def feasible_assignment(inst: Instance, allowed: np.ndarray, *, time_limit: float, cuts=()):
    """Any assignment meeting every hard bound with the permitted pairs, or None if proved impossible.

    The LP relaxation (with the preference cost, which makes its optimum a vertex that
    is nearly always whole) decides most cases in milliseconds; the MILP is the backstop
    and handles cuts.
    """
    if not allowed.any(axis=1).all():
        return None
    model, pu, pc = build_model(inst, allowed, skills=False, objective="cost", cuts=cuts)
    lp = milp.solve(model, time_limit=time_limit, relax=True)
    if lp.status == "infeasible":
        return None
    if lp.x is not None and not cuts:
        found = read_solution(inst, pu, pc, lp.x, skills=False)
        if found is not None:
            return found
    out = milp.solve(model, time_limit=time_limit, rel_gap=1.0)
    if out.status == "infeasible":
        return None
    found = read_solution(inst, pu, pc, out.x, skills=False, own_k=bool(cuts)) if out.x is not None else None
    if found is None:
        raise TimeoutError("no feasible assignment found within the time limit")
    return found


def flow_lower_bound(inst: Instance, lo: int) -> int:
    """Smallest worst rank for which people fit the places at all (groups may split in this relaxation)."""
    nu, m = len(inst.units), inst.m
    places = np.minimum(inst.cap, inst.max_size * inst.k_hi)
    src, sink = 0, nu + m + 1

    def fits(r):
        allowed = inst.allowed_up_to(r)
        pu, pc = np.nonzero(allowed)
        rows = np.concatenate([np.zeros(nu, dtype=np.int64), 1 + pu, 1 + nu + np.arange(m)])
        cols = np.concatenate([1 + np.arange(nu), 1 + nu + pc, np.full(m, sink)])
        caps = np.concatenate([inst.size, inst.size[pu], places]).astype(np.int32)
        g = sparse.csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
        return maximum_flow(g, src, sink).flow_value == inst.n

    hi = inst.unranked
    if not fits(hi):
        return hi
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def compute_r_star(inst: Instance, *, time_limit: float, clock):
    """R*: the best achievable worst rank under every hard bound.

    Returns (R*, a witness assignment, cuts learnt). A max-flow relaxation gives a lower
    bound; feasibility checks (an LP, nearly always whole, else a MILP) then test it
    upwards. A witness whose friend groups cannot be packed into its teams is cut off
    and the check repeated, so R* holds for whole teams, not only head counts.
    """
    base = inst.base_allowed
    if not base.any(axis=1).all():
        u = int(np.flatnonzero(~base.any(axis=1))[0])
        group = inst.unit_group[u]
        raise FormationInfeasible(
            f"{_describe_unit(inst, u)} fits on no challenge (capacities or closed challenges)",
            code="unit_fits_nowhere", group=group, person=None if group else inst.ids[inst.units[u][0]],
            size=int(inst.size[u]),
        )
    lo = int(np.where(base, inst.unit_maxrank, inst.unranked + 1).min(axis=1).max())
    lo = flow_lower_bound(inst, lo)
    cuts = []
    for r in range(lo, inst.unranked + 1):
        for _ in range(50):
            found = feasible_assignment(inst, inst.allowed_up_to(r), time_limit=max(clock(), 0.05), cuts=cuts)
            if found is None:
                break
            assign, k = found
            bad = None
            for c in range(inst.m):
                units = [int(u) for u in np.flatnonzero(assign == c)]
                if not can_split(inst, units, int(k[c]), time_limit=max(min(clock(), 10.0), 0.5)):
                    bad = Cut(c, frozenset(units), int(k[c]))
                    break
            if bad is None:
                return r, found, cuts
            cuts.append(bad)
    raise SolverInfeasible()


def _describe_unit(inst, u):
    if inst.unit_group[u]:
        return f"friend group {inst.unit_group[u]!r}"
    return inst.ids[inst.units[u][0]]
