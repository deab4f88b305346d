"""The organiser's page and actions: who may, what freezes, what is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.audience import selectors, services
from citehack.audience.models import Poll, PollStatus
from citehack.core.models import AuditEntry
from citehack.events.models import Phase
from citehack.live.models import LiveState

from .conftest import Phone, fake_vote, make_teams, open_poll

pytestmark = pytest.mark.django_db

SETTINGS = {"title": "Coup de cœur du public", "eligibility": "both", "device_weight": "1", "participant_weight": "3"}


def urls(event):
    return {
        "manage": ("get", reverse("audience:manage", args=[event.slug]), None),
        "configure": ("post", reverse("audience:configure", args=[event.slug]), SETTINGS),
        "open": ("post", reverse("audience:open", args=[event.slug]), {"show_on_screen": "on"}),
        "close": ("post", reverse("audience:close", args=[event.slug]), {}),
    }


def call(client, method, url, data):
    return getattr(client, method)(url, data or {})


@pytest.mark.parametrize("name", ["manage", "configure", "open", "close"])
def test_anonymous_is_sent_to_sign_in(client, event, teams, name):
    method, url, data = urls(event)[name]
    response = call(client, method, url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign_in"))
    assert not Poll.objects.exists()


@pytest.mark.parametrize("name", ["manage", "configure", "open", "close"])
@pytest.mark.parametrize("who", ["participant", "other_event_organiser", "juror"])
def test_wrong_role_or_another_events_organiser_is_refused(client, event, teams, name, who, request):
    if who == "juror":
        from tests.factories import MembershipFactory

        user = MembershipFactory(event=event, role="juror").user
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    method, url, data = urls(event)[name]
    assert call(client, method, url, data).status_code == 403
    assert not Poll.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="audience.").exists()


def test_an_organiser_sets_up_opens_and_closes_the_vote(organiser_client, event, organiser, teams):
    u = urls(event)
    page = organiser_client.get(u["manage"][1])
    assert page.status_code == 200 and 'name="eligibility"' in page.content.decode()

    response = organiser_client.post(u["configure"][1], SETTINGS)
    assert response.status_code == 302
    poll = Poll.objects.get(event=event)
    assert (poll.title, poll.eligibility, poll.device_weight, poll.participant_weight) == ("Coup de cœur du public", "both", 1, 3)

    response = organiser_client.post(u["open"][1], {"show_on_screen": "on"})
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == PollStatus.OPEN and poll.opened_by == organiser and poll.opened_at
    assert LiveState.objects.get(event=event).screen_mode == "vote"

    fake_vote(poll, teams[1])
    page = organiser_client.get(u["manage"][1]).content.decode()
    assert "Équipe 2" in page and 'name="eligibility"' not in page

    response = organiser_client.post(u["close"][1])
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == PollStatus.CLOSED and poll.closed_by == organiser
    assert poll.results[0] == {"team_id": teams[1].pk, "votes": 1, "weight": 1}

    actions = list(AuditEntry.objects.filter(event=event, action__startswith="audience.").order_by("id").values_list("action", flat=True))
    assert actions == ["audience.configure", "audience.open", "audience.close"]
    close = AuditEntry.objects.get(action="audience.close")
    assert close.actor == organiser and close.after["results"] == poll.results


def test_the_screen_is_left_alone_unless_asked(organiser_client, event, teams):
    organiser_client.post(urls(event)["open"][1], {})
    assert Poll.objects.get(event=event).status == PollStatus.OPEN
    live = LiveState.objects.filter(event=event).first()
    assert live is None or live.screen_mode != "vote"


def test_the_control_room_can_send_the_organiser_back_to_itself(organiser_client, event, teams):
    control = reverse("live:control", args=[event.slug])
    response = organiser_client.post(urls(event)["open"][1], {"next": control})
    assert response["Location"] == control
    response = organiser_client.post(urls(event)["close"][1], {"next": "https://evil.example.org/"})
    assert response["Location"] == reverse("audience:manage", args=[event.slug])


def test_the_settings_are_frozen_once_open(organiser_client, event, organiser, teams):
    poll = open_poll(event, organiser)
    response = organiser_client.post(urls(event)["configure"][1], SETTINGS)
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.eligibility == "device" and poll.title == "Prix du public"
    with pytest.raises(ValidationError):
        services.configure_poll(actor=organiser, event=event, title="x", eligibility="both")


def test_bad_settings_are_refused_with_a_message(organiser_client, event, teams):
    response = organiser_client.post(urls(event)["configure"][1], {**SETTINGS, "eligibility": "everyone", "participant_weight": "50"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Poll.objects.exists()


def test_opening_needs_published_teams_and_a_published_event(organiser_client, event, organiser):
    make_teams(event, 2, published=False)
    organiser_client.post(urls(event)["open"][1], {})
    assert not Poll.objects.filter(status=PollStatus.OPEN).exists()
    make_teams(event, 1)
    event.phase = Phase.DRAFT
    event.save()
    with pytest.raises(ValidationError):
        services.open_poll(actor=organiser, event=event)
    event.phase = Phase.JUDGING
    event.save()
    assert services.open_poll(actor=organiser, event=event).status == PollStatus.OPEN


def test_a_closed_vote_neither_reopens_nor_closes_twice(event, organiser, poll):
    services.close_poll(actor=organiser, event=event)
    with pytest.raises(ValidationError):
        services.open_poll(actor=organiser, event=event)
    with pytest.raises(ValidationError):
        services.close_poll(actor=organiser, event=event)
    assert AuditEntry.objects.filter(action="audience.close").count() == 1


def test_closing_a_vote_that_never_opened_is_refused(organiser_client, event, teams):
    response = organiser_client.post(urls(event)["close"][1])
    assert response.status_code == 302
    assert not Poll.objects.filter(status=PollStatus.CLOSED).exists()


def test_opening_and_closing_change_what_phones_see_at_once(event, organiser, teams, django_capture_on_commit_callbacks):
    """The cached ballot is dropped when the change commits."""
    phone = Phone(event)
    assert 'data-vote-state="not_open"' in phone.open().content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        open_poll(event, organiser)
    assert 'data-vote-state="open"' in phone.open().content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.close_poll(actor=organiser, event=event)
    assert 'data-vote-state="closed"' in phone.open().content.decode()
    assert selectors.get_ballot(event.slug).is_closed


def test_the_organiser_sees_the_count_per_team_with_weights(organiser_client, event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="both", participant_weight=2)
    fake_vote(poll, teams[2])
    fake_vote(poll, teams[2])
    fake_vote(poll, teams[0])
    rows = organiser_client.get(urls(event)["manage"][1]).context["rows"]
    assert [(row["team_id"], row["votes"], row["weight"]) for row in rows] == [
        (teams[2].pk, 2, 2), (teams[0].pk, 1, 1), (teams[1].pk, 0, 0),
    ]
