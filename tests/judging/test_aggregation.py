import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from citehack.judging.aggregation import (
    METHODS,
    SCALE_PRIOR_FLOOR,
    STEP_HEAD_TO_HEAD,
    STEP_JURY_VOTE,
    STEP_NORMALISED,
    STEP_TOP_CRITERION,
    AggregationError,
    Criterion,
    Score,
    aggregate,
    bootstrap,
    close_pairs,
    rank,
)

RUBRIC = (
    Criterion("impact", 2, True, 0, 10),
    Criterion("feasibility", 1, True, 0, 10),
    Criterion("presentation", 1, False, 0, 10),  # shown, not counted
)
# juror -> team -> (impact, feasibility)
HAND = {
    "J1": {"A": (8, 5), "B": (6, 6), "C": (4, 7)},
    "J2": {"A": (9, 6), "B": (7, 4), "C": (5, 8)},
    "J3": {"A": (5, 5), "B": (8, 2), "C": (3, 3)},
}


def rubric_scores(table, presentation=10):
    scores = []
    for juror, teams in table.items():
        for team, (impact, feasibility) in teams.items():
            scores += [
                Score(juror, team, "impact", impact),
                Score(juror, team, "feasibility", feasibility),
                Score(juror, team, "presentation", presentation),
            ]
    return scores


def total_scores(table):
    """One counted criterion, so each value is the juror's total for the team."""
    return [Score(j, t, "total", v) for j, teams in table.items() for t, v in teams.items()]


TOTAL = (Criterion("total"),)


def order(result, method):
    return [r.team for r in rank(result, method)]


# --- hand-computed 3 x 3 example -----------------------------------------------------


def test_weighted_totals_are_weighted_means_of_counted_criteria():
    result = aggregate(RUBRIC, rubric_scores(HAND))
    # (2 * impact + 1 * feasibility) / 3; presentation is not counted.
    expected = {
        ("J1", "A"): 7, ("J1", "B"): 6, ("J1", "C"): 5,
        ("J2", "A"): 8, ("J2", "B"): 6, ("J2", "C"): 6,
        ("J3", "A"): 5, ("J3", "B"): 6, ("J3", "C"): 3,
    }  # fmt: skip
    assert {k: v.value for k, v in result.totals.items()} == pytest.approx(expected)
    assert all(t.complete for t in result.totals.values())


def test_presentation_score_does_not_change_totals():
    low = aggregate(RUBRIC, rubric_scores(HAND, presentation=0))
    high = aggregate(RUBRIC, rubric_scores(HAND, presentation=10))
    assert low.methods["mean"].scores == high.methods["mean"].scores


def test_mean_and_median_of_weighted_totals():
    result = aggregate(RUBRIC, rubric_scores(HAND))
    assert result.methods["mean"].scores == pytest.approx({"A": 20 / 3, "B": 6, "C": 14 / 3})
    assert result.methods["median"].scores == pytest.approx({"A": 7, "B": 6, "C": 5})
    assert order(result, "mean") == ["A", "B", "C"]


def test_zscores_use_each_jurors_population_standard_deviation():
    result = aggregate(RUBRIC, rubric_scores(HAND))
    # J1 totals 7, 6, 5: mean 6, SD sqrt(2/3) -> z = sqrt(3/2), 0, -sqrt(3/2).
    # J2 totals 8, 6, 6: mean 20/3, SD sqrt(8/9) -> z = sqrt(2), -1/sqrt(2), -1/sqrt(2).
    # J3 totals 5, 6, 3: mean 14/3, SD sqrt(14/9) -> z = 1/sqrt(14), 4/sqrt(14), -5/sqrt(14).
    expected = {
        "A": (math.sqrt(1.5) + math.sqrt(2) + 1 / math.sqrt(14)) / 3,  # 0.96874
        "B": (0 - 1 / math.sqrt(2) + 4 / math.sqrt(14)) / 3,  # 0.12065
        "C": (-math.sqrt(1.5) - 1 / math.sqrt(2) - 5 / math.sqrt(14)) / 3,  # -1.08939
    }
    assert result.methods["zscore"].scores == pytest.approx(expected, abs=1e-12)
    assert result.methods["zscore"].scores["A"] == pytest.approx(0.96874, abs=1e-5)


def test_every_method_is_kept_side_by_side_and_the_chosen_one_leads():
    result = aggregate(RUBRIC, rubric_scores(HAND), method="zscore")
    assert set(result.methods) == set(METHODS)
    assert result.ranking == rank(result, "zscore")
    assert result.methods["mean"].scores["A"] == pytest.approx(20 / 3)
    assert [r.rank for r in result.ranking] == [1, 2, 3]


def test_missing_criterion_renormalises_weights_and_flags_the_pair():
    scores = [s for s in rubric_scores(HAND) if not (s.juror == "J1" and s.team == "A" and s.criterion == "feasibility")]
    result = aggregate(RUBRIC, scores)
    assert result.totals["J1", "A"].value == 8  # impact alone
    assert result.totals["J1", "A"].missing_criteria == ("feasibility",)
    assert result.design.incomplete_pairs == (("J1", "A", ("feasibility",)),)
    assert not result.design.complete


# --- validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([Score("J1", "A", "impact", 11)], "outside the scale"),
        ([Score("J1", "A", "impact", -1)], "outside the scale"),
        ([Score("J1", "A", "novelty", 5)], "unknown criterion"),
        ([Score("J1", "A", "impact", 5), Score("J1", "A", "impact", 6)], "duplicate"),
        ([Score("J1", "A", "impact", math.nan)], "not a finite number"),
        ([], "no scores"),
        ([Score("J1", "A", "presentation", 5)], "no score on a counted criterion"),
    ],
)
def test_invalid_scores_raise_aggregation_error(scores, message):
    with pytest.raises(AggregationError, match=message):
        aggregate(RUBRIC, scores)


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ((Criterion("a", 0),), "positive weight"),
        ((Criterion("a", -1, False),), "positive weight"),
        ((Criterion("a"), Criterion("a")), "declared twice"),
        ((Criterion("a", 1, False),), "no counted criterion"),
        ((Criterion("a", 1, True, 5, 5),), "minimum must be below"),
    ],
)
def test_invalid_criteria_raise_aggregation_error(criteria, message):
    with pytest.raises(AggregationError, match=message):
        aggregate(criteria, [Score("J1", "A", "a", 5)])


def test_aggregation_error_is_a_value_error():
    assert issubclass(AggregationError, ValueError)


def test_not_counted_criterion_may_weigh_zero():
    result = aggregate((Criterion("a"), Criterion("b", 0, False)), [Score("J", "A", "a", 1), Score("J", "A", "b", 2)])
    assert result.totals["J", "A"].value == 1


def test_conflicted_scores_are_excluded_and_reported():
    conflicted = [Score("J1", "A", "impact", 0), Score("J1", "A", "feasibility", 0)]
    scores = [s for s in rubric_scores(HAND) if not (s.juror == "J1" and s.team == "A")]
    result = aggregate(RUBRIC, scores + conflicted, conflicts={("J1", "A")})
    assert ("J1", "A") not in result.totals
    assert result.methods["mean"].scores["A"] == pytest.approx(6.5)
    assert set(result.design.excluded_conflict_scores) == set(conflicted)
    assert ("J1", "A", "conflict") in result.design.missing_pairs


def test_only_conflicted_scores_raise():
    with pytest.raises(AggregationError, match="once conflicts are excluded"):
        aggregate(TOTAL, [Score("J", "A", "total", 1)], conflicts={("J", "A")})


def test_expected_team_without_scores_is_reported():
    result = aggregate(TOTAL, total_scores({"J1": {"A": 1, "B": 2}}), teams=["A", "B", "C"])
    assert result.design.unscored_teams == ("C",)
    assert [r.team for r in result.ranking] == ["B", "A"]
    with pytest.raises(AggregationError, match="unknown team"):
        aggregate(TOTAL, total_scores({"J1": {"A": 1, "Z": 2}}), teams=["A"])


def test_unknown_method_raises():
    with pytest.raises(AggregationError, match="unknown method"):
        aggregate(TOTAL, total_scores({"J": {"A": 1}}), method="borda")


# --- design diagnostics ----------------------------------------------------------------


def test_incomplete_design_lists_the_missing_pairs():
    table = {"J1": {"A": 5, "B": 6, "C": 7}, "J2": {"A": 4, "C": 8}, "J3": {"B": 3, "C": 2}}
    design = aggregate(TOTAL, total_scores(table)).design
    assert not design.complete
    assert design.missing_pairs == (("J2", "B", "not scored"), ("J3", "A", "not scored"))
    assert design.connected


def test_disconnected_design_reports_components():
    table = {"J1": {"A": 5, "B": 6}, "J2": {"A": 4, "B": 8}, "J3": {"C": 3, "D": 2}}
    design = aggregate(TOTAL, total_scores(table)).design
    assert not design.connected
    assert [(c.jurors, c.teams) for c in design.components] == [
        (("J1", "J2"), ("A", "B")),
        (("J3",), ("C", "D")),
    ]
    assert any("not comparable" in w for w in design.warnings)


def test_jurors_who_cannot_be_normalised_are_reported_and_left_out_of_zscores():
    table = {
        "J1": {"A": 9, "B": 5, "C": 1},
        "J2": {"A": 8, "B": 4, "C": 2},
        "single": {"C": 10},
        "flat": {"A": 6, "B": 6, "C": 6},
    }
    result = aggregate(TOTAL, total_scores(table))
    assert result.design.jurors_too_few_teams == ("single",)
    assert result.design.jurors_zero_variance == ("flat",)
    without = aggregate(TOTAL, total_scores({k: table[k] for k in ("J1", "J2")}))
    assert result.methods["zscore"].scores == pytest.approx(without.methods["zscore"].scores)
    assert result.methods["offset-scale"].scores == pytest.approx(without.methods["offset-scale"].scores, abs=1e-8)


def test_team_no_usable_juror_scored_has_no_normalised_score():
    table = {"J1": {"A": 9, "B": 5}, "J2": {"A": 8, "B": 4}, "single": {"C": 10}}
    result = aggregate(TOTAL, total_scores(table))
    assert result.methods["zscore"].scores["C"] is None
    assert result.methods["zscore"].ranking[-1].team == "C"
    assert result.methods["zscore"].ranking[-1].rank is None
    assert result.methods["mean"].ranking[0].team == "C"


# --- tie-break chain -----------------------------------------------------------------


def test_tie_on_mean_is_resolved_by_normalised_score():
    # Means: A 6, B 6, C 3. Z-scores: A 0, B 0.61 (J2 spreads less, so its preference weighs more).
    table = {"J1": {"A": 8, "B": 4, "C": 0}, "J2": {"A": 4, "B": 8, "C": 6}}
    result = aggregate(TOTAL, total_scores(table))
    ranking = result.ranking
    assert [(r.team, r.rank, r.tied, r.resolved_by) for r in ranking] == [
        ("B", 1, True, STEP_NORMALISED),
        ("A", 2, True, STEP_NORMALISED),
        ("C", 3, False, None),
    ]
    (tie,) = result.ties
    assert tie.teams == ("A", "B") and tie.resolved
    assert [s.step for s in tie.steps] == [STEP_NORMALISED]
    assert tie.steps[0].groups == (("B",), ("A",))


def test_tie_on_mean_and_zscore_is_resolved_head_to_head():
    # Every juror gives a permutation of 0, 1, 2, 5, so z-scores tie exactly where means do;
    # A and B tie on both, but two jurors of three prefer A.
    table = {
        "J1": {"A": 2, "B": 1, "C": 5, "D": 0},
        "J2": {"A": 2, "B": 1, "C": 0, "D": 5},
        "J3": {"A": 0, "B": 2, "C": 5, "D": 1},
    }
    result = aggregate(TOTAL, total_scores(table))
    assert order(result, "mean") == ["C", "D", "A", "B"]
    (tie,) = result.ties
    assert [s.step for s in tie.steps] == [STEP_NORMALISED, STEP_HEAD_TO_HEAD]
    assert tie.steps[0].groups == (("A", "B"),)
    assert tie.steps[1].values == {"A": 1.0, "B": 0.0}
    assert [(r.team, r.rank, r.resolved_by) for r in result.ranking[2:]] == [
        ("A", 3, STEP_HEAD_TO_HEAD),
        ("B", 4, STEP_HEAD_TO_HEAD),
    ]


def test_tie_through_head_to_head_is_resolved_by_top_weighted_criterion():
    # A and B get equal totals from every juror (2*4+1 = 2*3+3 = 9), but A is stronger on impact.
    table = {juror: {"A": (4, 1), "B": (3, 3), "C": (9, 9)} for juror in ("J1", "J2")}
    result = aggregate(RUBRIC, rubric_scores(table))
    (tie,) = result.ties
    assert [s.step for s in tie.steps] == [STEP_NORMALISED, STEP_HEAD_TO_HEAD, STEP_TOP_CRITERION]
    assert tie.steps[2].values == {"A": 4, "B": 3}
    assert result.top_criterion == "impact"
    assert [(r.team, r.rank, r.resolved_by) for r in result.ranking] == [
        ("C", 1, None),
        ("A", 2, STEP_TOP_CRITERION),
        ("B", 3, STEP_TOP_CRITERION),
    ]


def test_identical_teams_need_a_jury_vote():
    table = {juror: {"A": (4, 1), "B": (4, 1), "C": (9, 9)} for juror in ("J1", "J2")}
    result = aggregate(RUBRIC, rubric_scores(table))
    (tie,) = result.ties
    assert not tie.resolved
    assert [s.step for s in tie.steps] == [STEP_NORMALISED, STEP_HEAD_TO_HEAD, STEP_TOP_CRITERION]
    assert [(r.team, r.rank, r.tied, r.resolved_by) for r in result.ranking] == [
        ("C", 1, False, None),
        ("A", 2, True, STEP_JURY_VOTE),
        ("B", 2, True, STEP_JURY_VOTE),
    ]


def test_three_way_tie_splits_and_the_rest_moves_to_the_next_step():
    # Each row is a permutation of -1, 1, 1, 2, 9, so z-scores tie where means do. A, B and D
    # tie (sum 3); A beats B and D head-to-head 2-1; B and D are identical: jury vote.
    table = {
        "J1": {"A": 2, "B": 1, "C": 9, "D": 1, "E": -1},
        "J2": {"A": 2, "B": 1, "C": -1, "D": 1, "E": 9},
        "J3": {"A": -1, "B": 1, "C": 2, "D": 1, "E": 9},
    }
    result = aggregate(TOTAL, total_scores(table))
    assert [(r.team, r.rank, r.resolved_by) for r in result.ranking] == [
        ("E", 1, None),
        ("C", 2, None),
        ("A", 3, STEP_HEAD_TO_HEAD),
        ("B", 4, STEP_JURY_VOTE),
        ("D", 4, STEP_JURY_VOTE),
    ]
    (tie,) = result.ties
    assert not tie.resolved
    assert [(s.step, s.teams, s.groups) for s in tie.steps] == [
        (STEP_NORMALISED, ("A", "B", "D"), (("A", "B", "D"),)),
        (STEP_HEAD_TO_HEAD, ("A", "B", "D"), (("A",), ("B", "D"))),
        (STEP_TOP_CRITERION, ("B", "D"), (("B", "D"),)),
    ]
    assert tie.steps[1].values == {"A": 2.0, "B": 0.5, "D": 0.5}


def test_normalised_step_cannot_separate_when_it_is_the_ranking_method():
    table = {"J1": {"A": 2, "B": 1, "C": 0}, "J2": {"A": 1, "B": 2, "C": 0}}
    result = aggregate(TOTAL, total_scores(table), method="zscore")
    (tie,) = result.ties
    assert [s.step for s in tie.steps] == [STEP_NORMALISED, STEP_HEAD_TO_HEAD, STEP_TOP_CRITERION]
    assert [r.resolved_by for r in result.ranking[:2]] == [STEP_JURY_VOTE, STEP_JURY_VOTE]


# --- closeness ------------------------------------------------------------------------


def test_close_pairs_below_threshold_and_overlapping_intervals():
    result = aggregate(RUBRIC, rubric_scores(HAND))
    pairs = close_pairs(result, "mean", threshold=1.0)
    assert [(p.upper, p.lower, p.below_threshold) for p in pairs] == [("A", "B", True)]
    assert pairs[0].difference == pytest.approx(2 / 3)
    assert close_pairs(result, "mean", threshold=0.1) == ()
    boot = bootstrap(result, "mean", resamples=200, seed=1)
    overlapping = close_pairs(result, "mean", threshold=0.0, intervals=boot)
    assert ("A", "B") in [(p.upper, p.lower) for p in overlapping if p.intervals_overlap]


# --- bootstrap -----------------------------------------------------------------------


def seven_jurors(seed=0, n_teams=12):
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n_teams)
    table = {}
    for j in range(7):
        severity, spread = rng.normal(0, 1), rng.uniform(0.5, 1.5)
        table[f"J{j}"] = {
            f"T{t:02d}": float(5 + severity + spread * quality[t] + rng.normal(0, 0.7))
            for t in range(n_teams)
            if (j + t) % 7 not in (0, 1)  # each team misses two jurors
        }
    return table


@pytest.mark.parametrize("method", METHODS)
def test_bootstrap_is_reproducible_with_a_seed_and_p_first_sums_to_one(method):
    result = aggregate(TOTAL, total_scores(seven_jurors()))
    first = bootstrap(result, method, resamples=300, seed=42)
    again = bootstrap(result, method, resamples=300, seed=42)
    other = bootstrap(result, method, resamples=300, seed=43)
    assert first == again
    assert first != other
    assert sum(i.p_first for i in first.teams.values()) == pytest.approx(1.0)
    for interval in first.teams.values():
        assert interval.low <= interval.high


@pytest.mark.parametrize("method", METHODS)
def test_dominant_team_is_first_in_nearly_every_resample(method):
    table = seven_jurors()
    for scores in table.values():
        scores["T00"] = 50.0  # far ahead for every juror who scored it
    result = aggregate(TOTAL, total_scores(table))
    boot = bootstrap(result, method, resamples=500, seed=0)
    assert boot.teams["T00"].p_first > 0.99


def test_resamples_that_score_no_team_do_not_count_towards_p_first():
    # Drawing only "single" leaves the z-score with nothing to score in that resample.
    table = {"J1": {"A": 9, "B": 5}, "single": {"C": 10}}
    result = aggregate(TOTAL, total_scores(table))
    boot = bootstrap(result, "zscore", resamples=400, seed=0)
    assert boot.teams["A"].p_first == 1.0
    assert boot.teams["C"] == bootstrap(result, "zscore", resamples=400, seed=0).teams["C"]
    assert (boot.teams["C"].low, boot.teams["C"].coverage) == (None, 0.0)
    assert 0.6 < boot.teams["A"].coverage < 0.9  # J1 is missing from about a quarter of resamples
    assert sum(i.p_first for i in boot.teams.values()) == pytest.approx(1.0)


def test_aggregate_bootstraps_the_chosen_method():
    result = aggregate(TOTAL, total_scores(seven_jurors()), method="offset-scale", bootstrap_resamples=100, seed=3)
    assert result.bootstrap.method == "offset-scale"
    assert result.bootstrap == bootstrap(result, "offset-scale", resamples=100, seed=3)
    assert all(i.coverage == 1.0 for i in result.bootstrap.teams.values())


# --- properties ----------------------------------------------------------------------


@st.composite
def designs(draw, min_jurors=2, max_jurors=5, min_teams=2, max_teams=6):
    """A juror x team table of integer totals 0-10, some pairs missing."""
    n_jurors = draw(st.integers(min_jurors, max_jurors))
    n_teams = draw(st.integers(min_teams, max_teams))
    table = {}
    for j in range(n_jurors):
        row = draw(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=n_teams, max_size=n_teams))
        if all(v is None for v in row):
            row[0] = draw(st.integers(0, 10))
        table[f"J{j}"] = {f"T{t}": v for t, v in enumerate(row) if v is not None}
    return table


FREE = (Criterion("total"),)  # no scale bound, so shifted and scaled totals stay valid
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same_order(a, b, tolerance=1e-6):
    """Every pair of teams clearly apart in one score dict is in the same order in the other."""
    for s in a:
        for t in a:
            if None in (a[s], a[t], b[s], b[t]) or abs(a[s] - a[t]) <= tolerance:
                continue
            if (a[s] > a[t]) != (b[s] > b[t]):
                return False
    return True


@PROPERTY_SETTINGS
@given(designs(), st.data(), st.floats(-20, 20), st.floats(0.1, 10))
def test_shifting_and_scaling_one_juror_leaves_zscores_unchanged(table, data, shift, factor):
    juror = data.draw(st.sampled_from(sorted(table)))
    moved = {j: dict(teams) for j, teams in table.items()}
    moved[juror] = {t: shift + factor * v for t, v in table[juror].items()}
    before = aggregate(FREE, total_scores(table)).methods["zscore"].scores
    after = aggregate(FREE, total_scores(moved)).methods["zscore"].scores
    assert before.keys() == after.keys()
    for team in before:
        assert (before[team] is None) == (after[team] is None)
        if before[team] is not None:
            assert after[team] == pytest.approx(before[team], abs=1e-9)
    assert same_order(before, after)


@PROPERTY_SETTINGS
@given(designs(min_jurors=2), st.data())
def test_scores_for_conflicted_pairs_change_nothing(table, data):
    jurors, teams = sorted(table), sorted({t for row in table.values() for t in row})
    pairs = [(j, t) for j in jurors for t in teams if t not in table[j]]
    conflicts = set(data.draw(st.lists(st.sampled_from(pairs), unique=True))) if pairs else set()
    extra = [Score(j, t, "total", data.draw(st.integers(0, 10))) for j, t in sorted(conflicts)]
    base = aggregate(TOTAL, total_scores(table), conflicts)
    with_extra = aggregate(TOTAL, total_scores(table) + extra, conflicts)
    assert with_extra.totals == base.totals
    assert with_extra.methods == base.methods
    assert with_extra.design.missing_pairs == base.design.missing_pairs
    assert set(with_extra.design.excluded_conflict_scores) == set(extra)


@PROPERTY_SETTINGS
@given(designs(), st.randoms(use_true_random=False))
def test_permuting_labels_permutes_the_output(table, random):
    jurors = sorted(table)
    teams = sorted({t for row in table.values() for t in row})
    new_jurors = random.sample([f"K{i}" for i in range(len(jurors))], len(jurors))
    new_teams = random.sample([f"U{i}" for i in range(len(teams))], len(teams))
    juror_map, team_map = dict(zip(jurors, new_jurors)), dict(zip(teams, new_teams))
    renamed = {juror_map[j]: {team_map[t]: v for t, v in row.items()} for j, row in table.items()}
    before = aggregate(TOTAL, total_scores(table))
    after = aggregate(TOTAL, total_scores(renamed))
    for method in METHODS:
        old, new = before.methods[method], after.methods[method]
        for team in teams:
            a, b = old.scores[team], new.scores[team_map[team]]
            assert (a is None) == (b is None)
            if a is not None:
                assert b == pytest.approx(a, abs=1e-7)
        old_ranks = {team_map[r.team]: (r.rank, r.resolved_by) for r in old.ranking}
        assert {r.team: (r.rank, r.resolved_by) for r in new.ranking} == old_ranks
    assert sorted(after.design.missing_pairs) == sorted(
        (juror_map[j], team_map[t], why) for j, t, why in before.design.missing_pairs
    )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 7),
    st.integers(4, 10),
    st.randoms(use_true_random=False),
    st.booleans(),
)
def test_offset_scale_recovers_the_true_order_without_noise(n_jurors, n_teams, random, incomplete):
    quality = random.sample(range(100), n_teams)
    table = {}
    for j in range(n_jurors):
        offset, scale = random.uniform(-30, 30), random.uniform(0.2, 5)
        # An incomplete design: each juror misses one team, a different one in turn.
        skip = j % n_teams if incomplete else None
        table[f"J{j}"] = {f"T{t}": offset + scale * q for t, q in enumerate(quality) if t != skip}
    # The declared condition for an exact fit: each juror's teams spread over at least
    # SCALE_PRIOR_FLOOR standard deviations of quality (always true of a complete design).
    standard = (np.array(quality) - np.mean(quality)) / np.std(quality)
    assume(all(np.std([standard[int(t[1:])] for t in row]) >= SCALE_PRIOR_FLOOR for row in table.values()))
    result = aggregate(FREE, total_scores(table))
    true_order = [f"T{t}" for t in sorted(range(n_teams), key=lambda t: -quality[t])]
    assert order(result, "offset-scale") == true_order
    scores = result.methods["offset-scale"].scores
    assert np.mean(list(scores.values())) == pytest.approx(0, abs=1e-9)
    assert np.std(list(scores.values())) == pytest.approx(1, abs=1e-9)


def test_offset_scale_returns_each_jurors_line():
    quality = {"A": 2.0, "B": 0.0, "C": -1.0, "D": -1.0}
    table = {"J1": {t: 1 + 2 * q for t, q in quality.items()}, "J2": {t: 5 + 0.5 * q for t, q in quality.items()}}
    method = aggregate(FREE, total_scores(table)).methods["offset-scale"]
    sd = np.std(list(quality.values()))
    mean = np.mean(list(quality.values()))
    assert method.juror_scales == pytest.approx({"J1": 2 * sd, "J2": 0.5 * sd})
    assert method.juror_offsets == pytest.approx({"J1": 1 + 2 * mean, "J2": 5 + 0.5 * mean})


def test_offset_scale_gives_no_weight_to_a_juror_scoring_against_the_consensus():
    table = {
        "J1": {"A": 9, "B": 6, "C": 3, "D": 1},
        "J2": {"A": 8, "B": 7, "C": 4, "D": 2},
        "contrarian": {"A": 1, "B": 3, "C": 6, "D": 9},
    }
    result = aggregate(TOTAL, total_scores(table))
    assert result.methods["offset-scale"].juror_scales["contrarian"] == 0
    assert order(result, "offset-scale") == ["A", "B", "C", "D"]
    assert any("contrarian" in w for w in result.design.warnings)
