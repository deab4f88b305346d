"""The challenge vote in a real browser, in French: propose, moderate, vote, close, read and recount."""

import json

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from citehack.challenges import services

from citehack.challenges.models import Challenge, ChallengeVote
from citehack.challenges.tally_cli import main as tally_main
from citehack.events.models import Membership, Role
from citehack.registrations.models import RegistrationState
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def participant_of(event, name):
    registration = RegistrationFactory(event=event, state=RegistrationState.CONFIRMED, user__name=name)
    Membership.objects.create(event=event, user=registration.user, role=Role.PARTICIPANT)
    return registration.user


def test_the_whole_vote_from_proposals_to_a_recount(page, live_server, sign_in_as, audit, foreign_requests, tmp_path, capsys):
    event = EventFactory(title="Journée des défis", slug="journee-defis")
    organiser = MembershipFactory(event=event, role="organiser").user
    voter = participant_of(event, "Inès Haddad")
    other = participant_of(event, "Yanis Diallo")
    for title in ("Des bancs sur la place", "Un atelier numérique", "Le bus du soir"):
        Challenge.objects.create(event=event, title=title, problem="P.", affected="A.", outcome="O.", status="accepted")
    Challenge.objects.create(event=event, title="Des bancs partout", problem="P.", affected="A.", outcome="O.")
    base = live_server.url

    def sign_in(user):
        # Leave any polling page first: the in-memory SQLite is shared with the live server.
        page.goto("about:blank")
        sign_in_as(user)
        page.wait_for_url("**/accounts/me/")

    # A participant proposes a challenge.
    sign_in(voter)
    page.goto(base + reverse("challenges:list", args=[event.slug]))
    audit(page)
    with page.expect_navigation():
        page.locator("main a[href$='/challenges/propose/']").click()
    audit(page)
    page.locator("#id_title").fill("Comment mieux trier les déchets ?")
    page.locator("#id_problem").fill("Les bacs débordent.")
    page.locator("#id_affected").fill("Les habitants des tours.")
    page.locator("#id_outcome").fill("Une campagne de tri.")
    page.locator("#id_theme").select_option("environment")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("challenges:list", args=[event.slug]))
    assert "Comment mieux trier les déchets ?" in page.content()
    audit(page)

    # The organiser moderates: accept the new one, merge a duplicate.
    sign_in(organiser)
    page.goto(base + reverse("challenges:manage", args=[event.slug]))
    audit(page)
    proposal = Challenge.objects.get(title="Comment mieux trier les déchets ?")
    with page.expect_navigation():
        page.locator(f"#challenge-{proposal.pk} form button").click()
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    duplicate = Challenge.objects.get(title="Des bancs partout")
    with page.expect_navigation():
        page.locator(f"#challenge-{duplicate.pk} a[href$='/merge/']").click()
    audit(page)
    page.locator("#id_into").select_option(label="Des bancs sur la place")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"
    reject_url = reverse("challenges:reject", args=[event.slug, Challenge.objects.get(title="Le bus du soir").pk])
    page.goto(base + reject_url)
    audit(page)

    # Set up the vote: 2 of 4, approval with at most 2 ticks, Equal Shares.
    page.goto(base + reverse("challenges:vote_setup", args=[event.slug]))
    audit(page)
    page.locator("#id_seats").fill("2")
    page.locator("#id_max_approvals").fill("2")
    page.locator("input[name=rule][value=equal-shares]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert ChallengeVote.objects.get(event=event).seats == 2

    page.goto(base + reverse("events:manage", args=[event.slug]))
    page.locator("#id_phase").select_option("challenge_vote")
    with page.expect_navigation():
        page.locator("form[action$='/phase/'] button[type=submit]").click()

    page.goto(base + reverse("challenges:vote_setup", args=[event.slug]))
    with page.expect_navigation():
        page.locator("main a[href$='/vote/open/']").click()
    audit(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    vote = ChallengeVote.objects.get(event=event)
    assert vote.status == "open"
    assert vote.seed_hash in page.content()
    audit(page)
    # The turnout follows by itself (htmx polling, under the Content-Security-Policy).
    assert page.locator("#turnout .stat").inner_text() == "0"
    event.refresh_from_db()
    # Touch the database between two polls: SQLite in memory is shared with the live server.
    with page.expect_response(lambda response: "/turnout/" in response.url):
        pass
    services.cast_ballot(actor=other, event=event, selection=[Challenge.objects.get(title="Le bus du soir").code])
    expect(page.locator("#turnout .stat")).to_have_text("1", timeout=8000)

    # Results are hidden while the vote is open.
    page.goto(base + reverse("challenges:results", args=[event.slug]))
    assert vote.seed_hash in page.content() and vote.seed not in page.content()
    audit(page)

    # Two participants vote; the first changes their mind.
    codes = {c.title: c.code for c in Challenge.objects.filter(event=event).exclude(code="")}
    for person, ticks in ((voter, ["Un atelier numérique"]), (other, ["Un atelier numérique", "Le bus du soir"]),
                          (voter, ["Comment mieux trier les déchets ?", "Un atelier numérique"])):
        sign_in(person)
        page.goto(base + reverse("challenges:ballot", args=[event.slug]))
        audit(page)
        for box in page.locator("input[name=choices]").all():
            box.uncheck()
        for title in ticks:
            page.locator(f"input[name=choices][value={codes[title]}]").check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator(".message-success").count() >= 1
    audit(page)

    # Three ticks are refused with a clear message.
    for box in page.locator("input[name=choices]").all():
        box.check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    audit(page)

    # The organiser adds paper ballots, watches the turnout and closes.
    sign_in(organiser)
    page.goto(base + reverse("challenges:paper", args=[event.slug]))
    audit(page)
    page.locator(f"input[name=choices][value={codes['Le bus du soir']}]").check()
    page.locator("#id_count").fill("3")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(base + reverse("challenges:vote_setup", args=[event.slug]))
    assert "2</span> / 2" in page.content()
    audit(page)
    with page.expect_navigation():
        page.locator("main a[href$='/vote/close/']").click()
    audit(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("challenges:results", args=[event.slug]))
    vote.refresh_from_db()
    assert vote.status == "closed"
    audit(page)
    content = page.content()
    assert page.locator("svg[role=img] title").count() == 1
    assert vote.seed in content
    retained = list(Challenge.objects.filter(event=event, retained=True).order_by("number"))
    with translation.override("fr"):
        expected = [translation.gettext("Challenge n°%(number)s: %(title)s") % {"number": c.number, "title": c.title} for c in retained]
    assert page.locator(".retained-list li").all_inner_texts() == expected

    # Anyone can download the ballots and recount them.
    with page.expect_download() as download:
        page.locator("main a[href$='ballots.csv']").click()
    path = tmp_path / "ballots.csv"
    download.value.save_as(path)
    command = page.locator("pre.command").inner_text().split()
    assert command[:3] == ["citehack", "tally", f"{event.slug}-ballots.csv"]
    capsys.readouterr()
    assert tally_main([str(path), *command[3:], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == vote.result["winners"]
    assert foreign_requests == []
