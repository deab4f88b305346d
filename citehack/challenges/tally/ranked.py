"""The ranking rules: ``schulze`` and ``stv`` (Scottish STV)."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import numpy as np

from .ties import HISTORY, _Index, _names


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
