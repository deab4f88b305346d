"""A thin wrapper over HiGHS (through highspy) for the models of this package."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

import numpy as np
from scipy import sparse

_lock = threading.Lock()
_banner_done = False


def _new_highs():
    """Create a solver; the first one prints a banner on stdout, which would corrupt --json output."""
    global _banner_done
    import highspy

    with _lock:
        if _banner_done:
            return highspy.Highs()
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no real stdout: nothing to protect
            _banner_done = True
            return highspy.Highs()
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            _banner_done = True
        return h


@dataclass
class MilpOutcome:
    status: str  # "optimal", "feasible" (stopped with a solution), "infeasible", "none" (no solution)
    x: np.ndarray | None
    objective: float
    bound: float
    seconds: float


@dataclass
class Milp:
    """min c.x  s.t.  row_lo <= A x <= row_hi,  col_lo <= x <= col_hi,  x_i integer where integral."""

    c: np.ndarray
    A: sparse.spmatrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integral: np.ndarray  # bool


def solve(model: Milp, *, time_limit: float, rel_gap: float = 1e-3, presolve: bool = False,
          start: np.ndarray | None = None, threads: int | None = None, relax: bool = False) -> MilpOutcome:
    """Solve with HiGHS; ``start`` is a feasible point offered as the first incumbent.

    ``relax`` drops integrality (the LP relaxation, solved by dual simplex).
    """
    import highspy

    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "on" if presolve else "off")
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("time_limit", max(float(time_limit), 0.05))
    if threads:
        h.setOptionValue("threads", int(threads))
    A = sparse.csc_matrix(model.A)
    A.sort_indices()
    ncol, nrow = A.shape[1], A.shape[0]
    inf = highspy.kHighsInf
    row_lo = np.where(np.isfinite(model.row_lo), model.row_lo, -inf).astype(np.float64)
    row_hi = np.where(np.isfinite(model.row_hi), model.row_hi, inf).astype(np.float64)
    h.passModel(
        int(ncol), int(nrow), int(A.nnz), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
        np.ascontiguousarray(model.c, dtype=np.float64),
        np.ascontiguousarray(model.col_lo, dtype=np.float64),
        np.ascontiguousarray(model.col_hi, dtype=np.float64),
        row_lo, row_hi,
        A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(np.float64),
        np.zeros(ncol, dtype=np.int32) if relax else np.where(model.integral, 1, 0).astype(np.int32),
    )
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    if relax:
        S = highspy.HighsModelStatus
        if status == S.kOptimal:
            obj = h.getInfo().objective_function_value
            return MilpOutcome("optimal", np.array(h.getSolution().col_value), obj, obj, h.getRunTime())
        if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
            return MilpOutcome("infeasible", None, float("inf"), float("inf"), h.getRunTime())
        return MilpOutcome("none", None, float("inf"), -float("inf"), h.getRunTime())
    info = h.getInfo()
    seconds = h.getRunTime()
    S = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.array(h.getSolution().col_value) if has_solution else None
    if status == S.kOptimal:
        kind = "optimal"
    elif status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        kind = "infeasible"
    elif has_solution:
        kind = "feasible"
    else:
        kind = "none"
    obj = info.objective_function_value if has_solution else float("inf")
    bound = info.mip_dual_bound if model.integral.any() else obj
    return MilpOutcome(kind, x, obj, bound, seconds)


class Relaxation:
    """The LP relaxation of a model kept in one solver, re-solved warm after bound changes.

    Used for a branch and bound over a handful of integer columns, where each node
    differs from its parent by one bound and dual simplex needs a few iterations.
    """

    def __init__(self, model: Milp):
        import highspy

        self._highspy = highspy
        self.h = h = _new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        A = sparse.csc_matrix(model.A)
        A.sort_indices()
        inf = highspy.kHighsInf
        self.col_lo = np.ascontiguousarray(model.col_lo, dtype=np.float64)
        self.col_hi = np.ascontiguousarray(model.col_hi, dtype=np.float64)
        h.passModel(
            int(A.shape[1]), int(A.shape[0]), int(A.nnz), int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize), 0.0,
            np.ascontiguousarray(model.c, dtype=np.float64), self.col_lo, self.col_hi,
            np.where(np.isfinite(model.row_lo), model.row_lo, -inf).astype(np.float64),
            np.where(np.isfinite(model.row_hi), model.row_hi, inf).astype(np.float64),
            A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(np.float64),
            np.zeros(A.shape[1], dtype=np.int32),
        )

    def solve(self, bounds: dict[int, tuple[float, float]], time_limit: float) -> MilpOutcome:
        """Solve with the given columns' bounds replaced (the others at their model bounds)."""
        h = self.h
        for col, (lo, hi) in bounds.items():
            h.changeColBounds(int(col), float(lo), float(hi))
        h.setOptionValue("time_limit", max(float(time_limit), 0.05))
        h.run()
        status = h.getModelStatus()
        S = self._highspy.HighsModelStatus
        if status == S.kOptimal:
            obj = h.getInfo().objective_function_value
            out = MilpOutcome("optimal", np.array(h.getSolution().col_value), obj, obj, 0.0)
        elif status in (S.kInfeasible, S.kUnboundedOrInfeasible):
            out = MilpOutcome("infeasible", None, float("inf"), float("inf"), 0.0)
        else:
            out = MilpOutcome("none", None, float("inf"), -float("inf"), 0.0)
        # Changing bounds clears the solution, so restore them only after reading it.
        for col in bounds:
            h.changeColBounds(int(col), float(self.col_lo[col]), float(self.col_hi[col]))
        return out
