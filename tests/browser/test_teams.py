"""A participant ranks the challenges, the organiser forms and publishes the teams, a member
fills in the project sheet and submits it: in a real browser, axe-core clean on every page."""

import pytest
from django.urls import reverse

from citehack.events.models import Membership, Phase, Role
from citehack.teams.models import ProjectSheet, Team, TeamMember
from tests.factories import MembershipFactory
from tests.teams.conftest import participant, rank, retained

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_rank_form_publish_edit_and_submit(page, live_server, sign_in_as, audit, foreign_requests, tmp_path):
    organiser_membership = MembershipFactory(role=Role.ORGANISER, event__phase=Phase.TEAM_FORMATION)
    event, organiser = organiser_membership.event, organiser_membership.user
    challenges = retained(event)
    others = [participant(event, skills=[skill]) for skill in ["digital", "design", "field", "writing", "project"]]
    for index, user in enumerate(others):
        first = challenges[index % 3]
        rank(event, user, [first, *[c for c in challenges if c != first]], skills=user.registrations.get().skills)
    camille = participant(event, skills=["field"])
    base = live_server.url

    # The participant ranks the challenges with the keyboard and the mouse.
    sign_in_as(camille)
    page.goto(base + reverse("teams:hub", args=[event.slug]))
    audit(page)
    page.locator("main a.button").first.click()
    assert page.url.endswith(reverse("teams:preferences", args=[event.slug]))
    audit(page)
    first, second, third = challenges
    page.locator(f"#id_rank_{second.pk}").select_option("1")
    page.locator(f"#id_rank_{first.pk}").select_option("2")
    # The small script exchanges ranks instead of letting two challenges share one.
    page.locator(f"#id_rank_{third.pk}").select_option("1")
    assert page.locator(f"#id_rank_{second.pk}").input_value() == ""
    page.locator(f"#id_rank_{second.pk}").select_option("2")
    assert page.locator(f"#id_rank_{first.pk}").input_value() == ""
    page.locator(f"#id_rank_{first.pk}").select_option("3")
    page.locator("input[name=skills][value=digital]").check()
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("teams:hub", args=[event.slug]))
    preference = camille.team_preferences.get()
    assert [(r.challenge, r.rank) for r in preference.ranks.order_by("rank")] == [(third, 1), (second, 2), (first, 3)]
    assert set(preference.skills) == {"field", "digital"}
    audit(page)

    # A friend group: start one, its code is shown.
    page.goto(base + reverse("teams:friends", args=[event.slug]))
    audit(page)
    page.locator("form[action$='/friends/create/'] button[type=submit]").click()
    assert page.locator(".group-code").inner_text() == camille.team_preferences.get().event.friend_groups.get().code
    audit(page)
    page.locator("form[action$='/friends/leave/'] button[type=submit]").click()

    # Without the script, a duplicate rank is refused with a clear message.
    page.goto(base + reverse("teams:preferences", args=[event.slug]))
    page.evaluate("document.querySelectorAll('select').forEach(s => s.replaceWith(s.cloneNode(true)))")
    page.locator(f"#id_rank_{first.pk}").select_option("1")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    audit(page)

    # The organiser forms the teams, reads the figures, publishes.
    sign_in_as(organiser)
    page.goto(base + reverse("teams:manage", args=[event.slug]))
    audit(page)
    page.locator("#id_min_size").fill("2")
    page.locator("#id_max_size").fill("2")
    page.locator("form.formation-form button[type=submit]").click()
    assert Team.objects.filter(event=event).count() == 3
    assert page.locator("#figures-title").is_visible()
    audit(page)
    page.locator("a.button[href$='/teams/publish/']").click()
    audit(page)
    page.locator("main form button[type=submit]").click()
    assert Team.objects.filter(event=event, published_at__isnull=True).count() == 0
    audit(page)
    team = TeamMember.objects.get(user=camille).team
    assert team.challenge == third
    page.goto(base + team.get_absolute_url())
    audit(page)

    # A member edits the sheet, adds slides and submits.
    sign_in_as(camille)
    page.goto(base + reverse("teams:hub", args=[event.slug]))
    page.locator("main a.button").first.click()
    assert page.url.endswith(team.get_absolute_url())
    audit(page)
    page.locator(f"form[action$='/speaker/'] select").select_option(str(camille.pk))
    page.locator("form[action$='/speaker/'] button[type=submit]").click()
    page.locator(f"a[href$='/teams/{team.pk}/sheet/']").click()
    audit(page)
    page.locator("#id_name").fill("Emploi en bas de chez soi")
    page.locator("#id_problem").fill("Les offres ne touchent pas les jeunes du quartier.")
    page.locator("#id_links").fill("https://example.org/prototype")
    page.locator("form[action$='/sheet/'] button[type=submit]").click()
    assert page.url.endswith(team.get_absolute_url())
    audit(page)
    page.locator(f"a[href$='/teams/{team.pk}/sheet/']").click()
    slides = tmp_path / "slides.pdf"
    slides.write_bytes(PDF)
    page.locator("#id_file").set_input_files(str(slides))
    page.locator("form[action$='/files/'] button[type=submit]").click()
    audit(page)
    page.goto(base + team.get_absolute_url())
    page.locator("form[action$='/sheet/submit/'] button[type=submit]").click()
    sheet = ProjectSheet.objects.get(team=team)
    assert sheet.submitted_by == camille and sheet.name == "Emploi en bas de chez soi" and sheet.version == 2
    assert Team.objects.get(pk=team.pk).speaker == camille
    audit(page)
    page.locator(f"a[href$='/teams/{team.pk}/sheet/history/']").click()
    page.locator("details summary").first.click()
    audit(page)
    # A participant is refused the organiser's pages, with the page that says why.
    assert page.goto(base + reverse("teams:preferences_overview", args=[event.slug])).status == 403
    audit(page)
    sign_in_as(organiser)
    page.goto(base + reverse("teams:preferences_overview", args=[event.slug]))
    audit(page)
    page.goto(base + reverse("teams:settings", args=[event.slug]))
    audit(page)
    assert Membership.objects.filter(event=event, user=camille, role=Role.PARTICIPANT).exists()
    assert foreign_requests == []
