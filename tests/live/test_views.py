"""Live views: who may open them, what they answer, and what they refuse."""

import json
import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.events.models import Phase
from citehack.live import services, views
from citehack.live.broker import hub
from citehack.live.models import Announcement, LiveState
from tests.factories import EventFactory

from .helpers import fr

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def template_names(response):
    return [template.name for template in response.templates]


def live_of(event):
    return LiveState.objects.get_or_create(event=event)[0]


def footprint(event):
    """What any refused or invalid request must leave as it was."""
    live = live_of(event)
    return (live.version, services.snapshot(live), AuditEntry.objects.count(), Announcement.objects.count())


# Every control-room URL: (action, POST data an organiser could send).
ACTION_POSTS = [
    ("timer-start", {"minutes": "30", "label": "Sprint"}),
    ("timer-pause", {}),
    ("timer-resume", {}),
    ("timer-extend", {"minutes": "5"}),
    ("timer-stop", {}),
    ("screen", {"mode": "vote"}),
    ("announce", {"text": "Bonjour", "minutes": ""}),
    ("pitch-times", {"pitch_seconds": "200", "questions_seconds": "60"}),
    ("pitch-draw", {}),
    ("pitch-next", {}),
    ("pitch-questions", {}),
    ("pitch-pause", {}),
    ("pitch-resume", {}),
    ("pitch-stop", {}),
    ("undo", {}),
    ("item", {}),
    ("pitch-order", {"order": "1"}),
]


@pytest.fixture
def announcement(event, organiser):
    return services.announce(actor=organiser, event=event, text="Déjà là")


def control_urls(event, announcement):
    """(method, url, data) of the control room and of every action on it."""
    urls = [("get", reverse("live:control", args=[event.slug]), None)]
    urls += [("post", reverse("live:action", args=[event.slug, action]), data) for action, data in ACTION_POSTS]
    urls.append(("post", reverse("live:withdraw", args=[event.slug, announcement.pk]), {}))
    return urls


def test_anonymous_visitor_is_sent_to_sign_in_from_the_control_room_and_every_action(client, event, announcement):
    before = footprint(event)
    for method, url, data in control_urls(event, announcement):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('accounts:sign_in')}?next={url}", url
    assert footprint(event) == before


@pytest.mark.parametrize("who", ["participant", "other_event_organiser"])
def test_control_room_and_every_action_refuse_a_participant_and_another_events_organiser(client, event, announcement, who, request):
    client.force_login(request.getfixturevalue(who))
    before = footprint(event)
    for method, url, data in control_urls(event, announcement):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert "403.html" in template_names(response), url
    assert footprint(event) == before
    assert Announcement.objects.get(pk=announcement.pk).withdrawn_at is None


def test_organiser_opens_the_control_room(organiser_client, event):
    response = organiser_client.get(reverse("live:control", args=[event.slug]))
    assert response.status_code == 200
    assert "live/control_room.html" in template_names(response)
    live = LiveState.objects.get(event=event)
    assert response.context["screen_url"] == f"http://testserver{reverse('live:screen', args=[live.screen_token])}"


def test_unknown_action_is_404(organiser_client, event):
    response = organiser_client.post(reverse("live:action", args=[event.slug, "self-destruct"]))
    assert response.status_code == 404


def test_actions_refuse_get(organiser_client, event):
    response = organiser_client.get(reverse("live:action", args=[event.slug, "timer-start"]))
    assert response.status_code == 405
    assert live_of(event).timer.idle


def test_plain_post_acts_and_redirects_to_the_control_room(organiser_client, event):
    version = live_of(event).version
    response = organiser_client.post(reverse("live:action", args=[event.slug, "timer-start"]), {"minutes": "45", "label": "Sprint"})
    assert response.status_code == 302
    assert response["Location"] == reverse("live:control", args=[event.slug])
    live = live_of(event)
    assert live.timer.running and live.version == version + 1
    assert messages_of(response) == [fr("Done: the screens follow.")]


def test_htmx_post_acts_and_answers_the_panel(organiser_client, event):
    response = organiser_client.post(
        reverse("live:action", args=[event.slug, "timer-start"]), {"minutes": "45", "label": "Sprint"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert template_names(response)[0] == "live/_control_panel.html"
    assert "live/control_room.html" not in template_names(response)
    assert b"<html" not in response.content
    assert live_of(event).timer.running
    # The panel now offers what a running countdown allows.
    assert reverse("live:action", args=[event.slug, "timer-pause"]).encode() in response.content
    assert reverse("live:action", args=[event.slug, "timer-start"]).encode() not in response.content


@pytest.mark.parametrize(
    ("action", "data", "message", "values"),
    [
        ("timer-start", {"minutes": "abc"}, "Enter a whole number.", {}),
        ("timer-start", {"minutes": ""}, "This field is required.", {}),
        ("timer-extend", {"minutes": "0"}, "Add or remove at least one minute.", {}),
        ("timer-extend", {"minutes": "abc"}, "Enter a whole number.", {}),
        ("screen", {"mode": "disco"}, "Select a valid choice. %(value)s is not one of the available choices.", {"value": "disco"}),
        ("announce", {"text": ""}, "This field is required.", {}),
        ("pitch-times", {"pitch_seconds": "5", "questions_seconds": "0"},
         "Ensure this value is greater than or equal to %(limit_value)s.", {"limit_value": 30}),
        ("pitch-order", {"order": "1, x"}, "Use team numbers separated by commas.", {}),
        ("pitch-order", {"order": "99"}, "Unknown team numbers: %(numbers)s", {"numbers": "99"}),
    ],
)
def test_bad_input_shows_a_clear_message_and_changes_nothing(organiser_client, event, action, data, message, values):
    if action == "timer-extend":
        services.start_timer(actor=None, event=event, minutes=30)
    url = reverse("live:action", args=[event.slug, action])
    expected = fr(message, **values)
    before = footprint(event)

    htmx = organiser_client.post(url, data, headers={"HX-Request": "true"})
    assert htmx.status_code == 200
    assert htmx.context["errors"] == [expected]
    assert expected in htmx.content.decode().replace("&#x27;", "'")
    # Shown in the panel, not again on the next page.
    assert messages_of(htmx) == []

    plain = organiser_client.post(url, data)
    assert plain.status_code == 302
    assert messages_of(plain) == [expected]

    assert footprint(event) == before


def test_refused_action_shows_the_reason(organiser_client, event):
    before = footprint(event)
    response = organiser_client.post(reverse("live:action", args=[event.slug, "timer-pause"]), headers={"HX-Request": "true"})
    assert response.context["errors"] == [fr("The countdown is not running.")]
    assert footprint(event) == before
    response = organiser_client.post(reverse("live:action", args=[event.slug, "pitch-next"]))
    assert messages_of(response) == [fr("Set the pitch order first.")]
    assert footprint(event) == before


def test_item_not_in_the_programme_is_refused(organiser_client, event):
    before = footprint(event)
    response = organiser_client.post(reverse("live:action", args=[event.slug, "item"]), {"item": "999999"})
    assert messages_of(response) == [fr("This item is not in the programme.")]
    assert footprint(event) == before


def test_withdraw_takes_the_announcement_off(organiser_client, event, announcement):
    response = organiser_client.post(reverse("live:withdraw", args=[event.slug, announcement.pk]))
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert announcement.withdrawn_at is not None


def test_withdraw_refuses_another_events_announcement(organiser_client, event):
    other = services.announce(actor=None, event=EventFactory(), text="Ailleurs")
    response = organiser_client.post(reverse("live:withdraw", args=[event.slug, other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


# --- the screen ----------------------------------------------------------------------------

def test_screen_opens_with_its_secret_link_without_sign_in(client, event):
    live = live_of(event)
    response = client.get(reverse("live:screen", args=[live.screen_token]))
    assert response.status_code == 200
    assert event.title in response.content.decode()
    assert response.context["state_json"]["event"]["id"] == event.pk


def test_wrong_screen_token_is_404_and_shows_nothing_of_the_event(client, event):
    live = live_of(event)
    response = client.get(reverse("live:screen", args=[live.screen_token[:-1] + ("A" if live.screen_token[-1] != "A" else "B")]))
    assert response.status_code == 404
    assert event.title not in response.content.decode()
    assert "404.html" in template_names(response)


def test_screen_of_a_draft_event_is_404(client):
    draft = EventFactory(phase=Phase.DRAFT, title="Projet confidentiel")
    live = live_of(draft)
    response = client.get(reverse("live:screen", args=[live.screen_token]))
    assert response.status_code == 404
    assert "Projet confidentiel" not in response.content.decode()


def test_screen_tokens_are_long_and_distinct(db):
    tokens = {live_of(EventFactory()).screen_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 24 for token in tokens)


# --- the phone view ------------------------------------------------------------------------

def test_phone_view_is_public_once_the_event_is_published(client, event, organiser):
    services.announce(actor=organiser, event=event, text="Le jury délibère")
    response = client.get(reverse("live:phone", args=[event.slug]))
    assert response.status_code == 200
    assert "Le jury délibère" in response.content.decode()


def test_phone_view_of_a_draft_event_is_refused_to_visitors(client):
    draft = EventFactory(phase=Phase.DRAFT, title="Projet confidentiel")
    response = client.get(reverse("live:phone", args=[draft.slug]))
    assert response.status_code == 403
    assert "Projet confidentiel" not in response.content.decode()


# --- state.json (the polling fallback) -----------------------------------------------------

def test_state_json_answers_the_cached_state_with_the_server_clock(client, event, django_assert_num_queries):
    services.start_timer(actor=None, event=event, minutes=30)
    url = reverse("live:state", args=[event.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert first["Cache-Control"] == "no-cache"
    assert abs(int(first["X-Server-Now"]) - time.time() * 1000) < 5000
    document = json.loads(first.content)
    assert document["event"]["id"] == event.pk
    assert document["timer"]["running"] is True

    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content


def test_state_json_of_a_draft_or_unknown_event_is_404(client):
    draft = EventFactory(phase=Phase.DRAFT, title="Projet confidentiel")
    for pk in (draft.pk, draft.pk + 1000):
        response = client.get(reverse("live:state", args=[pk]))
        assert response.status_code == 404
        assert "Projet confidentiel" not in response.content.decode()


def test_state_json_of_a_draft_event_stays_404_after_it_is_edited(client, django_capture_on_commit_callbacks):
    draft = EventFactory(phase=Phase.DRAFT, title="Projet confidentiel")
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "Projet encore confidentiel"
        draft.save()
    response = client.get(reverse("live:state", args=[draft.pk]))
    assert response.status_code == 404
    assert "confidentiel" not in response.content.decode()


# --- the WSGI stream (live_server, pages-only server) --------------------------------------

def test_wsgi_stream_sends_the_snapshot_and_ends_after_its_time(client, event, monkeypatch):
    monkeypatch.setattr(views, "WSGI_STREAM_MAX_SECONDS", 0.2)
    from citehack.live import stream

    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 0.05)
    services.start_timer(actor=None, event=event, minutes=30)
    version = live_of(event).version
    response = client.get(reverse("live:stream", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-cache, no-transform"
    assert hub.count(event.pk) == 0  # nothing held before the body is read
    body = b"".join(response.streaming_content)
    assert body.startswith(b"retry: ")
    assert f"id: {version}\nevent: state\ndata: ".encode() in body
    assert b": keep-alive\n\n" in body
    assert hub.count(event.pk) == 0


def test_wsgi_stream_with_the_current_last_event_id_sends_no_snapshot(client, event, monkeypatch):
    monkeypatch.setattr(views, "WSGI_STREAM_MAX_SECONDS", 0.05)
    version = live_of(event).version
    response = client.get(reverse("live:stream", args=[event.pk]), headers={"Last-Event-ID": str(version)})
    body = b"".join(response.streaming_content)
    assert b"event: state" not in body
    assert body.startswith(b"retry: ")


def test_wsgi_stream_of_a_draft_event_is_404(client):
    draft = EventFactory(phase=Phase.DRAFT)
    assert client.get(reverse("live:stream", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("running", [False, True])
def test_control_room_ids_are_unique_so_each_label_names_its_own_field(organiser_client, event, running):
    import re

    if running:
        services.start_timer(actor=None, event=event, minutes=30)
    content = organiser_client.get(reverse("live:control", args=[event.slug])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', content)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'<label for="([^"]+)"', content):
        assert target in ids


def test_the_screen_embeds_the_state_as_an_object_not_a_string(client, db):
    import json
    import re

    from citehack.live.models import LiveState
    from tests.factories import EventFactory

    event = EventFactory(phase="live")
    live = LiveState.objects.create(event=event)
    body = client.get(f"/live/screen/{live.screen_token}/").content.decode()
    embedded = re.search(r'<script id="live-state" type="application/json">(.*?)</script>', body, re.S).group(1)
    assert isinstance(json.loads(embedded), dict)
    assert json.loads(embedded)["event"]["id"] == event.pk


def test_control_room_opens_and_closes_the_audience_vote_and_comes_back(client, db):
    from django.urls import reverse

    from citehack.audience.models import Poll
    from tests.factories import EventFactory, MembershipFactory

    event = EventFactory(phase="judging")
    organiser = MembershipFactory(event=event, role="organiser").user
    client.force_login(organiser)
    page = client.get(reverse("live:control", args=[event.slug])).content.decode()
    assert reverse("audience:manage", args=[event.slug]) in page
    from citehack.teams.models import Team

    Team.objects.create(event=event, number=1, published_at=event.starts_at)
    Poll.objects.create(event=event)
    page = client.get(reverse("live:control", args=[event.slug])).content.decode()
    assert reverse("audience:open", args=[event.slug]) in page
    response = client.post(
        reverse("audience:open", args=[event.slug]),
        {"next": reverse("live:control", args=[event.slug]), "show_on_screen": "on"},
    )
    assert response.status_code == 302 and response.url == reverse("live:control", args=[event.slug])
    assert Poll.objects.get(event=event).status == "open"
    phone = client.get(reverse("live:phone", args=[event.slug])).content.decode()
    assert reverse("audience:vote", args=[event.slug]) in phone
    assert 'data-live="audience-link" hidden' not in phone


def test_the_short_join_address_leads_to_the_phone_view_and_hides_drafts(client, db):
    from django.urls import reverse

    from tests.factories import EventFactory

    event = EventFactory(phase="live")
    draft = EventFactory(phase="draft")
    response = client.get(reverse("live:join", args=[event.pk]))
    assert response.status_code == 302 and response.url == reverse("live:phone", args=[event.slug])
    assert client.get(reverse("live:join", args=[draft.pk])).status_code == 404
    assert len(reverse("live:join", args=[event.pk])) < 10
