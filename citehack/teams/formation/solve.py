"""form_teams: stage 1 (challenge level, exact), stage 2 (team split), figures."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .greedy import greedy_assignment, greedy_is_valid
from .instance import Instance, build_instance
from .model import Cut, SolverInfeasible, Stage1, assignment_cost, missing_by_challenge
from .rstar import compute_r_star, feasible_assignment, flow_lower_bound
from .stage1 import solve_stage1
from .stage2 import Unsplittable, split_challenge
from .types import FormationInfeasible, Person, Quality, Result, Settings, Team

MAX_CUTS = 50


def form_teams(people: Sequence[Person], settings: Settings) -> Result:
    """Place everyone in a team: fewest missing skills, then least rank cost, friends together.

    Raise FormationInfeasible, naming the bound and the shortfall, when the
    settings cannot be met. See ALGORITHMS.md section 2 for the model.
    """
    t0 = time.perf_counter()
    inst = build_instance(people, settings)

    def left():
        return settings.time_limit - (time.perf_counter() - t0)

    if inst.n == 0:
        return _result(inst, [], None, r_star=0, status="optimal", optimal=True, t0=t0)

    skills = settings.skill_coverage and bool(inst.skills)
    status = None
    r_star = None
    witness = None
    cuts = []
    if settings.method == "greedy":
        status = "greedy"
    else:
        try:
            r_star, witness, cuts = compute_r_star(inst, time_limit=left(), clock=left)
        except SolverInfeasible:
            raise diagnose(people, settings) from None
        except TimeoutError:
            status = "greedy_fallback"
    if r_star is None:
        r_star = flow_lower_bound(inst, 1)
    cap_rank = r_star + 1 if settings.fairness else None
    allowed = inst.allowed_up_to(cap_rank)

    # Stage 1, stage 2, and back: when a challenge's units cannot be split into its k teams,
    # or the best split misses more skills than stage 1 counted, stage 1 learns it (a cut)
    # and is solved again. Stage 1 then remains a lower bound, so a split that meets it is
    # globally optimal.
    best = None  # (missing, cost, stage, splits)
    bound = None  # the latest stage 1: with every cut so far, the tightest lower bound
    for _ in range(MAX_CUTS):
        stage = None
        if status is None:
            try:
                stage = solve_stage1(inst, allowed, skills=skills, cuts=cuts, time_limit=max(left(), 0.5),
                                     rel_gap=settings.mip_rel_gap, start=witness if not cuts else None)
            except SolverInfeasible:
                if best is not None:
                    break
                raise diagnose(people, settings) from None
            if stage is None:
                if best is not None:
                    break
                status = "greedy_fallback"
        if stage is None:
            stage = _greedy_stage(inst, allowed, settings.seed)
            if stage is None:
                raise FormationInfeasible(
                    f"no assignment was found within the time limit ({settings.time_limit:g} s) and the greedy "
                    "fallback could not meet the bounds; raise --time-limit",
                    code="time_limit", time_limit=settings.time_limit,
                )
        try:
            splits = _split_all(inst, stage, left, settings.diversity, skills)
        except Unsplittable as exc:
            if status is not None:
                raise FormationInfeasible(
                    "the greedy fallback could not pack the friend groups into teams; raise --time-limit",
                    code="time_limit", time_limit=settings.time_limit,
                ) from None
            cuts.append(exc.cut)
            continue
        bound = stage
        missing = sum(sp.missing for _, sp in splits)
        if best is None or (missing, stage.cost) < best[:2]:
            best = (missing, stage.cost, stage, splits)
        if status is not None or left() <= 0:
            break
        by_c = stage.missing_by_c if stage.missing_by_c is not None else np.zeros(inst.m, dtype=np.int64)
        learnt = [
            Cut(c, frozenset(int(u) for u in np.flatnonzero(stage.assign == c)), int(stage.k[c]), floor=sp.missing)
            for c, sp in splits if sp.missing > by_c[c] and sp.proven_min
        ]
        if not learnt:
            break
        cuts.extend(learnt)
    if best is None:
        raise FormationInfeasible("friend groups could not be packed into teams of the allowed sizes",
                                  code="groups_not_packed")
    best_missing, best_cost, stage, splits = best

    teams = []
    missing = 0
    for c, split in splits:
        missing += split.missing
        for members in split.teams:
            ids = tuple(inst.ids[i] for u in members for i in inst.units[u])
            teams.append(Team(inst.challenges[c], ids))
    optimal = status is None and bound.proved and (best_missing, best_cost) <= (bound.missing, bound.cost)
    if status is None:
        status = "optimal" if optimal else ("stage2_gap" if bound.proved else "time_limit")
    return _result(inst, teams, stage, r_star=r_star, status=status, optimal=optimal, t0=t0,
                   bound=(bound.missing, bound.cost))


def _greedy_stage(inst: Instance, allowed, seed) -> Stage1 | None:
    for permitted in (allowed, inst.base_allowed):
        found = greedy_assignment(inst, permitted, seed=seed)
        if found is not None and greedy_is_valid(inst, *found):
            assign, k = found
            return Stage1(assign, k, int(missing_by_challenge(inst, assign, k).sum()),
                          assignment_cost(inst, assign), proved=False)
    return None


def _split_all(inst, stage, left, diversity, skills):
    out = []
    for c in range(inst.m):
        units = [int(u) for u in np.flatnonzero(stage.assign == c)]
        out.append((c, split_challenge(inst, c, units, int(stage.k[c]), time_limit=max(left(), 1.0),
                                       diversity=diversity, skills=skills)))
    return out


def _result(inst: Instance, teams: list[Team], stage, *, r_star, status, optimal, t0, bound=(0, 0)) -> Result:
    index = {pid: i for i, pid in enumerate(inst.ids)}
    cidx = {c: j for j, c in enumerate(inst.challenges)}
    ranks = []
    team_of = {}
    for t, team in enumerate(teams):
        for pid in team.members:
            ranks.append(int(inst.rank[index[pid], cidx[team.challenge]]))
            team_of[pid] = t
    ranks = np.array(ranks, dtype=np.int64)
    n = max(len(ranks), 1)
    missing = {s: 0 for s in inst.skills}
    for team in teams:
        held = set()
        for pid in team.members:
            held |= inst.people[index[pid]].skills
        for s in inst.skills:
            if s not in held:
                missing[s] += 1
    split = sum(
        1 for u, g in enumerate(inst.unit_group)
        if g is not None and len({team_of.get(inst.ids[i]) for i in inst.units[u]}) > 1
    )
    quality = Quality(
        first_choice_share=round(float((ranks == 1).sum()) / n, 6),
        top_two_share=round(float((ranks <= 2).sum()) / n, 6),
        worst_rank=int(ranks.max()) if len(ranks) else 0,
        r_star=int(r_star),
        unranked_placements=int((ranks == inst.unranked).sum()),
        teams_missing_skill=missing,
        teams_missing_skill_total=int(sum(missing.values())),
        min_teams_missing_skill=int(bound[0]),
        groups_split=split,
        preference_cost=int(((1 << (ranks - 1)) - 1).sum()) if len(ranks) else 0,
        optimal=bool(optimal),
        status=status,
        seconds=round(time.perf_counter() - t0, 3),
    )
    return Result(
        teams=teams, quality=quality,
        stage1_missing=int(bound[0]),
        stage1_cost=int(bound[1]),
        unranked_rank=inst.unranked, challenges=tuple(inst.challenges),
    )


def diagnose(people: Sequence[Person], settings: Settings) -> FormationInfeasible:
    """Name the bound behind a solver-proved infeasibility by relaxing one thing at a time."""
    L, U = settings.min_size, settings.max_size
    sizes_text = f"{L} to {U}" if L != U else f"{L}"

    def solvable(ps, st):
        try:
            inst = build_instance(ps, st)
            return feasible_assignment(inst, inst.base_allowed, time_limit=10.0) is not None
        except (FormationInfeasible, TimeoutError):
            return False

    sizes = {}
    for p in people:
        if p.group:
            sizes[p.group] = sizes.get(p.group, 0) + 1
    if sizes:
        ungrouped = [replace(p, group=None) for p in people]
        if solvable(ungrouped, settings):
            listed = ", ".join(str(s) for s in sorted(sizes.values(), reverse=True))
            outside = sum(1 for p in people if not p.group)
            return FormationInfeasible(
                f"friend groups (sizes {listed}) cannot be kept together in teams of {sizes_text}: "
                f"the {outside} people outside groups are not enough to complete their teams within the "
                f"capacities and numbers of teams; widen the team sizes or split a group",
                code="groups_cannot_fit", group_sizes=sorted(sizes.values(), reverse=True), outside=outside,
                min_size=L, max_size=U,
            )
    if settings.locks and solvable(people, replace(settings, locks={}, team_locks={})):
        return FormationInfeasible(f"the locks cannot all be honoured with teams of {sizes_text} and the capacities",
                                   code="locks_conflict", min_size=L, max_size=U)
    if settings.capacity and solvable(people, replace(settings, capacity={})):
        return FormationInfeasible(
            f"the capacities cannot be met with teams of {sizes_text} (each challenge takes a whole number "
            "of teams); raise or remove some capacities",
            code="capacities_conflict", min_size=L, max_size=U,
        )
    return FormationInfeasible(
        f"no assignment meets teams of {sizes_text} together with the capacities and the fixed numbers of teams; "
        "relax one of them",
        code="no_assignment", min_size=L, max_size=U,
    )
