"""Prizes and decisions (history kept), the reveal on the screen, the published results."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.judging import selectors, services
from citehack.judging.models import Decision, Juror, Prize, RevealState
from citehack.judging.screen import reveal_provider
from citehack.live import state as live_state
from tests.judging.conftest import score_all


@pytest.fixture
def prizes(event, organiser):
    return {p.name: p for p in services.create_default_prizes(actor=organiser, event=event)}


@pytest.fixture
def closed(event, organiser, opened, jurors, teams):
    for index, juror in enumerate(jurors):
        for number, team in enumerate(teams):
            score_all(juror, event, team, [(number + index) % 5 + 1] * 5)
    services.close_scoring(actor=organiser, event=event)


@pytest.fixture
def decided(event, organiser, prizes, closed, teams):
    services.record_decision(actor=organiser, prize=prizes["First prize"], team=teams[1], rationale="Le plus utile.")
    services.record_decision(actor=organiser, prize=prizes["Second prize"], team=teams[0], rationale="Très concret.")
    services.record_decision(actor=organiser, prize=prizes["Third prize"], team=teams[2], rationale="Belle idée.")
    services.record_decision(actor=organiser, prize=prizes["Audience prize"], team=teams[3], rationale="Le public.")
    return prizes


def test_the_usual_prizes(prizes):
    assert [(p.name, p.kind, p.order) for p in prizes.values()] == [
        ("First prize", "jury", 1), ("Second prize", "jury", 2), ("Third prize", "jury", 3),
        ("Audience prize", "audience", 1),
    ]


def test_a_jury_decision_waits_for_the_close_of_scoring(client, event, organiser, opened, prizes, teams):
    with pytest.raises(ValidationError, match="Close the scoring"):
        services.record_decision(actor=organiser, prize=prizes["First prize"], team=teams[1], rationale="Tôt.")
    assert not Decision.objects.exists()


def test_changing_a_decision_keeps_the_history_and_the_latest_counts(client, event, organiser, prizes, closed, teams):
    prize = prizes["First prize"]
    client.force_login(organiser)
    path = reverse("judging:prize", args=[event.slug, prize.pk])

    client.post(path, {"team": teams[0].pk, "rationale": "Premier choix."})
    client.post(path, {"team": teams[1].pk, "rationale": "Après discussion, l'impact l'emporte."})

    history = list(prize.decisions.all())
    assert [(d.team, d.rationale, d.decided_by) for d in history] == [
        (teams[1], "Après discussion, l'impact l'emporte.", organiser), (teams[0], "Premier choix.", organiser),
    ]
    assert services.latest_decisions(event)[prize.pk].team == teams[1]
    page = client.get(path).content.decode()
    assert "Premier choix." in page and "History" in page
    audit = AuditEntry.objects.filter(action="judging.decision").first()
    assert audit.before["team"] == teams[0].number and audit.after["team"] == teams[1].number


def test_a_prize_may_be_not_awarded(client, event, organiser, prizes, closed):
    client.force_login(organiser)

    client.post(reverse("judging:prize", args=[event.slug, prizes["Third prize"].pk]), {"team": "0", "rationale": "Pas de troisième."})

    assert prizes["Third prize"].decisions.get().team is None


@pytest.mark.parametrize("data,message", [
    ({"team": "", "rationale": "x"}, "Choose a team"),
    ({"team": "999999", "rationale": "x"}, "Select a valid choice"),
    ({"rationale": "x"}, "Choose a team"),
    ({"team": "TEAM", "rationale": "x"}, "Select a valid choice"),
])
def test_bad_decisions_are_refused_with_a_message(client, event, organiser, prizes, closed, teams, data, message):
    client.force_login(organiser)

    response = client.post(reverse("judging:prize", args=[event.slug, prizes["First prize"].pk]), data)

    assert response.status_code == 400 and message in response.content.decode()
    assert not Decision.objects.exists()


def test_a_decision_needs_a_rationale_and_a_team_of_the_event(event, organiser, prizes, closed, teams, other_event):
    from tests.judging.conftest import make_teams

    foreign = make_teams(other_event, ["Ailleurs"])[0]
    with pytest.raises(ValidationError, match="rationale"):
        services.record_decision(actor=organiser, prize=prizes["First prize"], team=teams[0], rationale="  ")
    with pytest.raises(ValidationError, match="not one of this event's"):
        services.record_decision(actor=organiser, prize=prizes["First prize"], team=foreign, rationale="x")
    assert not Decision.objects.exists()


def test_the_president_of_the_jury_records_decisions_other_jurors_do_not(client, event, organiser, prizes, closed, jurors, teams):
    president, other = jurors[0], jurors[1]
    services.set_president(actor=organiser, juror=services.ensure_juror(event, president), president=True)
    path = reverse("judging:prize", args=[event.slug, prizes["First prize"].pk])

    client.force_login(other)
    assert client.get(path).status_code == 200
    assert client.post(path, {"team": teams[1].pk, "rationale": "Moi aussi."}).status_code == 403
    client.force_login(president)
    assert client.post(path, {"team": teams[1].pk, "rationale": "Le jury unanime."}).status_code == 302

    assert [(d.decided_by, d.rationale) for d in Decision.objects.all()] == [(president, "Le jury unanime.")]


def test_the_audience_prize_form_is_prefilled_from_the_poll(client, event, organiser, prizes, teams, monkeypatch):
    monkeypatch.setattr(selectors, "audience_results", lambda event: [
        {"team": teams[3], "votes": 41, "weight": 41.0}, {"team": teams[1], "votes": 30, "weight": 30.0},
    ])
    client.force_login(organiser)
    path = reverse("judging:prize", args=[event.slug, prizes["Audience prize"].pk])

    page = client.get(path).content.decode()
    assert f'<option value="{teams[3].pk}" selected>' in page
    assert "Most votes from the audience: 41." in page

    client.post(path, {"team": teams[3].pk, "rationale": "Most votes from the audience: 41."})
    decision = Decision.objects.get()
    assert decision.team == teams[3] and decision.figures["poll"][0] == {"team": teams[3].pk, "votes": 41, "weight": 41.0}


def test_the_audience_prize_does_not_wait_for_the_jury(event, organiser, prizes, opened, teams):
    services.record_decision(actor=organiser, prize=prizes["Audience prize"], team=teams[3], rationale="Le public.")

    assert Decision.objects.count() == 1


# The reveal ------------------------------------------------------------------------------


def test_the_reveal_goes_from_the_third_prize_to_the_first_then_the_audience(event, organiser, decided, teams, django_capture_on_commit_callbacks):
    order = []
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            prize, decision = services.reveal_next(actor=organiser, event=event)
        order.append((prize.name, decision.team))

    assert order == [("Third prize", teams[2]), ("Second prize", teams[0]), ("First prize", teams[1]),
                     ("Audience prize", teams[3])]
    with pytest.raises(ValidationError, match="Every prize is revealed"):
        services.reveal_next(actor=organiser, event=event)
    assert AuditEntry.objects.filter(action="judging.reveal").count() == 4


def test_the_provider_exposes_only_what_is_revealed(event, organiser, decided, teams, django_capture_on_commit_callbacks):
    assert reveal_provider(event) == {"revealed": []}
    with django_capture_on_commit_callbacks(execute=True):
        services.reveal_next(actor=organiser, event=event)

    exposed = reveal_provider(event)
    document = json.dumps(live_state.build(event), ensure_ascii=False)

    assert exposed == {"revealed": [{
        "prize": "Third prize", "kind": "jury", "awarded": True,
        "team": "Équipe 3 — Emploi", "challenge": "Emploi",
    }]}
    assert live_state.build(event)["extra"]["reveal"] == exposed
    for hidden in ("Démocratisation du numérique", "Redynamisation des quartiers", "Jeunesse", "First prize"):
        assert hidden not in document


def test_the_screen_state_is_republished_after_a_reveal(event, organiser, decided, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from citehack.live.models import LiveState

    live = LiveState.objects.create(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.reveal_next(actor=organiser, event=event)

    assert LiveState.objects.get(pk=live.pk).version > live.version
    cached = json.loads(cache.get(live_state.cache_key(event.pk)))
    assert cached["extra"]["reveal"]["revealed"][0]["prize"] == "Third prize"
    assert cached["mode"] == "results"


def test_a_reveal_switches_the_screen_to_the_podium_once(event, organiser, decided, django_capture_on_commit_callbacks):
    from citehack.core.models import AuditEntry
    from citehack.live.models import LiveState

    LiveState.objects.create(event=event, screen_mode="countdown")
    with django_capture_on_commit_callbacks(execute=True):
        services.reveal_next(actor=organiser, event=event)
        services.reveal_next(actor=organiser, event=event)

    assert LiveState.objects.get(event=event).screen_mode == "results"
    assert AuditEntry.objects.filter(event=event, action="live.screen").count() == 1


def test_reveal_needs_a_decision_and_is_refused_changes_after(event, organiser, prizes, closed, teams):
    with pytest.raises(ValidationError, match="Record the decision on “Third prize”"):
        services.reveal_next(actor=organiser, event=event)
    services.record_decision(actor=organiser, prize=prizes["Third prize"], team=teams[2], rationale="Belle idée.")
    services.reveal_next(actor=organiser, event=event)

    with pytest.raises(ValidationError, match="already revealed"):
        services.record_decision(actor=organiser, prize=prizes["Third prize"], team=teams[0], rationale="Non.")
    with pytest.raises(ValidationError, match="reveal has started"):
        services.save_prize(actor=organiser, event=event, prize=prizes["Third prize"], name="Autre", kind="jury", order=3)
    assert prizes["Third prize"].decisions.count() == 1


def test_reset_hides_everything_again(client, event, organiser, decided, django_capture_on_commit_callbacks):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("judging:reveal_next", args=[event.slug]))
        client.post(reverse("judging:reveal_next", args=[event.slug]))
    assert len(RevealState.objects.get(event=event).revealed) == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("judging:reveal_reset", args=[event.slug]))

    assert RevealState.objects.get(event=event).revealed == []
    assert reveal_provider(event) == {"revealed": []}


def test_the_reveal_page_says_what_comes_next(client, event, organiser, decided):
    client.force_login(organiser)

    page = client.get(reverse("judging:reveal", args=[event.slug])).content.decode()

    assert "Reveal next: Third prize" in page
    assert "choose “Results” in the control room" in page


# The results page ---------------------------------------------------------------------------


def test_the_results_page_is_hidden_until_published(client, event, organiser, decided, teams):
    path = reverse("judging:results", args=[event.slug])

    hidden = client.get(path)
    assert hidden.status_code == 404
    assert "not published yet" in hidden.content.decode()
    assert "Le plus utile." not in hidden.content.decode()

    client.force_login(organiser)
    preview = client.get(path).content.decode()
    assert "Preview for the organisers" in preview and "Le plus utile." in preview

    client.post(reverse("judging:publish", args=[event.slug]))
    client.logout()
    client.cookies["django_language"] = "en"  # logging out drops the cookie the fixture set
    public = client.get(path)
    assert public.status_code == 200
    content = public.content.decode()
    assert "Le plus utile." in content and str(teams[1].display_name) in content
    assert "Mean score" in content and "3 jurors scored" in content


def test_publishing_needs_every_prize_decided_and_scoring_closed(client, event, organiser, prizes, closed, teams):
    services.record_decision(actor=organiser, prize=prizes["First prize"], team=teams[1], rationale="Oui.")
    client.force_login(organiser)

    client.post(reverse("judging:publish", args=[event.slug]))

    assert not selectors.session_for(event).results_published
    with pytest.raises(ValidationError, match="every prize"):
        services.publish_results(actor=organiser, event=event)


def test_published_results_freeze_the_decisions_until_withdrawn(event, organiser, decided, teams):
    services.publish_results(actor=organiser, event=event)

    with pytest.raises(ValidationError, match="published"):
        services.record_decision(actor=organiser, prize=decided["First prize"], team=teams[0], rationale="Non.")
    services.unpublish_results(actor=organiser, event=event)
    services.record_decision(actor=organiser, prize=decided["First prize"], team=teams[0], rationale="Corrigé.")
    assert decided["First prize"].decisions.count() == 2


def test_reopening_scoring_is_refused_after_a_jury_decision(event, organiser, decided):
    with pytest.raises(ValidationError, match="recorded a decision"):
        services.reopen_scoring(actor=organiser, event=event)


def test_a_prize_with_a_decision_is_not_deleted(event, organiser, decided):
    with pytest.raises(ValidationError, match="kept"):
        services.delete_prize(actor=organiser, prize=decided["First prize"])
    assert Prize.objects.filter(event=event).count() == 4


def test_prize_pages_for_the_organiser(client, event, organiser, prizes):
    client.force_login(organiser)

    created = client.post(reverse("judging:prize_create", args=[event.slug]),
                          {"name": "Coup de cœur", "kind": "jury", "order": "4", "description": "Le prix du cœur"})
    duplicate = client.post(reverse("judging:prize_create", args=[event.slug]),
                            {"name": "coup de cœur", "kind": "jury", "order": "5"})
    bad = client.post(reverse("judging:prize_create", args=[event.slug]), {"name": "", "kind": "other", "order": "x"})
    prize = Prize.objects.get(name="Coup de cœur")
    client.post(reverse("judging:prize_delete", args=[event.slug, prize.pk]))

    assert created.status_code == 302
    assert duplicate.status_code == bad.status_code == 400
    assert "already has this name" in duplicate.content.decode()
    assert not Prize.objects.filter(name="Coup de cœur").exists()
    assert Juror.objects.count() == 0


def test_an_event_with_its_jury_work_can_be_deleted(event, organiser, decided, teams):
    services.reveal_next(actor=organiser, event=event)

    event.delete()

    assert not Decision.objects.exists() and not Prize.objects.exists()


def test_a_team_with_a_decision_is_not_deleted_alone(event, decided, teams):
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        teams[1].delete()
