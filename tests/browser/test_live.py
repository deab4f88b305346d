"""The live day in a real browser: the control room drives the screen within a second.

Django's live server is WSGI: the stream goes through views.stream_wsgi, a thread per client.
"""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citehack.events.models import ItemKind, Phase
from citehack.live import stream, views
from citehack.live.models import LiveState
from tests.factories import EventFactory, MembershipFactory, ProgrammeItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLOCK = "[data-live=timer]"


@pytest.fixture(autouse=True)
def _short_streams(monkeypatch):
    # The live server is shared by the session: a stream thread whose browser has gone must
    # notice soon (the keep-alive write fails) and none may outlive the session by long.
    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 1)
    monkeypatch.setattr(views, "WSGI_STREAM_MAX_SECONDS", 60)


@pytest.fixture
def live_event():
    now = timezone.now()
    event = EventFactory(title="Hackathon de l'Odyssée", phase=Phase.LIVE, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6))
    ProgrammeItemFactory(event=event, kind=ItemKind.SPRINT, title="Sprint des équipes", starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=2))
    ProgrammeItemFactory(event=event, kind=ItemKind.PITCHES, title="Pitchs devant le jury", starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3))
    return event


def seconds(clock_text):
    """'29:41' -> 1781; '1:02:03' -> 3723."""
    parts = [int(part) for part in re.match(r"^(\d+(?::\d\d){1,2})", clock_text).group(1).split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


def open_stream(page, url):
    """Open `url` and wait until its event stream has answered."""
    with page.expect_response(lambda response: "/stream/" in response.url and response.status == 200):
        page.goto(url)


def test_screen_follows_the_control_room_within_a_second(page, context, live_server, sign_in_as, audit, foreign_requests, live_event):
    organiser = MembershipFactory(event=live_event, role="organiser").user
    live, _ = LiveState.objects.get_or_create(event=live_event)
    sign_in_as(organiser)

    open_stream(page, live_server.url + reverse("live:control", args=[live_event.slug]))
    audit(page)
    screen = context.new_page()
    open_stream(screen, live_server.url + reverse("live:screen", args=[live.screen_token]))
    assert screen.locator("h1").inner_text() == "Hackathon de l'Odyssée"
    assert screen.locator("[data-mode=programme] [data-live=now]").inner_text() == "Sprint des équipes"

    # Start the countdown: the screen shows it within a second of the answer.
    page.locator("[name=minutes]").first.fill("30")
    page.locator("[name=label]").fill("Sprint final")
    with page.expect_response(lambda response: response.url.endswith("/timer-start/")) as answer:
        page.locator("form[action$='/timer-start/'] button[type=submit]").click()
    assert answer.value.status == 200
    screen.wait_for_function(
        """() => {
            const panel = document.querySelector("[data-mode=countdown]");
            const clock = panel.querySelector("[data-live=timer]").textContent;
            return !panel.hidden && /^(30:00|29:5\\d)$/.test(clock)
                && panel.querySelector("[data-live=timer-label]").textContent === "Sprint final";
        }""",
        timeout=1000,
    )
    # The control room's own panel was swapped by htmx and offers pause now.
    assert page.locator("form[action$='/timer-pause/']").count() == 1

    # Broadcast an announcement: on the screen within a second.
    page.locator("textarea[name=text]").fill("Le déjeuner est servi dans le hall")
    with page.expect_response(lambda response: response.url.endswith("/announce/")) as answer:
        page.locator("form[action$='/announce/'] button[type=submit]").click()
    assert answer.value.status == 200
    screen.wait_for_function(
        """() => [...document.querySelectorAll("[data-live=announcements] p")]
                 .some(p => p.textContent === "Le déjeuner est servi dans le hall")""",
        timeout=1000,
    )

    # Reloading the screen keeps the time: the countdown is an end instant, not a count.
    before, read_at = seconds(screen.locator(CLOCK).inner_text()), time.monotonic()
    open_stream(screen, screen.url)
    screen.wait_for_function(f"() => /^\\d+:\\d\\d/.test(document.querySelector('{CLOCK}').textContent)", timeout=2000)
    after, reread_at = seconds(screen.locator(CLOCK).inner_text()), time.monotonic()
    assert abs((before - after) - (reread_at - read_at)) <= 2
    assert 25 * 60 < after <= 30 * 60
    assert screen.locator("[data-live=announcements] p").all_inner_texts() == ["Le déjeuner est servi dans le hall"]

    # Pause: the screen says so and stops counting.
    with page.expect_response(lambda response: response.url.endswith("/timer-pause/")):
        page.locator("form[action$='/timer-pause/'] button[type=submit]").click()
    screen.wait_for_function(f"() => document.querySelector('{CLOCK}').textContent.includes('·')", timeout=1000)
    paused = screen.locator(CLOCK).inner_text()
    screen.wait_for_timeout(1200)
    assert screen.locator(CLOCK).inner_text() == paused

    audit(page)
    audit(screen)
    screen.close()
    assert foreign_requests == []


def test_phone_view_is_accessible_and_follows_announcements(page, live_server, audit, foreign_requests, live_event):
    from citehack.live import services

    services.start_timer(actor=None, event=live_event, minutes=45, label="Sprint")
    open_stream(page, live_server.url + reverse("live:phone", args=[live_event.slug]))
    assert page.locator("[data-mode=countdown]").is_visible()
    assert 44 * 60 <= seconds(page.locator(CLOCK).inner_text()) <= 45 * 60
    audit(page)

    services.announce(actor=None, event=live_event, text="Les votes du public sont ouverts")
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-live=announcements] p")]
                 .some(p => p.textContent === "Les votes du public sont ouverts")""",
        timeout=1000,
    )
    audit(page)
    assert foreign_requests == []
