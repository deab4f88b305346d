"""Stage 2: split the people of one challenge into its k teams.

1. Near-equal sizes within [L, U]; team-locked units first, then friend groups
   (largest first), then people in order of skill scarcity (holders of the
   rarest skill first), each to the team where it fills the scarcest missing
   skill; ties go to the team where it shares the fewest attributes (status,
   neighbourhood, age band), then to the emptier team.
2. Swap repair: while more teams miss a skill than the stage-1 bound allows, the
   best improving move or swap of one unit is applied.
3. Exact fallback: if a gap remains, a small HiGHS model re-splits the teams with
   gaps together with donor teams (all teams when the challenge is small).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import milp
from .instance import Instance
from .model import Cut

ATTRIBUTES = ("status", "neighbourhood", "age_band")
EXACT_TEAMS = 12  # teams re-split together by the exact fallback
EXACT_CELLS = 4000  # unit x team pairs up to which a whole challenge is split exactly
EXACT_TIME = 10.0


class Unsplittable(Exception):
    """The units given to a challenge cannot form k teams of L..U (friend groups do not pack)."""

    def __init__(self, cut: Cut):
        super().__init__(f"no split for challenge {cut.challenge} with {cut.k} teams")
        self.cut = cut


@dataclass
class Split:
    teams: list[list[int]]  # units per team
    missing: int  # (team, skill) pairs uncovered
    bound: int  # stage-1 lower bound for this challenge
    exact_used: bool = False
    proven_min: bool = False  # ``missing`` is the fewest possible for these units and k


class _Diversity:
    """Per-team counts of each attribute value, to score how much a unit repeats a team's profile."""

    def __init__(self, inst: Instance, units: list[int], k: int, enabled: bool):
        self.enabled = enabled
        self.codes = {}
        self.counts = []
        if not enabled:
            return
        for a in ATTRIBUTES:
            values = {}
            per_unit = {}
            for u in units:
                vs = []
                for i in inst.units[u]:
                    v = getattr(inst.people[i], a)
                    if v:
                        vs.append(values.setdefault(v, len(values)))
                per_unit[u] = np.array(vs, dtype=np.int64)
            self.codes[a] = per_unit
            self.counts.append(np.zeros((k, max(len(values), 1)), dtype=np.int64))

    def penalty(self, u: int) -> np.ndarray | int:
        if not self.enabled:
            return 0
        total = 0
        for a, cnt in zip(ATTRIBUTES, self.counts):
            v = self.codes[a][u]
            if len(v):
                total = total + cnt[:, v].sum(axis=1)
        return total

    def add(self, u: int, t: int, sign: int = 1):
        if not self.enabled:
            return
        for a, cnt in zip(ATTRIBUTES, self.counts):
            v = self.codes[a][u]
            if len(v):
                np.add.at(cnt[t], v, sign)


def split_challenge(inst: Instance, c: int, units: list[int], k: int, *, time_limit: float,
                    diversity: bool = True, skills: bool = True) -> Split:
    """Split the units on challenge ``c`` into ``k`` teams; raise Unsplittable when impossible."""
    L, U = inst.min_size, inst.max_size
    if k == 0:
        assert not units
        return Split([], 0, 0)
    units = list(units)
    S = len(inst.skills) if skills else 0
    sk = inst.unit_skill[:, :S] if S else np.zeros((len(inst.units), 0), dtype=bool)
    size = inst.size
    n = int(size[units].sum())
    holders = sk[units].sum(axis=0) if S else np.zeros(0, dtype=np.int64)
    bound = int(np.maximum(0, k - holders).sum())
    # Scarcer skills get higher priority (1..S); a skill nobody holds is irrelevant here.
    order = np.argsort(-holders, kind="stable")
    priority = np.zeros(S, dtype=np.int64)
    priority[order] = np.arange(1, S + 1)

    team_of = {}
    members: list[list[int]] = [[] for _ in range(k)]
    load = np.zeros(k, dtype=np.int64)
    cnt = np.zeros((k, S), dtype=np.int64)
    div = _Diversity(inst, units, k, diversity)

    def place(u, t):
        team_of[u] = t
        members[t].append(u)
        load[t] += size[u]
        cnt[t] += sk[u]
        div.add(u, t)

    locked = [u for u in units if inst.unit_team_lock[u] >= 0]
    groups = [u for u in units if inst.unit_team_lock[u] < 0 and size[u] > 1]
    singles = [u for u in units if inst.unit_team_lock[u] < 0 and size[u] == 1]
    for u in locked:
        place(u, int(inst.unit_team_lock[u]))

    def scarcity(u):
        held = np.flatnonzero(sk[u])
        return int(holders[held].min()) if len(held) else n + 1

    def score(u, room_ok):
        """Composite key per team; higher is better, -1 where the unit does not fit."""
        miss = (cnt == 0) & sk[u][None, :]
        scarce = (miss * priority[None, :]).max(axis=1) if S else np.zeros(k, dtype=np.int64)
        filled = miss.sum(axis=1) if S else np.zeros(k, dtype=np.int64)
        pen = np.minimum(div.penalty(u) + np.zeros(k, dtype=np.int64), (1 << 19) - 1)
        free = np.minimum(U - load, 1023)
        key = ((scarce * 64 + np.minimum(filled, 63)) << 40) + (((1 << 19) - pen) << 10) + free
        return np.where(room_ok, key, -1)

    target = math.ceil(n / k)
    groups.sort(key=lambda u: (-size[u], scarcity(u)))
    for u in groups:
        fits = load + size[u] <= U
        if not fits.any():
            return _exact_or_raise(inst, c, units, k, time_limit, S, bound)
        within = load + size[u] <= target
        key = score(u, fits)
        place(u, int(np.argmax(np.where(within & fits, key + (1 << 61), key))))

    # Final sizes: as equal as possible, at least max(L, load), at most U.
    final = np.maximum(load, L)
    if (final > U).any() or final.sum() > n:
        return _exact_or_raise(inst, c, units, k, time_limit, S, bound)
    rest = n - int(final.sum())
    while rest > 0:
        open_ = np.flatnonzero(final < U)
        t = open_[np.argmin(final[open_])]
        final[t] += 1
        rest -= 1

    singles.sort(key=scarcity)
    for u in singles:
        room = load < final
        place(u, int(np.argmax(score(u, room))))

    split = Split(members, int((cnt == 0).sum()), bound)
    if S and split.missing > bound:
        _repair(inst, split, team_of, load, cnt, sk, size)
    if S and split.missing > bound:
        _exact_neighbourhood(inst, split, team_of, load, cnt, sk, size, time_limit)
    if S and split.missing > bound and len(units) * k <= EXACT_CELLS:
        fixed = {u: int(inst.unit_team_lock[u]) for u in units if inst.unit_team_lock[u] >= 0}
        found = _exact_split(inst, units, k, sk, size, time_limit, fixed=fixed)
        if found is not None:
            teams, optimal = found
            missing = sum(int((sk[tm].sum(axis=0) == 0).sum()) for tm in teams)
            if missing < split.missing:
                split.teams, split.missing, split.exact_used = teams, missing, True
            split.proven_min = optimal and split.missing <= missing
    split.proven_min = split.proven_min or split.missing <= bound
    return split


def _repair(inst, split, team_of, load, cnt, sk, size):
    """Apply the best improving move or swap of one unit into a team missing a skill, until none helps."""
    L, U = inst.min_size, inst.max_size
    members = split.teams
    movable = lambda u: inst.unit_team_lock[u] < 0  # noqa: E731
    all_units = np.array(sorted(team_of), dtype=np.int64)
    for _ in range(10 * len(members) * max(sk.shape[1], 1)):
        if split.missing <= split.bound:
            return
        best = None
        for t, j in zip(*np.nonzero(cnt == 0)):
            cand = all_units[sk[all_units, j]]
            cand = np.array([a for a in cand if team_of[a] != t and movable(a)], dtype=np.int64)
            if not len(cand):
                continue
            t2 = np.array([team_of[a] for a in cand])
            B = [b for b in members[t] if movable(b)]
            sa, sb = sk[cand].astype(np.int64), sk[B].astype(np.int64) if B else np.zeros((0, sk.shape[1]), np.int64)
            # A virtual empty partner makes a plain move of a into t.
            sb = np.vstack([sb, np.zeros((1, sk.shape[1]), np.int64)])
            zb = np.append(size[B] if B else np.zeros(0, np.int64), 0)
            za = size[cand]
            after_t = cnt[t][None, None, :] - sb[None, :, :] + sa[:, None, :]
            after_t2 = cnt[t2][:, None, :] - sa[:, None, :] + sb[None, :, :]
            before = (cnt[t] == 0).sum() + (cnt[t2] == 0).sum(axis=1)
            delta = before[:, None] - (after_t == 0).sum(-1) - (after_t2 == 0).sum(-1)
            lt = load[t] - zb[None, :] + za[:, None]
            lt2 = load[t2][:, None] - za[:, None] + zb[None, :]
            spread_before = np.abs(load[t] - load[t2])[:, None]
            ok = (lt >= L) & (lt <= U) & (lt2 >= L) & (lt2 <= U) & (np.abs(lt - lt2) <= np.maximum(spread_before, 1))
            delta = np.where(ok, delta, -1)
            i, jb = np.unravel_index(np.argmax(delta), delta.shape)
            if delta[i, jb] > 0 and (best is None or delta[i, jb] > best[0]):
                best = (int(delta[i, jb]), int(cand[i]), int(t2[i]), B[jb] if jb < len(B) else None, int(t))
        if best is None:
            return
        d, a, ta, b, tb = best
        _move(a, ta, tb, members, team_of, load, cnt, sk, size)
        if b is not None:
            _move(b, tb, ta, members, team_of, load, cnt, sk, size)
        split.missing = int((cnt == 0).sum())


def _move(u, src, dst, members, team_of, load, cnt, sk, size):
    members[src].remove(u)
    members[dst].append(u)
    team_of[u] = dst
    load[src] -= size[u]
    load[dst] += size[u]
    cnt[src] -= sk[u]
    cnt[dst] += sk[u]


def _exact_neighbourhood(inst, split, team_of, load, cnt, sk, size, time_limit):
    """Large challenges: re-split the teams with gaps plus donor teams exactly; keep fewer gaps."""
    k = len(split.teams)
    for _ in range(3):
        gaps = np.flatnonzero((cnt == 0).any(axis=1))
        if split.missing <= split.bound or not len(gaps) or k <= EXACT_TEAMS:
            return  # small challenges are split exactly as a whole instead
        chosen = [int(t) for t in gaps[:EXACT_TEAMS // 2]]
        missing_skills = np.flatnonzero((cnt[chosen] == 0).any(axis=0))
        spare = (cnt[:, missing_skills] - 1).clip(min=0).sum(axis=1)
        spare[chosen] = -1
        for t in np.argsort(-spare, kind="stable"):
            if len(chosen) >= EXACT_TEAMS or spare[t] <= 0:
                break
            chosen.append(int(t))
        units = [u for t in chosen for u in split.teams[t]]
        before = int((cnt[chosen] == 0).sum())
        # A team-locked unit sits in its own team, so its lock maps to that team's position here.
        fixed = {u: chosen.index(int(inst.unit_team_lock[u])) for u in units if inst.unit_team_lock[u] >= 0}
        result = _exact_split(inst, units, len(chosen), sk, size, time_limit, fixed=fixed)
        if result is None:
            return
        teams = result[0]
        if sum(int((sk[tm].sum(axis=0) == 0).sum()) for tm in teams) >= before:
            return
        split.exact_used = True
        for t, tm in zip(chosen, teams):
            for u in split.teams[t]:
                load[t] -= size[u]
                cnt[t] -= sk[u]
            split.teams[t] = list(tm)
            for u in tm:
                team_of[u] = t
                load[t] += size[u]
                cnt[t] += sk[u]
        split.missing = int((cnt == 0).sum())


def _exact_split(inst, units, k, sk, size, time_limit, fixed=None):
    """Fewest (team, skill) gaps over all splits of ``units`` into k teams of L..U.

    Returns (teams, proved optimal), or None if no split was found (none exists, or time ran out).
    """
    L, U = inst.min_size, inst.max_size
    fixed = fixed or {}
    nu, S = len(units), sk.shape[1]
    ny = nu * k
    nh = k * S
    n = int(size[units].sum())
    lo_t, hi_t = n // k, -(-n // k)
    # columns: y[u, t], h[t, j] (team t holds j), d[t] (distance to the near-equal size)
    ncol = ny + nh + k
    rows, cols, vals = [], [], []
    row_lo, row_hi = [], []
    r = 0
    for a in range(nu):
        for t in range(k):
            rows.append(r); cols.append(a * k + t); vals.append(1.0)
        row_lo.append(1.0); row_hi.append(1.0); r += 1
    for t in range(k):
        for a in range(nu):
            rows.append(r); cols.append(a * k + t); vals.append(float(size[units[a]]))
        row_lo.append(float(L)); row_hi.append(float(U)); r += 1
        # d[t] >= size - hi_t and d[t] >= lo_t - size
        for a in range(nu):
            rows.append(r); cols.append(a * k + t); vals.append(-float(size[units[a]]))
            rows.append(r + 1); cols.append(a * k + t); vals.append(float(size[units[a]]))
        rows += [r, r + 1]; cols += [ny + nh + t, ny + nh + t]; vals += [1.0, 1.0]
        row_lo += [-float(hi_t), float(lo_t)]; row_hi += [np.inf, np.inf]; r += 2
        for j in range(S):
            # h[t, j] <= sum of y[u, t] over units holding j
            rows.append(r); cols.append(ny + t * S + j); vals.append(1.0)
            for a in range(nu):
                if sk[units[a], j]:
                    rows.append(r); cols.append(a * k + t); vals.append(-1.0)
            row_lo.append(-np.inf); row_hi.append(0.0); r += 1
    A = sparse.coo_matrix((vals, (rows, cols)), shape=(r, ncol)).tocsc()
    cvec = np.zeros(ncol)
    cvec[ny:ny + nh] = -1.0
    cvec[ny + nh:] = 1.0 / (k * U + 1)  # balance (sum below k*U) only breaks ties between equal coverage
    col_lo = np.zeros(ncol)
    col_hi = np.ones(ncol)
    col_hi[ny + nh:] = U
    for a, u in enumerate(units):
        if u in fixed:
            col_lo[a * k + fixed[u]] = 1.0
    integral = np.ones(ncol, dtype=bool)
    integral[ny + nh:] = False
    out = milp.solve(milp.Milp(cvec, A, np.array(row_lo), np.array(row_hi), col_lo, col_hi, integral),
                     time_limit=min(time_limit, EXACT_TIME), rel_gap=0.0, presolve=True)
    if out.x is None:
        return None
    y = out.x[:ny].reshape(nu, k)
    teams = [[] for _ in range(k)]
    for a, u in enumerate(units):
        teams[int(np.argmax(y[a]))].append(u)
    return teams, out.status == "optimal"


def _exact_or_raise(inst, c, units, k, time_limit, S, bound):
    """The greedy packing of friend groups failed: split exactly, or prove no split exists."""
    sk = inst.unit_skill[:, :S]
    fixed = {u: int(inst.unit_team_lock[u]) for u in units if inst.unit_team_lock[u] >= 0}
    found = _exact_split(inst, units, k, sk, inst.size, time_limit, fixed=fixed)
    if found is None:
        raise Unsplittable(Cut(c, frozenset(units), k))
    teams, optimal = found
    missing = sum(int((sk[tm].sum(axis=0) == 0).sum()) for tm in teams)
    return Split(teams, missing, bound, exact_used=True, proven_min=optimal)


def can_split(inst: Instance, units: list[int], k: int, *, time_limit: float = 10.0) -> bool:
    """Whether ``units`` can form k teams of L..U with friend groups whole and team locks kept."""
    L, U = inst.min_size, inst.max_size
    n = int(inst.size[units].sum())
    if k == 0:
        return not units
    if not (L * k <= n <= U * k):
        return False
    load = np.zeros(k, dtype=np.int64)
    for u in units:
        if inst.unit_team_lock[u] >= 0:
            load[inst.unit_team_lock[u]] += inst.size[u]
    for u in sorted((u for u in units if inst.unit_team_lock[u] < 0 and inst.size[u] > 1),
                    key=lambda u: -inst.size[u]):
        t = int(np.argmin(load))
        load[t] += inst.size[u]
    if (load <= U).all() and np.maximum(load, L).sum() <= n:
        return True  # singles complete every team
    sk = np.zeros((len(inst.units), 0), dtype=bool)
    fixed = {u: int(inst.unit_team_lock[u]) for u in units if inst.unit_team_lock[u] >= 0}
    return _exact_split(inst, units, k, sk, inst.size, time_limit, fixed=fixed) is not None
