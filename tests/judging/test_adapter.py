"""The adapter from the models to aggregation.py, against a case computed by hand.

Rubric: A (weight 2) and B (weight 1) counted, C shown but not counted, all 1 to 5.
Weighted totals (2A + B) / 3:
    juror 1: T1 (5, 2) -> 4, T2 (3, 3) -> 3, T3 (1, 4) -> 2
    juror 2: T1 (4, 4) -> 4, T2 (4, 1) -> 3, T3 (2, 5) -> 3
    juror 3: T1 scored (1, 1), then a conflict declared: left out; T2 (5, 5) -> 5, T3 (3, 3) -> 3
Mean: T1 8/2 = 4, T2 11/3, T3 8/3. Median: T1 4, T2 3, T3 3 (a tie).
Z-scores per juror (population SD): juror 1 (4, 3, 2) -> (+1.2247, 0, -1.2247); juror 2
(4, 3, 3) -> (+1.4142, -0.7071, -0.7071); juror 3 (5, 3) -> (+1, -1). Team means:
T1 1.3195, T2 0.0976, T3 -0.9773; so the median's tie T2 = T3 goes to T2 by the z-score.
"""

from decimal import Decimal

import pytest

from citehack.judging import aggregation as agg
from citehack.judging import selectors, services
from tests.judging.conftest import make_juror

Z1 = 1.5 ** 0.5  # 1 / sqrt(2/3)
Z2 = 2 ** 0.5


@pytest.fixture
def case(event, organiser, teams):
    t1, t2, t3 = teams[:3]
    teams[3].delete()
    a, b, c = [
        services.save_criterion(actor=organiser, event=event, name=name, description="", scale_min=1, scale_max=5,
                                labels={}, weight=Decimal(weight), counted=counted, order=order)
        for order, (name, weight, counted) in enumerate([("A", 2, True), ("B", 1, True), ("C", 0, False)], start=1)
    ]
    services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")
    j1, j2, j3 = [make_juror(event, user__name=name) for name in ("Juror One", "Juror Two", "Juror Three")]
    sheet = {
        j1: {t1: (5, 2, 1), t2: (3, 3, None), t3: (1, 4, None)},
        j2: {t1: (4, 4, None), t2: (4, 1, None), t3: (2, 5, None)},
        j3: {t1: (1, 1, None), t2: (5, 5, None), t3: (3, 3, None)},
    }
    for juror, by_team in sheet.items():
        for team, values in by_team.items():
            scores = {crit.pk: v for crit, v in zip((a, b, c), values) if v is not None}
            services.save_scorecard(actor=juror, event=event, team=team, values=scores,
                                    comment="Bravo" if (juror, team) == (j2, t2) else None)
    services.declare_conflict(actor=j3, event=event, team=t1, reason="Mon fils")
    return {"teams": (t1, t2, t3), "jurors": (j1, j2, j3), "criteria": (a, b, c)}


def by_team(view, method):
    return {row["team"]: row for row in view.ranking(method)}


def test_the_adapter_reads_criteria_scores_and_conflicts_as_plain_data(event, case):
    (t1, t2, t3), (j1, j2, j3), (a, b, c) = case["teams"], case["jurors"], case["criteria"]

    data = selectors.aggregation_input(event)

    assert data.criteria == [
        agg.Criterion(f"c{a.pk}", 2.0, True, 1.0, 5.0), agg.Criterion(f"c{b.pk}", 1.0, True, 1.0, 5.0),
        agg.Criterion(f"c{c.pk}", 0.0, False, 1.0, 5.0),
    ]
    assert len(data.scores) == 19
    assert data.conflicts == [(f"j{j3.pk}", f"t{t1.pk}")]
    assert data.team_keys == [f"t{t.pk}" for t in (t1, t2, t3)]
    assert data.jurors[f"j{j1.pk}"] == j1


def test_weighted_totals_and_every_method_match_the_hand_computation(event, case):
    (t1, t2, t3), (j1, j2, j3) = case["teams"], case["jurors"]

    view = selectors.deliberation(event, resamples=200)

    totals = {(view.juror(j), view.team(t)): total.value for (j, t), total in view.result.totals.items()}
    assert totals == pytest.approx({
        (j1, t1): 4, (j1, t2): 3, (j1, t3): 2, (j2, t1): 4, (j2, t2): 3, (j2, t3): 3, (j3, t2): 5, (j3, t3): 3,
    })
    mean = by_team(view, agg.MEAN)
    assert [mean[t]["score"] for t in (t1, t2, t3)] == pytest.approx([4, 11 / 3, 8 / 3])
    assert [mean[t]["rank"] for t in (t1, t2, t3)] == [1, 2, 3]
    median = by_team(view, agg.MEDIAN)
    assert [median[t]["score"] for t in (t1, t2, t3)] == pytest.approx([4, 3, 3])
    assert [median[t]["rank"] for t in (t1, t2, t3)] == [1, 2, 3]
    assert median[t2]["tied"] and median[t2]["resolved_by"] == "normalised score"
    zscore = by_team(view, agg.ZSCORE)
    assert [zscore[t]["score"] for t in (t1, t2, t3)] == pytest.approx(
        [(Z1 + Z2) / 2, (0 - Z2 / 2 + 1) / 3, (-Z1 - Z2 / 2 - 1) / 3], abs=1e-9
    )


def test_the_conflict_excludes_the_scores_given_before_it_and_is_reported(event, case):
    (t1, _t2, _t3), (_j1, _j2, j3) = case["teams"], case["jurors"]

    view = selectors.deliberation(event, resamples=0)

    assert {(s.juror, s.team) for s in view.result.design.excluded_conflict_scores} == {(f"j{j3.pk}", f"t{t1.pk}")}
    matrix = {juror: {team: (total, reason) for team, total, reason, _partial in cells} for juror, cells in view.matrix()}
    assert matrix[j3][t1] == (None, "conflict")
    assert any("left out" in note and str(j3.name) in note for note in view.warnings())


def test_bootstrap_intervals_and_chances_of_being_first_are_seeded_and_sum_to_one(event, case):
    t1 = case["teams"][0]

    first = selectors.deliberation(event, resamples=300)
    again = selectors.deliberation(event, resamples=300)

    rows = first.ranking(agg.MEAN)
    assert sum(row["p_first"] for row in rows) == pytest.approx(1)
    assert rows[0]["team"] == t1 and rows[0]["low"] <= rows[0]["score"] <= rows[0]["high"]
    assert [r["p_first"] for r in rows] == [r["p_first"] for r in again.ranking(agg.MEAN)]
    assert set(first.bootstraps) == set(agg.METHODS)


def test_side_by_side_and_comments(event, case):
    t1, t2, t3 = case["teams"]

    view = selectors.deliberation(event, resamples=0)

    positions = view.side_by_side()
    assert [cells[0][0] for _pos, cells in positions] == [t1, t2, t3]
    assert len(positions[0][1]) == len(agg.METHODS)
    assert [(team, [c[1] for c in comments]) for team, comments in view.comments_by_team()] == [(t2, ["Bravo"])]


def test_no_score_gives_a_message_not_an_error(event, organiser, rubric, teams):
    view = selectors.deliberation(event)

    assert view.result is None and view.error == "No score yet."


def test_a_former_juror_scores_are_left_out(event, case):
    from citehack.events.models import Membership

    j1 = case["jurors"][0]
    Membership.objects.filter(user=j1, event=event, role="juror").delete()

    view = selectors.deliberation(event, resamples=0)

    assert f"j{j1.pk}" not in view.result.jurors
