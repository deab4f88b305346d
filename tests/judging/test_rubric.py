"""The rubric: a sensible default, edited by the organiser, frozen once scoring opens."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.judging import services
from citehack.judging.models import Criterion, JudgingSession


def rubric_rows(event):
    return list(Criterion.objects.filter(event=event).values_list("name", "weight", "counted", "scale_min", "scale_max", "labels"))


def criterion_data(**overrides):
    data = {"name": "Coup de cœur", "description": "", "scale_min": "1", "scale_max": "5",
            "labels": "Faible\nExcellent", "weight": "1", "counted": "on", "order": "6"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_default_rubric_has_five_criteria_on_a_labelled_scale(event, organiser):
    criteria = services.create_default_rubric(actor=organiser, event=event)

    assert [c.name for c in criteria] == [
        "Relevance to the challenge", "Innovation", "Feasibility", "Impact for the neighbourhood", "Quality of the pitch",
    ]
    assert all((c.scale_min, c.scale_max) == (1, 5) and len(c.labels) == 5 and c.counted for c in criteria)
    assert [c.weight for c in criteria] == [Decimal(2), Decimal(1), Decimal(1), Decimal(2), Decimal(1)]
    assert AuditEntry.objects.filter(action="judging.rubric.default", event=event).exists()


def test_the_default_rubric_is_created_on_demand_from_the_page(organiser_client, event):
    path = reverse("judging:rubric", args=[event.slug])
    assert "Use the default rubric" in organiser_client.get(path).content.decode()

    organiser_client.post(path)
    organiser_client.post(path)

    assert Criterion.objects.filter(event=event).count() == 5


def test_the_organiser_adds_a_criterion_shown_but_not_counted(organiser_client, event, rubric):
    response = organiser_client.post(reverse("judging:criterion_create", args=[event.slug]),
                                     criterion_data(counted=None, weight="0"))

    assert response.status_code == 302
    added = Criterion.objects.get(event=event, name="Coup de cœur")
    assert not added.counted and added.weight == 0
    assert added.labels == {"1": "Faible", "5": "Excellent"}


def test_the_organiser_edits_a_criterion(organiser_client, event, rubric):
    path = reverse("judging:criterion_edit", args=[event.slug, rubric[0].pk])
    page = organiser_client.get(path).content.decode()
    assert "Relevance to the challenge" in page and "Excellent" in page

    organiser_client.post(path, criterion_data(name="Pertinence", weight="3", labels="1\n2\n3\n4\n5", order="1"))

    rubric[0].refresh_from_db()
    assert (rubric[0].name, rubric[0].weight, rubric[0].labels["3"]) == ("Pertinence", Decimal(3), "3")


@pytest.mark.parametrize("overrides,message", [
    ({"scale_max": "1"}, "highest score must be above"),
    ({"scale_min": "0", "scale_max": "20"}, "at most 11 points"),
    ({"labels": "a\nb\nc"}, "Give 5 lines"),
    ({"weight": "0"}, "weight above zero"),
    ({"weight": "-1"}, "greater than or equal to 0"),
    ({"scale_min": "0", "scale_max": "10"}, "share one scale"),
    ({"name": "innovation"}, "already has this name"),
    ({"scale_min": "un"}, "Enter a whole number"),
])
def test_bad_criteria_are_refused_with_a_message_and_nothing_changes(organiser_client, event, rubric, overrides, message):
    before = rubric_rows(event)

    response = organiser_client.post(reverse("judging:criterion_create", args=[event.slug]),
                                     criterion_data(**{"labels": "", **overrides}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert rubric_rows(event) == before


def test_the_rubric_is_frozen_once_scoring_opens(organiser_client, event, organiser, opened, rubric):
    before = rubric_rows(event)

    create = organiser_client.post(reverse("judging:criterion_create", args=[event.slug]), criterion_data())
    edit = organiser_client.post(reverse("judging:criterion_edit", args=[event.slug, rubric[0].pk]),
                                 criterion_data(name="Autre"))
    delete = organiser_client.post(reverse("judging:criterion_delete", args=[event.slug, rubric[0].pk]))
    default = organiser_client.post(reverse("judging:rubric", args=[event.slug]))

    assert create.status_code == edit.status_code == 403
    assert "The rubric is frozen" in create.content.decode()
    assert delete.status_code == default.status_code == 302
    assert rubric_rows(event) == before
    for call in (
        lambda: services.save_criterion(actor=organiser, event=event, name="X", scale_min=1, scale_max=5, labels={},
                                        weight=Decimal(1), counted=True, order=9),
        lambda: services.delete_criterion(actor=organiser, criterion=rubric[0]),
        lambda: services.create_default_rubric(actor=organiser, event=event),
    ):
        with pytest.raises(ValidationError, match="frozen"):
            call()
    assert rubric_rows(event) == before


def test_the_rubric_stays_frozen_after_close(event, organiser, opened, rubric):
    services.close_scoring(actor=organiser, event=event)

    with pytest.raises(ValidationError, match="frozen"):
        services.delete_criterion(actor=organiser, criterion=rubric[0])


def test_opening_records_the_tie_break_chain_and_its_declaration_time(event, organiser, rubric, teams):
    services.open_scoring(actor=organiser, event=event, tiebreak_method="offset-scale")

    session = JudgingSession.objects.get(event=event)
    assert session.state == "open" and session.tiebreak_method == "offset-scale"
    assert session.tiebreak_declared_at == session.opened_at is not None
    entry = AuditEntry.objects.get(action="judging.open")
    assert entry.after["tiebreak"][0] == "offset-scale" and len(entry.after["rubric"]) == 5


@pytest.mark.parametrize("setup,message", [
    ("no_rubric", "at least one counted criterion"),
    ("no_teams", "no published team"),
    ("wrong_phase", "move the event"),
])
def test_scoring_does_not_open_without_what_it_needs(event, organiser, setup, message):
    from tests.judging.conftest import make_teams

    if setup != "no_rubric":
        services.create_default_rubric(actor=organiser, event=event)
    if setup != "no_teams":
        make_teams(event)
    if setup == "wrong_phase":
        event.phase = "registration"
        event.save()

    with pytest.raises(ValidationError, match=message):
        services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")
    assert not JudgingSession.objects.filter(event=event, state="open").exists()


def test_close_and_reopen(organiser_client, event, organiser, opened):
    organiser_client.post(reverse("judging:close", args=[event.slug]))
    assert JudgingSession.objects.get(event=event).state == "closed"
    organiser_client.post(reverse("judging:reopen", args=[event.slug]))
    assert JudgingSession.objects.get(event=event).state == "open"
    organiser_client.post(reverse("judging:open", args=[event.slug]), {"tiebreak_method": "zscore"})
    assert JudgingSession.objects.get(event=event).state == "open"


def test_the_open_form_refuses_an_unknown_method(organiser_client, event, rubric, teams):
    organiser_client.post(reverse("judging:open", args=[event.slug]), {"tiebreak_method": "mean"})

    assert not JudgingSession.objects.filter(event=event, state="open").exists()
