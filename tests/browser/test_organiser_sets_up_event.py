"""An organiser sets up a new event with its programme without touching the admin."""

import pytest
from django.urls import reverse

from citehack.events.models import Event
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_creates_event_and_programme_with_keyboard_and_mouse(page, live_server, sign_in_as, audit, foreign_requests):
    organiser = MembershipFactory(role="organiser").user
    sign_in_as(organiser)

    page.goto(live_server.url + reverse("events:create"))
    audit(page)
    page.get_by_label("New organisation", exact=False).or_(page.get_by_label("nouvelle organisation", exact=False)).first.fill("Maison des associations")
    page.locator("#id_title").fill("Hackathon de quartier")
    page.locator("#id_slug").fill("hackathon-quartier")
    page.locator("#id_starts_at").fill("2027-03-13T09:00")
    page.locator("#id_ends_at").fill("2027-03-13T18:00")
    page.locator("#id_capacity").fill("40")
    page.locator("main form button[type=submit]").click()

    event = Event.objects.get(slug="hackathon-quartier")
    assert event.phase == "draft"
    assert page.url.endswith(reverse("events:manage", args=[event.slug]))
    audit(page)

    page.goto(live_server.url + reverse("events:item_create", args=[event.slug]))
    audit(page)
    page.locator("#id_kind").select_option("workshop")
    page.locator("#id_title").fill("Atelier prototypage")
    page.locator("#id_starts_at").fill("2027-03-13T10:00")
    page.locator("#id_ends_at").fill("2027-03-13T11:00")
    page.locator("#id_capacity").fill("12")
    # Submit with the keyboard alone.
    page.locator("#id_capacity").press("Enter")
    assert page.url.endswith(reverse("events:programme_manage", args=[event.slug]))
    assert event.programme.get().capacity == 12
    audit(page)

    # Open registration: move the phase from the overview.
    page.goto(live_server.url + reverse("events:manage", args=[event.slug]))
    page.locator("#id_phase").select_option("registration")
    page.locator("form[action$='/phase/'] button[type=submit]").click()
    event.refresh_from_db()
    assert event.phase == "registration"
    assert event.audit_entries.filter(action="event.phase").count() == 1

    page.goto(live_server.url + reverse("events:programme", args=[event.slug]))
    assert "Atelier prototypage" in page.content()
    audit(page)
    assert foreign_requests == []
