"""Ranking with ties detected and broken by the declared chain."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .constants import (
    STEP_HEAD_TO_HEAD,
    STEP_JURY_VOTE,
    STEP_NORMALISED,
    STEP_TOP_CRITERION,
    TIE_TOLERANCE,
)
from .results import RankedTeam, TieBreak, TieStep, _Data


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= TIE_TOLERANCE * max(1.0, abs(a), abs(b))


def _split(teams, values: Mapping[str, float | None]) -> tuple[tuple[str, ...], ...]:
    """Group teams by value, best first; a missing value keeps the group together."""
    if any(values.get(t) is None for t in teams):
        return (tuple(sorted(teams)),)
    ordered = sorted(teams, key=lambda t: (-values[t], t))
    groups = [[ordered[0]]]
    for team in ordered[1:]:
        if _same(values[groups[-1][0]], values[team]):
            groups[-1].append(team)
        else:
            groups.append([team])
    return tuple(tuple(sorted(g)) for g in groups)


def _head_to_head(group, data: _Data) -> dict[str, float]:
    columns = {t: data.totals[:, data.teams.index(t)] for t in group}
    points = dict.fromkeys(group, 0.0)
    for i, s in enumerate(group):
        for t in group[i + 1 :]:
            xs, xt = columns[s], columns[t]
            common = ~np.isnan(xs) & ~np.isnan(xt)
            tol = TIE_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(xs), np.abs(xt)))
            prefer_s = int((common & (xs - xt > tol)).sum())
            prefer_t = int((common & (xt - xs > tol)).sum())
            if prefer_s > prefer_t:
                points[s] += 1
            elif prefer_t > prefer_s:
                points[t] += 1
            else:
                points[s] += 0.5
                points[t] += 0.5
    return points


def _rank_with_tiebreak(method, scores_by_method, tiebreak_normalised, data):
    scores = scores_by_method[method]
    rankable = [t for t in data.teams if scores[t] is not None]
    unrankable = sorted(t for t in data.teams if scores[t] is None)
    steps = (
        (STEP_NORMALISED, lambda group: scores_by_method[tiebreak_normalised]),
        (STEP_HEAD_TO_HEAD, lambda group: _head_to_head(group, data)),
        (STEP_TOP_CRITERION, lambda group: data.top_criterion_means),
    )
    ordered: list[tuple[tuple[str, ...], str | None]] = []  # (final group, resolved_by)
    ties = []
    for group in _split(rankable, scores) if rankable else ():
        if len(group) == 1:
            ordered.append((group, None))
            continue
        recorded: list[TieStep] = []
        parts = _break_tie(group, steps, recorded)
        ties.append(TieBreak(group, tuple(recorded), all(by != STEP_JURY_VOTE for _, by in parts)))
        ordered += parts
    ranking = []
    position = 1
    for part, resolved_by in ordered:
        for team in part:
            ranking.append(RankedTeam(team, scores[team], position, resolved_by is not None, resolved_by))
        position += len(part)
    ranking += [RankedTeam(t, None, None) for t in unrankable]
    return tuple(ranking), tuple(ties)


def _break_tie(group, steps, recorded: list[TieStep]) -> list[tuple[tuple[str, ...], str]]:
    """Apply the first step to a tied group, the remaining steps to what stays tied."""
    if not steps:
        return [(group, STEP_JURY_VOTE)]
    (step, values_for), rest = steps[0], steps[1:]
    values = values_for(group)
    split = _split(group, values)
    recorded.append(TieStep(step, group, {t: values.get(t) for t in group}, split))
    parts = []
    for part in split:
        parts += [(part, step)] if len(part) == 1 else _break_tie(part, rest, recorded)
    return parts
