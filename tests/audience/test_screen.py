"""The screen: the number of voters in the live state, refreshed within a second, never the count per team."""

import json
import threading
import time

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string

from citehack.audience import screen, services
from citehack.live import state

from .conftest import Phone, fake_vote, open_poll

pytestmark = pytest.mark.django_db


def audience_part(event):
    return json.loads(state.get_payload(event.pk))["extra"]["audience"]


def test_without_a_poll_the_screen_shows_no_vote(event):
    assert screen.screen_provider(event) == {"status": None}


def test_the_screen_shows_the_number_of_voters_and_nothing_per_team(event, organiser, teams):
    services.configure_poll(actor=organiser, event=event, title="Prix du public", eligibility="device")
    assert screen.screen_provider(event)["status"] == "not_open"
    assert screen.screen_provider(event)["total"] == 0
    poll = services.open_poll(actor=organiser, event=event)
    for team in (teams[0], teams[0], teams[1]):
        fake_vote(poll, team)
    part = screen.screen_provider(event)
    assert part == {"status": "open", "title": "Prix du public", "total": 3, "url": f"/e/{event.slug}/vote/"}
    services.close_poll(actor=organiser, event=event)
    assert screen.screen_provider(event)["status"] == "closed" and screen.screen_provider(event)["total"] == 3
    # The whole live state, which phones receive too, holds no team id next to a count.
    document = state.build(event)
    assert set(document["extra"]["audience"]) == {"status", "title", "total", "url"}


def test_a_vote_reaches_the_live_state(event, organiser, teams, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_poll(event, organiser)
    before = json.loads(state.get_payload(event.pk))["version"]
    phone = Phone(event)
    phone.open()
    with django_capture_on_commit_callbacks(execute=True):
        assert phone.vote(teams[0]).status_code == 200
    assert audience_part(event)["total"] == 1
    assert json.loads(state.get_payload(event.pk))["version"] > before


def test_the_screen_script_is_ready_for_the_screen_template():
    html = render_to_string("audience/_screen_script.html")
    assert 'src="/static/citehack/audience-screen.js"' in html and "defer" in html
    for name in ("data-one", "data-other", "data-open", "data-closed", "data-not-open"):
        assert name in html


# The throttle ------------------------------------------------------------------------------------


@pytest.fixture
def refreshes(monkeypatch, settings):
    """Run the real scheduler with a short delay; record refreshes instead of rebuilding the state."""
    settings.AUDIENCE_SCREEN_DELAY = 0.05
    done = []
    seen = threading.Event()

    def fake_refresh(event_pk):
        cache.delete(screen._pending_key(event_pk))
        done.append((event_pk, time.monotonic()))
        seen.set()

    monkeypatch.setattr(screen, "refresh", fake_refresh)
    cache.delete(screen._pending_key(1))
    # A vote outside a test runs in autocommit: its refresh is scheduled at once.
    monkeypatch.setattr(screen.transaction, "on_commit", lambda callback: callback())
    return done, seen


def test_a_burst_of_votes_gives_one_refresh_soon_after(refreshes):
    done, seen = refreshes
    started = time.monotonic()
    for _ in range(200):
        screen.note_vote(1)
    assert seen.wait(2)
    time.sleep(0.2)
    assert len(done) == 1
    assert done[0][1] - started < 1.0


def test_a_vote_after_a_refresh_asks_for_another(refreshes):
    done, seen = refreshes
    screen.note_vote(1)
    assert seen.wait(2)
    seen.clear()
    screen.note_vote(1)
    assert seen.wait(2)
    assert len(done) == 2


def test_a_refresh_already_scheduled_by_another_process_is_not_doubled(refreshes):
    done, seen = refreshes
    cache.add(screen._pending_key(1), 1, 5)  # another worker scheduled it
    screen.note_vote(1)
    assert not seen.wait(0.3)
    assert done == []
