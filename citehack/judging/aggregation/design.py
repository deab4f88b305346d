"""Design diagnostics: missing pairs, connectivity, jurors the normalised methods leave out."""

from __future__ import annotations

from .arrays import _juror_spread
from .constants import NORMALISED_METHODS, OFFSET_SCALE
from .results import Component, Design


def _design(x, jurors, teams, totals, conflicts, incomplete, excluded, unscored, methods) -> Design:
    missing = tuple(
        (j, t, "conflict" if (j, t) in conflicts else "not scored")
        for j in jurors
        for t in teams
        if (j, t) not in totals
    )
    components = _components(jurors, teams, totals)
    _, n, _, _, _, usable = _juror_spread(x[None])
    n, usable = n[0], usable[0]
    too_few = tuple(j for j, k in zip(jurors, n) if k < 2)
    zero_variance = tuple(j for j, k, u in zip(jurors, n, usable) if k >= 2 and not u)
    notes = []
    if len(components) > 1:
        notes.append(
            f"the juror-team design falls into {len(components)} separate groups: normalised "
            "scores are not comparable across groups"
        )
    if too_few:
        notes.append(f"left out of the normalised scores (fewer than 2 teams): {', '.join(too_few)}")
    if zero_variance:
        notes.append(f"left out of the normalised scores (same total for every team): {', '.join(zero_variance)}")
    scales = methods[OFFSET_SCALE].juror_scales
    against = [j for j, k, u in zip(jurors, n, usable) if k >= 3 and u and scales[j] == 0]
    if against:
        notes.append(f"totals run against the consensus, weight 0 in the offset-scale model: {', '.join(against)}")
    for m in NORMALISED_METHODS:
        lost = [t for t, v in methods[m].scores.items() if v is None]
        if lost:
            notes.append(f"no score under {m} (no usable juror): {', '.join(lost)}")
    if unscored:
        notes.append(f"teams without any counted score: {', '.join(unscored)}")
    if excluded:
        pairs = sorted({(s.juror, s.team) for s in excluded})
        notes.append("scores excluded for conflicts: " + ", ".join(f"{j}/{t}" for j, t in pairs))
    return Design(
        complete=not missing and not incomplete,
        missing_pairs=missing,
        incomplete_pairs=tuple(incomplete),
        connected=len(components) == 1,
        components=components,
        excluded_conflict_scores=tuple(excluded),
        jurors_too_few_teams=too_few,
        jurors_zero_variance=zero_variance,
        unscored_teams=unscored,
        warnings=tuple(notes),
    )


def _components(jurors, teams, totals) -> tuple[Component, ...]:
    """Connected components of the bipartite juror-team graph, largest first."""
    parent = {("j", j): ("j", j) for j in jurors} | {("t", t): ("t", t) for t in teams}

    def find(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for juror, team in totals:
        parent[find(("j", juror))] = find(("t", team))
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    components = [
        Component(
            tuple(sorted(name for kind, name in nodes if kind == "j")),
            tuple(sorted(name for kind, name in nodes if kind == "t")),
        )
        for nodes in groups.values()
    ]
    return tuple(sorted(components, key=lambda c: (-len(c.teams) - len(c.jurors), c.teams)))
