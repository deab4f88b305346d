"""Team formation: validity on random instances, optimality against brute force, edge cases."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from citehack.teams.formation import (
    REASONS, FormationInfeasible, Person, Settings, Team, form_teams, place_late_arrival, tradeoffs,
)
from citehack.teams.formation import solve as solve_module
from citehack.teams.formation.instance import build_instance
from citehack.teams.formation.rstar import compute_r_star
from citehack.teams.formation.stage1 import solve_stage1


def cost(rank):
    return 2 ** (rank - 1) - 1


# --- checks shared by the property tests -----------------------------------------------

def assert_valid(result, people, s: Settings):
    """Everyone once, sizes, capacities, groups, locks, fixed numbers of teams, fairness."""
    placed = [pid for t in result.teams for pid in t.members]
    assert sorted(placed) == sorted(p.id for p in people)
    for t in result.teams:
        assert s.min_size <= len(t.members) <= s.max_size, t
    on = Counter()
    for t in result.teams:
        on[t.challenge] += len(t.members)
    for c, cap in s.capacity.items():
        assert on[c] <= cap
    per_c = Counter(t.challenge for t in result.teams)
    for c, k in s.teams_per_challenge.items():
        assert per_c[c] == k
    team_of = {pid: i for i, t in enumerate(result.teams) for pid in t.members}
    groups = {}
    for p in people:
        if p.group:
            groups.setdefault(p.group, set()).add(team_of[p.id])
    assert all(len(ts) == 1 for ts in groups.values())
    assert result.quality.groups_split == 0
    for pid, c in s.locks.items():
        assert result.teams[team_of[pid]].challenge == c
    for pid, index in s.team_locks.items():
        c = s.locks[pid]
        of_c = [i for i, t in enumerate(result.teams) if t.challenge == c]
        assert of_c.index(team_of[pid]) == index
    by_id = {p.id: p for p in people}
    m = len(result.challenges)
    ranks = [by_id[pid].ranks.get(t.challenge, m + 1) for t in result.teams for pid in t.members]
    assert result.quality.worst_rank == max(ranks)
    assert result.quality.first_choice_share == pytest.approx(sum(r == 1 for r in ranks) / len(ranks), abs=1e-6)
    assert result.quality.top_two_share == pytest.approx(sum(r <= 2 for r in ranks) / len(ranks), abs=1e-6)
    if s.fairness and s.method == "milp":
        assert result.quality.worst_rank <= result.quality.r_star + 1


# --- brute force -------------------------------------------------------------------------

class BruteForce:
    """Every assignment of units to challenges, and every split of each challenge into teams."""

    def __init__(self, people, s: Settings):
        self.people, self.s = people, s
        self.challenges = list(s.challenges)
        self.m = len(self.challenges)
        self.skills = sorted({k for p in people for k in p.skills})
        units, seen = [], {}
        for p in people:
            if p.group and p.group in seen:
                units[seen[p.group]].append(p)
            else:
                if p.group:
                    seen[p.group] = len(units)
                units.append([p])
        self.units = units

    def rank(self, p, c):
        return p.ranks.get(c, self.m + 1)

    def k_options(self, c, n):
        L, U = self.s.min_size, self.s.max_size
        cap = self.s.capacity.get(c, n)
        if n > cap:
            return []
        fixed = self.s.teams_per_challenge.get(c)
        options = [fixed] if fixed is not None else range(0, n // L + 1)
        return [k for k in options if L * k <= n <= U * k]

    def team_missing(self, unit_ids, k):
        """Fewest missing (team, skill) pairs over splits into k teams of L..U; None if none."""
        return self._split(tuple(sorted(unit_ids)), k)

    @lru_cache(maxsize=None)
    def _split(self, unit_ids, k):
        L, U = self.s.min_size, self.s.max_size
        if k == 0:
            return 0 if not unit_ids else None
        best = None
        sizes = [len(self.units[u]) for u in unit_ids]
        skills = [set().union(*(p.skills for p in self.units[u])) for u in unit_ids]

        def rec(i, loads, held):
            nonlocal best
            if i == len(unit_ids):
                if len(loads) == k and all(L <= x <= U for x in loads):
                    miss = sum(len(set(self.skills) - h) for h in held)
                    best = miss if best is None else min(best, miss)
                return
            for t in range(min(len(loads) + 1, k)):
                if t == len(loads):
                    loads.append(0)
                    held.append(set())
                if loads[t] + sizes[i] <= U:
                    loads[t] += sizes[i]
                    old = held[t]
                    held[t] = old | skills[i]
                    rec(i + 1, loads, held)
                    held[t] = old
                    loads[t] -= sizes[i]
                if loads[t] == 0:
                    loads.pop()
                    held.pop()

        rec(0, [], [])
        return best

    def solutions(self):
        """(max rank, missing at team level or None, stage-1 missing bound or None, cost) per assignment."""
        out = []
        options = []
        for unit in self.units:
            lock = {self.challenges.index(self.s.locks[p.id]) for p in unit if p.id in self.s.locks}
            options.append(sorted(lock) if lock else range(self.m))
        for assign in itertools.product(*options):
            by_c = [[] for _ in range(self.m)]
            for u, c in enumerate(assign):
                by_c[c].append(u)
            team_missing, bound = 0, 0
            for c in range(self.m):
                n = sum(len(self.units[u]) for u in by_c[c])
                ks = self.k_options(self.challenges[c], n)
                if not ks:
                    bound = team_missing = None
                    break
                holders = {j: sum(any(j in p.skills for p in self.units[u]) for u in by_c[c]) for j in self.skills}
                bound += min(sum(max(0, k - h) for h in holders.values()) for k in ks)
                if team_missing is not None:
                    splits = [self.team_missing(by_c[c], k) for k in ks]
                    splits = [x for x in splits if x is not None]
                    team_missing = min(splits) + team_missing if splits else None
            if bound is None:
                continue
            worst = max(self.rank(p, self.challenges[c]) for u, c in enumerate(assign) for p in self.units[u])
            total = sum(cost(self.rank(p, self.challenges[c])) for u, c in enumerate(assign) for p in self.units[u])
            out.append((worst, team_missing, bound, total))
        return out


# --- strategies --------------------------------------------------------------------------

@st.composite
def small_instances(draw, max_people=8, max_challenges=3):
    m = draw(st.integers(1, max_challenges))
    challenges = [f"C{i + 1}" for i in range(m)]
    n = draw(st.integers(1, max_people))
    L = draw(st.integers(1, 3))
    U = draw(st.integers(L, 4))
    people = []
    for i in range(n):
        order = draw(st.permutations(challenges))
        ranked = draw(st.integers(0, m))
        people.append(Person(
            id=f"p{i}",
            ranks={c: r + 1 for r, c in enumerate(order[:ranked])},
            skills=frozenset(draw(st.sets(st.sampled_from(["x", "y", "z"]), max_size=2))),
            group=draw(st.sampled_from([None, None, None, "a", "b"])),
            status=draw(st.sampled_from([None, "s1", "s2"])),
            neighbourhood=draw(st.sampled_from([None, "n1", "n2"])),
        ))
    capacity = {c: draw(st.integers(0, n + 1)) for c in challenges if draw(st.booleans()) and draw(st.booleans())}
    capacity = {c: v for c, v in capacity.items() if v == 0 or v >= L}
    fixed = {c: draw(st.integers(0, 2)) for c in challenges if draw(st.integers(0, 3)) == 0}
    locks = {}
    if draw(st.integers(0, 3)) == 0:
        locks[people[draw(st.integers(0, n - 1))].id] = draw(st.sampled_from(challenges))
    s = Settings(min_size=L, max_size=U, challenges=challenges, capacity=capacity, teams_per_challenge=fixed,
                 fairness=draw(st.booleans()), locks=locks, time_limit=20)
    return people, s


@st.composite
def larger_instances(draw):
    m = draw(st.integers(1, 5))
    challenges = [f"C{i + 1}" for i in range(m)]
    n = draw(st.integers(1, 60))
    L = draw(st.integers(1, 5))
    U = draw(st.integers(L, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    groups = draw(st.integers(0, max(0, n // 4)))
    people = []
    for i in range(n):
        order = rng.permutation(m)
        ranked = int(rng.integers(0, m + 1)) if rng.random() < 0.2 else m
        group = f"g{rng.integers(0, groups)}" if groups and rng.random() < 0.3 else None
        people.append(Person(
            id=f"p{i}", ranks={challenges[c]: r + 1 for r, c in enumerate(order[:ranked])},
            skills=frozenset(s for s in ("code", "design", "data") if rng.random() < 0.35),
            group=group, status=str(rng.choice(["a", "b", "c"])), age_band=str(rng.choice(["y", "o"])),
        ))
    capacity = {}
    if draw(st.booleans()):
        capacity = {c: int(rng.integers(L, max(L, n) + 3)) for c in challenges if rng.random() < 0.5}
    fixed = {}
    if draw(st.booleans()):
        fixed = {c: int(rng.integers(0, 3)) for c in challenges if rng.random() < 0.4}
    locks, team_locks = {}, {}
    if n and draw(st.booleans()):
        p = people[int(rng.integers(0, n))]
        if not p.group:
            locks[p.id] = challenges[int(rng.integers(0, m))]
            if draw(st.booleans()):
                team_locks[p.id] = 0
    method = draw(st.sampled_from(["milp", "milp", "greedy"]))
    s = Settings(min_size=L, max_size=U, challenges=challenges, capacity=capacity, teams_per_challenge=fixed,
                 fairness=draw(st.booleans()), diversity=draw(st.booleans()), locks=locks, team_locks=team_locks,
                 time_limit=20, method=method)
    return people, s


# --- properties --------------------------------------------------------------------------

@hsettings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_small_instances_are_valid_and_optimal_against_brute_force(instance):
    people, s = instance
    brute = BruteForce(people, s)
    sols = brute.solutions()
    team_level = [x for x in sols if x[1] is not None]
    try:
        result = form_teams(people, s)
    except FormationInfeasible as exc:
        assert str(exc) and exc.code in REASONS
        assert not team_level, f"declared infeasible but a solution exists: {exc}"
        return
    assert team_level
    assert_valid(result, people, s)
    r_star = min(w for w, *_ in team_level)
    assert result.quality.r_star == r_star
    limit = r_star + 1 if s.fairness else math.inf
    best = min((miss, c) for w, miss, _, c in team_level if w <= limit)
    assert result.quality.status == "optimal"
    assert result.quality.optimal
    assert (result.quality.teams_missing_skill_total, result.quality.preference_cost) == best
    assert result.quality.min_teams_missing_skill == best[0]


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_stage1_objective_matches_brute_force(instance):
    people, s = instance
    try:
        inst = build_instance(people, s)
        r_star, witness, cuts = compute_r_star(inst, time_limit=20, clock=lambda: 20)
    except Exception:  # infeasible instances are covered by the test above
        return
    brute = BruteForce(people, s)
    limit = r_star + 1 if s.fairness else math.inf
    challenge_level = [(bound, c) for w, _, bound, c in brute.solutions() if w <= limit]
    stage = solve_stage1(inst, inst.allowed_up_to(r_star + 1 if s.fairness else None), skills=True, cuts=(),
                         time_limit=20, rel_gap=1e-3, start=witness)
    assert stage.proved
    assert (stage.missing, stage.cost) == min(challenge_level)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_instances())
def test_larger_random_instances_are_valid_or_refused_with_a_reason(instance):
    people, s = instance
    try:
        result = form_teams(people, s)
    except FormationInfeasible as exc:
        assert len(str(exc)) > 20 and exc.code in REASONS and REASONS[exc.code] <= exc.params.keys()
        return
    assert_valid(result, people, s)
    if s.method == "milp" and result.quality.optimal:
        assert result.quality.teams_missing_skill_total == result.quality.min_teams_missing_skill


# --- specific behaviour -----------------------------------------------------------------

def people_for(n, m=7, seed=0, skills=("code", "design")):
    rng = np.random.default_rng(seed)
    chs = [f"C{i + 1}" for i in range(m)]
    return [Person(f"p{i}", {c: r + 1 for r, c in enumerate(rng.permutation(chs))},
                   frozenset(s for s in skills if rng.random() < 0.5)) for i in range(n)], chs


def test_too_many_people_for_fixed_teams_names_the_places_missing():
    people, chs = people_for(52)
    s = Settings(min_size=4, max_size=6, challenges=chs, teams_per_challenge={c: 1 for c in chs})
    with pytest.raises(FormationInfeasible) as exc:
        form_teams(people, s)
    assert str(exc.value) == ("52 people but at most 7 teams of at most 6 = 42 places: 10 places missing; "
                              "raise --max-size to 8 or allow more teams")


def test_too_few_people_for_one_team_per_challenge():
    people, chs = people_for(20)
    s = Settings(min_size=4, max_size=6, challenges=chs, teams_per_challenge={c: 1 for c in chs})
    with pytest.raises(FormationInfeasible, match=r"^with one team per challenge and 7 challenges, at least 28 "
                                                   r"people are needed \(min size 4\); there are 20"):
        form_teams(people, s)


def test_friend_group_larger_than_max_size_is_refused():
    people, chs = people_for(10, m=2)
    people = [Person(p.id, p.ranks, p.skills, group="g" if i < 7 else None) for i, p in enumerate(people)]
    with pytest.raises(FormationInfeasible, match="a friend group of 7 .* is larger than the maximum team size 6"):
        form_teams(people, Settings(min_size=2, max_size=6, challenges=chs))


def test_capacity_below_min_size_is_refused():
    people, chs = people_for(12, m=2)
    with pytest.raises(FormationInfeasible, match=r"capacity of C1 \(3\) is below the minimum team size \(4\)"):
        form_teams(people, Settings(min_size=4, max_size=6, challenges=chs, capacity={"C1": 3}))


def test_sizes_that_no_number_of_teams_fits_are_refused():
    people, chs = people_for(5, m=2)
    with pytest.raises(FormationInfeasible, match="5 people cannot be split into teams of 3 to 4"):
        form_teams(people, Settings(min_size=3, max_size=4, challenges=chs))


def test_unpackable_friend_groups_are_explained():
    people = [Person(f"{g}{i}", {"C1": 1}, group=g) for g, size in (("a", 3), ("b", 3), ("c", 2)) for i in range(size)]
    with pytest.raises(FormationInfeasible, match=r"friend groups \(sizes 3, 3, 2\) cannot be kept together"):
        form_teams(people, Settings(min_size=4, max_size=4))


def test_groups_that_do_not_pack_move_to_another_challenge():
    people = ([Person(f"{g}{i}", {"C1": 1, "C2": 2}, group=g) for g, size in (("a", 3), ("b", 3), ("c", 2))
               for i in range(size)] + [Person(f"s{i}", {"C1": 2, "C2": 1}) for i in range(4)])
    result = form_teams(people, Settings(min_size=4, max_size=4))
    assert_valid(result, people, Settings(min_size=4, max_size=4))
    assert result.quality.optimal


def test_first_choices_when_capacity_binds():
    people = [Person(f"p{i}", {"A": 1, "B": 2}) for i in range(6)] + [Person("q", {"A": 2, "B": 1})]
    s = Settings(min_size=2, max_size=4, capacity={"A": 4})
    result = form_teams(people, s)
    assert_valid(result, people, s)
    assert result.quality.first_choice_share == pytest.approx(5 / 7)
    assert result.quality.top_two_share == 1.0
    assert result.quality.worst_rank == 2
    assert result.quality.r_star == 2


def test_fairness_keeps_everyone_within_r_star_plus_one():
    # Six people love A; capacity pushes some away. B is everyone's 2nd, C everyone's 3rd but one.
    people = [Person(f"p{i}", {"A": 1, "B": 2, "C": 3}) for i in range(8)]
    people.append(Person("x", {"C": 1, "A": 2, "B": 3}))
    s = Settings(min_size=2, max_size=3, capacity={"A": 3, "B": 3, "C": 3})
    result = form_teams(people, s)
    assert result.quality.r_star == 3  # someone among the eight must take C
    assert result.quality.worst_rank <= 4


def test_skill_coverage_comes_before_first_choices():
    people = [Person("c1", {"A": 1, "B": 2}, {"code"}), Person("c2", {"A": 1, "B": 2}, {"code"}),
              Person("a1", {"A": 1, "B": 2}), Person("a2", {"A": 1, "B": 2}),
              Person("b1", {"B": 1, "A": 2}), Person("b2", {"B": 1, "A": 2})]
    result = form_teams(people, Settings(min_size=2, max_size=4, teams_per_challenge={"A": 1, "B": 1}))
    by_c = {t.challenge: set(t.members) for t in result.teams}
    assert result.quality.teams_missing_skill == {"code": 0}
    assert len(by_c["B"] & {"c1", "c2"}) == 1


def test_diversity_breaks_ties_between_equally_skilled_teams():
    people = [Person("x1", {"A": 1}, status="x"), Person("x2", {"A": 1}, status="x"),
              Person("y1", {"A": 1}, status="y"), Person("y2", {"A": 1}, status="y")]
    result = form_teams(people, Settings(min_size=2, max_size=2))
    assert sorted(sorted(t.members) for t in result.teams) == [["x1", "y1"], ["x2", "y2"]]


def test_team_locks_and_locks_are_honoured():
    people, chs = people_for(30, m=3, seed=3)
    s = Settings(min_size=3, max_size=5, challenges=chs, locks={"p0": "C3", "p1": "C3", "p2": "C1"},
                 team_locks={"p0": 1, "p1": 1})
    result = form_teams(people, s)
    assert_valid(result, people, s)


def test_greedy_fallback_when_the_solver_returns_nothing(monkeypatch):
    people, chs = people_for(40, m=4, seed=5)
    monkeypatch.setattr(solve_module, "solve_stage1", lambda *a, **k: None)
    s = Settings(min_size=3, max_size=6, challenges=chs, capacity={"C1": 12})
    result = form_teams(people, s)
    assert result.quality.status == "greedy_fallback"
    assert not result.quality.optimal
    assert_valid(result, people, s)


def test_greedy_method_is_valid_and_says_so():
    people, chs = people_for(50, m=5, seed=6)
    s = Settings(min_size=4, max_size=7, challenges=chs, method="greedy", capacity={"C2": 10})
    result = form_teams(people, s)
    assert result.quality.status == "greedy"
    assert_valid(result, people, s)


def test_no_people_gives_no_teams():
    result = form_teams([], Settings(min_size=2, max_size=4, challenges=["A"]))
    assert result.teams == []


def test_invalid_data_is_refused():
    with pytest.raises(ValueError, match="duplicate person id"):
        form_teams([Person("a", {"A": 1}), Person("a", {"A": 1})], Settings(min_size=1, max_size=2))
    with pytest.raises(ValueError, match="rank of A must be a whole number from 1 to 1"):
        form_teams([Person("a", {"A": 0})], Settings(min_size=1, max_size=2))
    with pytest.raises(FormationInfeasible, match=r"minimum team size \(3\) is above the maximum"):
        form_teams([Person("a", {"A": 1})], Settings(min_size=3, max_size=2))


def test_result_as_dict_has_the_stable_keys():
    people, chs = people_for(12, m=2)
    doc = form_teams(people, Settings(min_size=3, max_size=4, challenges=chs)).as_dict()
    assert set(doc) == {"teams", "quality"}
    assert {"first_choice_share", "top_two_share", "worst_rank", "r_star", "teams_missing_skill",
            "min_teams_missing_skill", "groups_split", "optimal", "status", "seconds"} <= set(doc["quality"])


# --- late arrivals --------------------------------------------------------------------------

def late_key(teams, person, people, s, i):
    """The documented order: rank cost, skills filled, shared attributes, size, position."""
    t = teams[i]
    members = [people[pid] for pid in t.members]
    held = set().union(*(m.skills for m in members)) if members else set()
    shared = sum(1 for m in members for a in ("status", "neighbourhood", "age_band")
                 if getattr(person, a) and getattr(m, a) == getattr(person, a))
    rank = person.ranks.get(t.challenge, len(s.challenges) + 1)
    return (cost(rank), -len(person.skills - held), shared, len(t.members), i)


@hsettings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_late_arrival_moves_nobody_and_takes_the_best_team(seed):
    rng = np.random.default_rng(seed)
    chs = ["A", "B", "C"]
    people = {f"p{i}": Person(f"p{i}", {c: r + 1 for r, c in enumerate(rng.permutation(chs))},
                              frozenset(s for s in ("x", "y") if rng.random() < 0.4),
                              status=str(rng.choice(["s", "t"])), neighbourhood=str(rng.choice(["n", "o"])))
              for i in range(14)}
    s = Settings(min_size=2, max_size=4, challenges=chs)
    teams = form_teams(list(people.values()), s).teams
    newcomer = Person("new", {c: r + 1 for r, c in enumerate(rng.permutation(chs))},
                      frozenset(s for s in ("x", "y") if rng.random() < 0.5), status="s", neighbourhood="n")
    eligible = [i for i, t in enumerate(teams) if len(t.members) < s.max_size]
    if not eligible:
        with pytest.raises(FormationInfeasible, match="every team is full"):
            place_late_arrival(teams, newcomer, s, people=people.values())
        return
    placed = place_late_arrival(teams, newcomer, s, people=people.values())
    for i, (before, after) in enumerate(zip(teams, placed.teams)):
        if i == placed.index:
            assert after.members == before.members + ("new",)
        else:
            assert after == before
    expected = min(eligible, key=lambda i: late_key(teams, newcomer, people, s, i))
    assert placed.index == expected


def test_late_arrival_joins_their_friend_group_or_is_refused():
    people = [Person("a", {"A": 1}, group="g"), Person("b", {"B": 1})]
    teams = [Team("A", ("a",)), Team("B", ("b",))]
    s = Settings(min_size=1, max_size=2)
    placed = place_late_arrival(teams, Person("c", {"B": 1}, group="g"), s, people=people)
    assert placed.index == 0
    with pytest.raises(FormationInfeasible, match="team of friend group 'g' on A is full"):
        place_late_arrival(placed.teams, Person("d", {"B": 1}, group="g"), s, people=people)


# --- trade-offs ---------------------------------------------------------------------------------

def test_tradeoffs_count_people_moved_for_skill_coverage():
    people = [Person("c1", {"A": 1, "B": 2}, {"code"}), Person("c2", {"A": 1, "B": 2}, {"code"}),
              Person("a1", {"A": 1, "B": 2}), Person("a2", {"A": 1, "B": 2}),
              Person("b1", {"B": 1, "A": 2}), Person("b2", {"B": 1, "A": 2})]
    s = Settings(min_size=2, max_size=4, teams_per_challenge={"A": 1, "B": 1})
    t = tradeoffs(people, s)
    assert t.moved_by_skill_coverage == 1
    assert "enforcing full skill coverage moves 1 person off their first choice" in t.messages
    assert t.shortages == {}
