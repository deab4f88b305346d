"""The audience vote in a real browser: a phone opens the vote page, votes, changes its vote.

Phone-sized viewport, no sign-in (the audience has no account), axe-core clean, nothing
requested from another host.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from citehack.audience import services
from citehack.audience.identity import COOKIE_NAME
from citehack.audience.models import Vote
from citehack.teams.models import Team
from tests.factories import EventFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _screens_at_once(settings):
    # The refresh of the screens runs in the request; no scheduler thread outlives the test.
    settings.AUDIENCE_SCREEN_DELAY = 0


def test_an_audience_member_votes_and_changes_the_vote_on_a_phone(page, live_server, audit, foreign_requests, sign_in_as):
    event = EventFactory(title="Hackathon de l'Odyssée", phase="judging")
    organiser = MembershipFactory(event=event, role="organiser").user
    now = timezone.now()
    teams = [Team.objects.create(event=event, number=n, published_at=now) for n in range(1, 8)]
    services.configure_poll(actor=organiser, event=event, title="Prix du public", eligibility="device")
    poll = services.open_poll(actor=organiser, event=event)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + reverse("audience:vote", args=[event.slug]))
    audit(page)
    buttons = page.locator("button[name=team]")
    assert buttons.count() == 7
    box = buttons.nth(1).bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a big target on a small screen

    buttons.nth(1).click()
    recorded = page.locator("[data-vote-recorded]")
    recorded.wait_for()
    assert recorded.get_attribute("data-vote-recorded") == str(teams[1].pk)
    assert "Équipe 2" in recorded.inner_text()
    assert page.locator("button.is-chosen").inner_text().startswith("Équipe 2")
    audit(page)

    page.locator("button[name=team]").nth(4).click()
    page.locator(f'[data-vote-recorded="{teams[4].pk}"]').wait_for()
    assert list(Vote.objects.filter(poll=poll).values_list("team_id", flat=True)) == [teams[4].pk]

    # The key is in an HttpOnly cookie, out of reach of scripts; the page shows no count.
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find(COOKIE_NAME) == -1

    # The organiser's page, with the count, is accessible too.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(organiser)
    page.goto(live_server.url + reverse("audience:manage", args=[event.slug]))
    assert page.locator("table tbody tr").first.inner_text().startswith("Équipe 5")
    audit(page)
    # The count follows the votes by itself (htmx, every few seconds).
    from citehack.audience.identity import device_key, new_token
    from citehack.audience.models import VoterKind

    services.cast_vote(poll_id=poll.pk, team_id=teams[0].pk, voter=device_key(new_token()), kind=VoterKind.DEVICE)
    page.wait_for_selector("#audience-count [data-total='2']", timeout=8000)
    assert foreign_requests == []


@pytest.fixture
def _short_streams(monkeypatch):
    from citehack.live import stream, views

    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 1)
    monkeypatch.setattr(views, "WSGI_STREAM_MAX_SECONDS", 60)


def test_the_screen_script_shows_the_number_of_voters(page, browser, live_server, audit, foreign_requests, _short_streams):
    """audience-screen.js on the real screen page: the count from the embedded state, then from
    each `citehack:live` event (live.js dispatches it after each render; here the test does,
    with the state as served, after phones voted)."""
    from django.template.loader import render_to_string

    from citehack.live.models import LiveState

    event = EventFactory(title="Hackathon de l'Odyssée", phase="judging")
    organiser = MembershipFactory(event=event, role="organiser").user
    now = timezone.now()
    teams = [Team.objects.create(event=event, number=n, published_at=now) for n in range(1, 4)]
    services.configure_poll(actor=organiser, event=event, title="Prix du public", eligibility="device")
    services.open_poll(actor=organiser, event=event, show_on_screen=True)
    live = LiveState.objects.get(event=event)

    with page.expect_response(lambda response: "/stream/" in response.url and response.status == 200):
        page.goto(live_server.url + reverse("live:screen", args=[live.screen_token]))
    tag = render_to_string("audience/_screen_script.html")
    page.evaluate(
        """(html) => new Promise((resolve) => {
            const template = document.createElement("template");
            template.innerHTML = html.trim();
            const script = document.createElement("script");
            for (const attribute of template.content.firstElementChild.attributes) {
                script.setAttribute(attribute.name, attribute.value);
            }
            script.onload = resolve;
            document.body.appendChild(script);
        })""",
        tag,
    )
    box = page.locator("[data-mode=vote] [data-live=vote]")
    assert box.is_visible()
    assert box.get_attribute("data-total") == "0" and box.get_attribute("data-status") == "open"

    for team in (0, 1, 1):  # three phones: three browsers, each its own cookie
        phone_context = browser.new_context()
        phone = phone_context.new_page()
        phone.goto(live_server.url + reverse("audience:vote", args=[event.slug]))
        phone.locator("button[name=team]").nth(team).click()
        phone.locator("[data-vote-recorded]").wait_for()
        phone_context.close()
    page.evaluate(
        """(url) => fetch(url).then((r) => r.json()).then((state) =>
            document.dispatchEvent(new CustomEvent("citehack:live", {detail: state})))""",
        live_server.url + reverse("live:state", args=[event.pk]),
    )
    page.wait_for_function("() => document.querySelector('[data-live=vote]').dataset.total === '3'", timeout=2000)
    assert page.locator(".audience-screen-count").inner_text() == "3"
    assert Vote.objects.count() == 3
    audit(page)
    assert foreign_requests == []
