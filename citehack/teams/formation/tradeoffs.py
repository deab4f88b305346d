"""What the organiser's choices cost, in people moved off their first choice."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .instance import build_instance
from .rstar import compute_r_star
from .stage1 import solve_stage1
from .types import Person, Settings


@dataclass(frozen=True)
class Tradeoffs:
    first_choices: int  # with the settings as given
    moved_by_skill_coverage: int  # first choices lost by enforcing skill coverage
    moved_by_fairness: int | None  # first choices lost by the fairness cut (None when it is off)
    min_teams_missing_skill: int
    shortages: dict[str, int]  # skill -> holders missing for every team to have one
    messages: list[str] = field(default_factory=list)


def tradeoffs(people: Sequence[Person], settings: Settings) -> Tradeoffs:
    """Solve stage 1 with and without the skill term (and the fairness cut); report the differences.

    Stage 1 only, each solve under a third of the time limit: cheap, and the
    figures are exact for the challenge-level model.
    """
    t0 = time.perf_counter()
    budget = settings.time_limit / 3
    inst = build_instance(people, settings)
    if inst.n == 0:
        return Tradeoffs(0, 0, None, 0, {})
    r_star, witness, cuts = compute_r_star(inst, time_limit=budget, clock=lambda: budget - (time.perf_counter() - t0))
    allowed = inst.allowed_up_to(r_star + 1 if settings.fairness else None)

    def first_choices(stage):
        person_c = stage.assign[inst.unit_of]
        return int((inst.rank[np.arange(inst.n), person_c] == 1).sum())

    with_skills = solve_stage1(inst, allowed, skills=True, time_limit=budget,
                               rel_gap=settings.mip_rel_gap, cuts=cuts, start=witness)
    without = solve_stage1(inst, allowed, skills=False, time_limit=budget,
                           rel_gap=settings.mip_rel_gap, cuts=cuts, start=witness)
    fc = first_choices(with_skills)
    moved = max(0, first_choices(without) - fc)
    messages = []
    if inst.skills:
        messages.append(f"enforcing full skill coverage moves {moved} "
                        f"{'person' if moved == 1 else 'people'} off their first choice")
    moved_fair = None
    if settings.fairness:
        free = solve_stage1(inst, inst.base_allowed, skills=True, time_limit=budget,
                            rel_gap=settings.mip_rel_gap, cuts=cuts, start=witness)
        moved_fair = max(0, first_choices(free) - fc)
        messages.append(f"keeping everyone within rank {r_star + 1} (R* = {r_star}) moves {moved_fair} "
                        f"{'person' if moved_fair == 1 else 'people'} off their first choice")
    teams = int(with_skills.k.sum())
    shortages = {}
    for j, s in enumerate(inst.skills):
        holders = int(inst.unit_skill[:, j].sum())
        if holders < teams:
            shortages[s] = teams - holders
            bigger = math.ceil(inst.n / holders) if holders else None
            alt = f", or allow teams of {bigger}" if bigger and bigger > inst.max_size else ""
            more = teams - holders
            messages.append(f"{more} more {'person' if more == 1 else 'people'} with skill {s!r} needed "
                            f"for every team to have one{alt}")
    return Tradeoffs(fc, moved, moved_fair, with_skills.missing, shortages, messages)
