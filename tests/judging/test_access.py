"""Every jury view refuses the wrong people, and nothing changes: anonymous visitors are sent
to sign in, people without the role here (a participant, a mentor, another event's organiser
or juror) get the 403 page. Jurors' scores stay hidden from other jurors until they submit."""

import pytest
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.events.models import Membership
from citehack.judging import services
from citehack.judging.models import (
    Conflict, Criterion, Decision, JudgingSession, Juror, Prize, RevealState, Score, Scorecard,
)
from tests.judging.conftest import score_all

JUROR_VIEWS = [
    ("judging:juror_home", None, "get"),
    ("judging:conflicts", None, "get"),
    ("judging:conflicts", None, "post"),
    ("judging:score", "team", "get"),
    ("judging:score", "team", "post"),
    ("judging:submit", None, "post"),
]
DELIBERATION_VIEWS = [
    ("judging:deliberation", None, "get"),
    ("judging:prize", "prize", "get"),
    ("judging:prize", "prize", "post"),
]
MANAGE_VIEWS = [
    ("judging:manage", None, "get"),
    ("judging:open", None, "post"),
    ("judging:close", None, "post"),
    ("judging:reopen", None, "post"),
    ("judging:rubric", None, "get"),
    ("judging:rubric", None, "post"),
    ("judging:criterion_create", None, "get"),
    ("judging:criterion_create", None, "post"),
    ("judging:criterion_edit", "criterion", "get"),
    ("judging:criterion_edit", "criterion", "post"),
    ("judging:criterion_delete", "criterion", "get"),
    ("judging:criterion_delete", "criterion", "post"),
    ("judging:jurors", None, "get"),
    ("judging:jurors", None, "post"),
    ("judging:juror_president", "juror", "post"),
    ("judging:juror_resend", "juror", "post"),
    ("judging:prizes", None, "get"),
    ("judging:prizes", None, "post"),
    ("judging:prize_create", None, "get"),
    ("judging:prize_create", None, "post"),
    ("judging:prize_edit", "prize", "get"),
    ("judging:prize_edit", "prize", "post"),
    ("judging:prize_delete", "prize", "post"),
    ("judging:reveal", None, "get"),
    ("judging:reveal_next", None, "post"),
    ("judging:reveal_reset", None, "post"),
    ("judging:publish", None, "post"),
    ("judging:unpublish", None, "post"),
]
INTRUDERS = ["anonymous", "stranger", "participant", "mentor", "other_event_organiser", "other_event_juror"]


@pytest.fixture
def world(event, organiser, opened, jurors, teams, rubric):
    """Scoring open, some scores, a conflict, prizes: every object a view may name exists."""
    score_all(jurors[0], event, teams[0], [3, 4, 5, 4, 3], comment="Secret")
    services.declare_conflict(actor=jurors[1], event=event, team=teams[2])
    prizes = services.create_default_prizes(actor=organiser, event=event)
    return {"team": teams[0], "prize": prizes[0], "criterion": rubric[0], "juror": jurors[0]}


@pytest.fixture
def people(stranger, participant, mentor, other_event_organiser, other_event_juror, organiser, jurors):
    return {"anonymous": None, "stranger": stranger, "participant": participant, "mentor": mentor,
            "other_event_organiser": other_event_organiser, "other_event_juror": other_event_juror,
            "organiser": organiser, "juror": jurors[1]}


def path_for(name, arg, event, world):
    args = [event.slug]
    if arg:
        args.append(world[arg].pk)
    return reverse(name, args=args)


def data_for(name, world):
    """A valid-looking form, so that only the permission can stop it."""
    team, criterion = world["team"], world["criterion"]
    return {
        "judging:score": {f"c{criterion.pk}": "5", "comment": "Intrus"},
        "judging:conflicts": {"team": team.pk, "action": "declare"},
        "judging:submit": {"confirm_incomplete": "on"},
        "judging:prize": {"team": team.pk, "rationale": "Intrus"},
        "judging:open": {"tiebreak_method": "zscore"},
        "judging:criterion_create": {"name": "Intrus", "scale_min": "1", "scale_max": "5", "weight": "1", "order": "9"},
        "judging:criterion_edit": {"name": "Intrus", "scale_min": "1", "scale_max": "5", "weight": "1", "order": "9"},
        "judging:jurors": {"email": "intrus@example.org", "name": "Intrus"},
        "judging:juror_president": {"president": "on"},
        "judging:prize_create": {"name": "Intrus", "kind": "jury", "order": "9"},
        "judging:prize_edit": {"name": "Intrus", "kind": "jury", "order": "9"},
    }.get(name, {})


def snapshot():
    return (
        list(Criterion.objects.values_list("pk", "name", "weight").order_by("pk")),
        list(Scorecard.objects.values_list("pk", "comment").order_by("pk")),
        list(Score.objects.values_list("pk", "value").order_by("pk")),
        list(Conflict.objects.values_list("pk", "juror_id", "team_id").order_by("pk")),
        list(JudgingSession.objects.values_list("state", "results_published_at")),
        list(Juror.objects.values_list("pk", "president", "submitted_at", "invited_at").order_by("pk")),
        list(Prize.objects.values_list("pk", "name").order_by("pk")),
        Decision.objects.count(), list(RevealState.objects.values_list("revealed", flat=True)),
        Membership.objects.count(), AuditEntry.objects.count(),
    )


def call(client, method, path, data):
    return client.get(path) if method == "get" else client.post(path, data)


def assert_refused(response, user):
    if user is None:
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", INTRUDERS)
@pytest.mark.parametrize("name,arg,method", JUROR_VIEWS + DELIBERATION_VIEWS + MANAGE_VIEWS)
def test_jury_views_refuse_people_without_a_role_here(client, event, world, people, who, name, arg, method):
    user = people[who]
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = call(client, method, path_for(name, arg, event, world), data_for(name, world))

    assert_refused(response, user)
    assert snapshot() == before


@pytest.mark.parametrize("name,arg,method", MANAGE_VIEWS)
def test_organiser_pages_refuse_a_juror(client, event, world, people, name, arg, method):
    client.force_login(people["juror"])
    before = snapshot()

    assert call(client, method, path_for(name, arg, event, world), data_for(name, world)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name,arg,method", JUROR_VIEWS)
def test_scoring_pages_refuse_an_organiser_who_is_not_on_the_jury(client, event, world, people, name, arg, method):
    client.force_login(people["organiser"])
    before = snapshot()

    assert call(client, method, path_for(name, arg, event, world), data_for(name, world)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name,arg,method", [v for v in JUROR_VIEWS + DELIBERATION_VIEWS + MANAGE_VIEWS if v[1]])
def test_objects_of_another_event_are_not_found(client, event, world, other_event, name, arg, method):
    """Another event's organiser, on their own event's address, naming this event's objects."""
    from tests.factories import MembershipFactory

    boss = MembershipFactory(event=other_event, role="organiser").user
    MembershipFactory(event=other_event, role="juror", user=boss)
    client.force_login(boss)
    before = snapshot()
    path = reverse(name, args=[other_event.slug, world[arg].pk])

    assert call(client, method, path, data_for(name, world)).status_code == 404
    assert snapshot() == before


def test_other_jurors_scores_stay_hidden_until_the_juror_submits(client, event, world, jurors, teams):
    juror = jurors[1]
    client.force_login(juror)
    deliberation = reverse("judging:deliberation", args=[event.slug])
    prize = reverse("judging:prize", args=[event.slug, world["prize"].pk])

    refused = client.get(deliberation)
    assert refused.status_code == client.get(prize).status_code == 403
    assert "Submit your own scores first" in refused.content.decode()
    assert "Secret" not in refused.content.decode()
    home = client.get(reverse("judging:juror_home", args=[event.slug])).content.decode()
    assert deliberation not in home and "Secret" not in home
    page = client.get(reverse("judging:score", args=[event.slug, teams[0].pk])).content.decode()
    assert "Secret" not in page and 'value="3" checked' not in page

    for team in teams[:2] + teams[3:]:
        score_all(juror, event, team, [2, 2, 2, 2, 2])
    client.post(reverse("judging:submit", args=[event.slug]))

    shown = client.get(deliberation)
    assert shown.status_code == 200
    assert "Secret" in shown.content.decode() and jurors[0].name in shown.content.decode()


def test_every_juror_sees_the_deliberation_once_scoring_is_closed(client, event, world, organiser, jurors):
    services.close_scoring(actor=organiser, event=event)
    client.force_login(jurors[2])

    assert client.get(reverse("judging:deliberation", args=[event.slug])).status_code == 200


def test_the_organiser_sees_the_deliberation_at_any_time(client, event, world, organiser):
    client.force_login(organiser)

    response = client.get(reverse("judging:deliberation", args=[event.slug]))

    assert response.status_code == 200
    assert "Secret" in response.content.decode()


def test_the_results_page_is_public_only_once_published(client, event, world, stranger):
    path = reverse("judging:results", args=[event.slug])

    assert client.get(path).status_code == 404
    client.force_login(stranger)
    assert client.get(path).status_code == 404
