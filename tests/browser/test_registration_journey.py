"""A person registers, is wait-listed, promoted, signs in by link, signs up for a workshop,
and is checked in by an organiser: the foundation's journey in a real browser."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from citehack.registrations.models import Registration
from tests.factories import EventFactory, MembershipFactory, ProgrammeItemFactory, RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://[^\s]+/accounts/link/[^\s/]+/")


def last_link_to(email):
    for message in reversed(mail.outbox):
        if email in message.to:
            found = LINK.search(message.body)
            if found:
                return found.group(0)
    raise AssertionError(f"no sign-in link mailed to {email}")


def test_register_wait_promote_sign_in_workshop_and_check_in(page, live_server, sign_in_as, audit, foreign_requests):
    event = EventFactory(capacity=1, slug="journee-amiens")
    workshop = ProgrammeItemFactory(
        event=event, kind="workshop", title="Atelier prototypage", capacity=5,
        starts_at=event.starts_at + timedelta(hours=1), ends_at=event.starts_at + timedelta(hours=2),
    )
    first = RegistrationFactory(event=event)
    MembershipFactory(event=event, user=first.user, role="participant")
    organiser = MembershipFactory(event=event, role="organiser").user

    # 1. A person registers from the public page; the event is full, so she is wait-listed.
    page.goto(live_server.url + reverse("events:detail", args=[event.slug]))
    audit(page)
    page.locator(f"a[href='{reverse('registrations:register', args=[event.slug])}']").first.click()
    audit(page)
    page.locator("#id_name").fill("Aïcha Traoré")
    page.locator("#id_email").fill("aicha@example.org")
    page.locator("input[name=status][value=job_seeker]").check()
    page.locator("input[name=skills][value=design]").check()
    page.locator("#id_neighbourhood").fill("Etouvie")
    page.locator("input[name=consent]").check()
    with page.expect_navigation():
        page.locator("form.registration-form button[type=submit]").click()
    audit(page)
    registration = Registration.objects.get(user__email="aicha@example.org")
    assert registration.state == "waitlisted"
    assert registration.consent_at is not None

    # 2. The first person cancels: Aïcha is promoted and told by mail.
    sign_in_as(first.user)
    page.goto(live_server.url + reverse("registrations:cancel", args=[event.slug]))
    audit(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    registration.refresh_from_db()
    assert registration.state == "confirmed"
    page.context.clear_cookies()

    # 3. She signs in with the link from her mail (GET shows a button, POST signs in).
    page.goto(last_link_to("aicha@example.org"))
    audit(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + reverse("registrations:mine", args=[event.slug]))
    audit(page)
    assert "Aïcha Traoré" in page.content()

    # 4. She signs up for the workshop from the programme, with the keyboard.
    page.goto(live_server.url + reverse("events:programme", args=[event.slug]))
    audit(page)
    button = page.locator(f"form[action='{reverse('registrations:workshop_signup', args=[event.slug, workshop.pk])}'] button")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert workshop.signups.filter(registration=registration).exists()

    # 5. The organiser finds her by name at the welcome desk and checks her in.
    page.context.clear_cookies()
    sign_in_as(organiser)
    page.goto(live_server.url + reverse("registrations:checkin", args=[event.slug]))
    audit(page)
    # Results come as you type (htmx); the search button is there without JavaScript.
    page.locator("#checkin-q").fill("Aïcha")
    page.locator("#checkin-results", has_text="Aïcha Traoré").wait_for()
    # Let the search-as-you-type requests settle: a late one would replace the row clicked.
    page.wait_for_load_state("networkidle")
    page.locator("#checkin-results form button[type=submit]").first.click()
    # The row comes back with an "undo" button once the check-in is recorded.
    page.locator("#checkin-results input[name=action][value=undo_check_in]").wait_for(state="attached")
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    audit(page)

    # Her badge carries a QR code to the organiser's check-in page.
    page.context.clear_cookies()
    sign_in_as(registration.user)
    page.goto(live_server.url + reverse("registrations:badge", args=[event.slug]))
    audit(page)
    assert page.locator("svg[role=img]").count() == 1
    assert foreign_requests == []
