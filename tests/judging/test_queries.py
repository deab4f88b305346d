"""The organiser's grid, the deliberation, the juror's pages and the results: the number of
queries does not grow with the number of jurors, teams or scores."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citehack.judging import services
from tests.judging.conftest import make_juror, make_teams, score_all


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(context.captured_queries)


def grow(event, organiser, *, jurors, teams, start):
    """Add jurors and teams, every juror scoring every team (with a comment), one conflict each."""
    new_teams = make_teams(event, [f"Défi {n}" for n in range(start, start + teams)], start=start)
    all_teams = list(event.teams.all())
    for index in range(jurors):
        juror = make_juror(event)
        services.declare_conflict(actor=juror, event=event, team=all_teams[index % len(all_teams)])
        for number, team in enumerate(all_teams):
            if number != index % len(all_teams):
                score_all(juror, event, team, [(number + index) % 5 + 1, 3, 4, 2, 5], comment=f"Avis {index}")
    return new_teams


@pytest.fixture
def scored(event, organiser, rubric):
    make_teams(event, ["Un", "Deux"])
    services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")
    grow(event, organiser, jurors=2, teams=0, start=3)
    services.create_default_prizes(actor=organiser, event=event)


def compare(client, event, organiser, path):
    client.get(path)
    small = count_queries(client, path)
    grow(event, organiser, jurors=4, teams=3, start=10)
    large = count_queries(client, path)
    return small, large


@pytest.mark.parametrize("name", ["judging:manage", "judging:deliberation", "judging:jurors", "judging:prizes", "judging:reveal"])
def test_organiser_pages(client, event, organiser, scored, name):
    client.force_login(organiser)

    small, large = compare(client, event, organiser, reverse(name, args=[event.slug]))

    assert small == large


def test_the_deliberation_for_a_juror_who_submitted(client, event, organiser, scored):
    juror = make_juror(event)
    for team in event.teams.all():
        score_all(juror, event, team, [4, 4, 4, 4, 4])
    services.submit_scores(actor=juror, event=event)
    client.force_login(juror)

    small, large = compare(client, event, organiser, reverse("judging:deliberation", args=[event.slug]))

    assert small == large


@pytest.mark.parametrize("name", ["judging:juror_home", "judging:conflicts"])
def test_juror_pages(client, event, organiser, scored, name):
    juror = make_juror(event)
    score_all(juror, event, event.teams.first(), [4, 4, 4, 4, 4])
    client.force_login(juror)

    small, large = compare(client, event, organiser, reverse(name, args=[event.slug]))

    assert small == large


def test_the_scoring_page(client, event, organiser, scored):
    juror = make_juror(event)
    team = event.teams.first()
    score_all(juror, event, team, [4, 4, 4, 4, 4])
    client.force_login(juror)

    small, large = compare(client, event, organiser, reverse("judging:score", args=[event.slug, team.pk]))

    assert small == large


def test_the_results_page(client, event, organiser, scored):
    services.close_scoring(actor=organiser, event=event)
    teams = list(event.teams.all())
    for prize in event.prizes.all():
        services.record_decision(actor=organiser, prize=prize, team=teams[prize.order % len(teams)], rationale="Parce que.")
    services.publish_results(actor=organiser, event=event)
    path = reverse("judging:results", args=[event.slug])
    client.get(path)
    small = count_queries(client, path)
    # Scoring is closed: the figures grow through jurors who scored before the close.
    from citehack.judging.models import JudgingSession

    JudgingSession.objects.filter(event=event).update(state="open")
    grow(event, organiser, jurors=4, teams=3, start=10)
    JudgingSession.objects.filter(event=event).update(state="closed")

    assert count_queries(client, path) == small
