"""The public form and the participant's own pages: registration, badge, cancel, workshops."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from citehack.accounts.models import User
from citehack.core.qr import qr_svg
from citehack.events.models import Phase
from citehack.registrations.models import Registration, WorkshopSignup
from tests.factories import EventFactory, WorkshopFactory, WorkshopSignupFactory

from .conftest import confirmed_registration, waitlisted_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def url(name, event, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"slug": event.slug, **kwargs})


def form_data(**overrides):
    data = {
        "name": "Ada Lovelace", "email": "ada@example.org", "phone": "06 12 34 56 78", "status": "job_seeker",
        "skills": ["digital", "writing"], "neighbourhood": "Etouvie", "age_band": "18-25",
        "accessibility_needs": "", "themes": ["employment", "youth"], "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def assert_signed_in_required(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


# The public form ------------------------------------------------------------------------------


def test_the_form_is_accessible_and_needs_no_script(client, event, settings):
    response = client.get(url("register", event))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend" in html and 'type="checkbox"' in html and 'name="consent"' in html
    assert html.count("<fieldset") >= 3  # about you, status, skills, themes
    assert f"version {settings.PRIVACY_NOTICE_VERSION}" in html
    assert "<script>" not in html and "style=" not in html


def test_a_visitor_registers_and_is_told_to_check_their_mail(client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("register", event), form_data())
    assert response.status_code == 200
    assert "Check your mailbox" in response.content.decode()
    registration = Registration.objects.get()
    assert registration.user.email == "ada@example.org"
    assert registration.state == "confirmed"
    assert registration.skills == ["digital", "writing"]
    assert registration.themes == ["employment", "youth"]
    assert registration.consent_version == "2026-11"
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_a_full_event_puts_the_visitor_on_the_waiting_list(client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("register", event), form_data())
    assert Registration.objects.get(user__email="ada@example.org").state == "waitlisted"
    assert "waiting list" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"consent": None}, "consent"),
        ({"email": "not-an-address"}, "email"),
        ({"name": "   "}, "name"),
        ({"status": "astronaut"}, "status"),
        ({"skills": ["juggling"]}, "skills"),
        ({"phone": "call me"}, "phone"),
        ({"age_band": "100+"}, "age_band"),
    ],
)
def test_an_invalid_form_shows_the_error_and_changes_nothing(client, event, overrides, field):
    response = client.post(url("register", event), form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not Registration.objects.exists()
    assert not User.objects.filter(email="ada@example.org").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("phase", [Phase.CHALLENGE_VOTE, Phase.TEAM_FORMATION, Phase.LIVE, Phase.CLOSED])
def test_registration_is_closed_outside_the_registration_phase(client, phase):
    event = EventFactory(phase=phase)
    page = client.get(url("register", event))
    assert page.status_code == 403
    assert "Registration is closed" in page.content.decode()
    response = client.post(url("register", event), form_data())
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_a_draft_event_is_not_shown_to_the_public(client):
    event = EventFactory(phase=Phase.DRAFT)
    assert client.post(url("register", event), form_data()).status_code == 403
    assert not Registration.objects.exists()


def test_a_registered_visitor_gets_the_same_page_and_a_reminder_not_a_duplicate(client, event, django_capture_on_commit_callbacks):
    registration = confirmed_registration(event)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("register", event), form_data(email=registration.user.email.upper()))
    assert response.status_code == 200
    assert "Check your mailbox" in response.content.decode()
    assert Registration.objects.count() == 1
    assert mail.outbox[0].to == [registration.user.email]
    assert "already registered" in mail.outbox[0].body


def test_reminders_to_one_address_are_rate_limited(client, event, settings, django_capture_on_commit_callbacks):
    registration = confirmed_registration(event)
    limit, _window = settings.SIGN_IN_LINK_RATE
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(limit + 3):
            client.post(url("register", event), form_data(email=registration.user.email))
    assert len(mail.outbox) == limit


def test_a_signed_in_registered_person_is_told_so_and_pointed_to_their_registration(participant_client, event):
    response = participant_client.get(url("register", event))
    html = response.content.decode()
    assert response.status_code == 200
    assert "You are already registered" in html
    assert url("mine", event) in html
    assert "<form method=\"post\" novalidate" not in html


def test_a_signed_in_person_registering_lands_on_their_registration(client, event, stranger):
    client.force_login(stranger)
    response = client.post(url("register", event), form_data(email=stranger.email, name=stranger.name))
    assert response.status_code == 302
    assert response["Location"] == url("mine", event)
    assert Registration.objects.get().user == stranger


def test_a_cancelled_person_can_register_again_with_the_form(client, event):
    registration = confirmed_registration(event)
    registration.state = "cancelled"
    registration.save()
    client.force_login(registration.user)
    response = client.post(url("register", event), form_data(email=registration.user.email))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == "confirmed"
    assert Registration.objects.count() == 1


# My registration ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mine", "badge", "cancel"])
def test_participant_pages_send_anonymous_visitors_to_sign_in(client, event, name):
    assert_signed_in_required(client.get(url(name, event)))


@pytest.mark.parametrize("name", ["mine", "badge", "cancel"])
def test_a_person_without_registration_never_sees_another_persons(client, event, stranger, registration, name):
    client.force_login(stranger)
    response = client.get(url(name, event))
    assert response.status_code == 404
    html = response.content.decode()
    assert registration.user.name not in html
    assert registration.badge_code not in html
    assert client.post(url("cancel", event)).status_code == 404
    registration.refresh_from_db()
    assert registration.state == "confirmed"


def test_a_participant_of_another_event_does_not_see_this_event(client, event, registration):
    other = confirmed_registration(EventFactory())
    client.force_login(other.user)
    assert client.get(url("mine", event)).status_code == 404
    assert client.get(url("badge", event)).status_code == 404


def test_my_registration_shows_state_profile_workshops_and_links(participant_client, event, registration):
    workshop = WorkshopFactory(event=event, title="Atelier prototypage")
    WorkshopSignupFactory(item=workshop, registration=registration)
    html = participant_client.get(url("mine", event)).content.decode()
    assert "Confirmed" in html
    assert "Atelier prototypage" in html
    assert registration.neighbourhood in html
    assert url("badge", event) in html
    assert url("cancel", event) in html


def test_a_waiting_person_sees_their_position(client):
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    waitlisted_registration(event)
    second = waitlisted_registration(event)
    client.force_login(second.user)
    html = client.get(url("mine", event)).content.decode()
    assert "You are number 2 on the waiting list" in html
    assert url("badge", event) not in html


def test_the_badge_holds_a_qr_code_of_the_check_in_address(participant_client, event, registration):
    response = participant_client.get(url("badge", event))
    html = response.content.decode()
    assert response.status_code == 200
    check_in = "http://testserver" + url("checkin_badge", event, code=registration.badge_code)
    expected = qr_svg(check_in, title=f"Check-in code of {registration.user.name}")
    assert expected in html
    assert registration.user.name in html and event.title in html


def test_a_waiting_person_has_no_badge_yet(client, event):
    waiting = waitlisted_registration(event)
    client.force_login(waiting.user)
    response = client.get(url("badge", event))
    assert response.status_code == 302
    assert response["Location"] == url("mine", event)


# Cancel ---------------------------------------------------------------------------------------


def test_cancel_asks_first_then_cancels_and_promotes(participant_client, event, registration):
    event.capacity = 1
    event.save()
    waiting = waitlisted_registration(event)
    page = participant_client.get(url("cancel", event))
    assert page.status_code == 200
    registration.refresh_from_db()
    assert registration.state == "confirmed"
    response = participant_client.post(url("cancel", event))
    assert response.status_code == 302
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.state == "cancelled"
    assert waiting.state == "confirmed"


@pytest.mark.parametrize("phase", [Phase.LIVE, Phase.JUDGING, Phase.CLOSED])
def test_cancelling_is_refused_once_the_event_is_live(participant_client, event, registration, phase):
    event.phase = phase
    event.save()
    response = participant_client.post(url("cancel", event))
    assert response.status_code == 403
    assert "too late to cancel" in response.content.decode()
    registration.refresh_from_db()
    assert registration.state == "confirmed"


# Workshops ------------------------------------------------------------------------------------


def test_a_participant_signs_up_for_a_workshop_and_returns_to_the_programme(participant_client, event, registration):
    workshop = WorkshopFactory(event=event)
    response = participant_client.post(url("workshop_signup", event, pk=workshop.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("events:programme", kwargs={"slug": event.slug})
    assert WorkshopSignup.objects.filter(item=workshop, registration=registration).exists()
    again = participant_client.post(url("workshop_signup", event, pk=workshop.pk), follow=True)
    assert "already signed up" in again.content.decode()
    assert WorkshopSignup.objects.count() == 1


def test_a_full_workshop_says_so(participant_client, event):
    workshop = WorkshopFactory(event=event, capacity=1)
    WorkshopSignupFactory(item=workshop, registration=confirmed_registration(event))
    response = participant_client.post(url("workshop_signup", event, pk=workshop.pk), follow=True)
    assert "This workshop is full." in response.content.decode()
    assert workshop.signups.count() == 1


def test_leaving_a_workshop(participant_client, event, registration):
    workshop = WorkshopFactory(event=event)
    WorkshopSignupFactory(item=workshop, registration=registration)
    response = participant_client.post(url("workshop_leave", event, pk=workshop.pk))
    assert response.status_code == 302
    assert not WorkshopSignup.objects.exists()


@pytest.mark.parametrize("name", ["workshop_signup", "workshop_leave"])
def test_workshop_actions_refuse_anonymous_visitors_and_get(client, event, name):
    workshop = WorkshopFactory(event=event)
    assert_signed_in_required(client.post(url(name, event, pk=workshop.pk)))
    assert client.get(url(name, event, pk=workshop.pk)).status_code == 405


@pytest.mark.parametrize("name", ["workshop_signup", "workshop_leave"])
def test_workshop_actions_refuse_people_without_a_confirmed_place(client, event, stranger, name):
    workshop = WorkshopFactory(event=event)
    client.force_login(stranger)
    assert client.post(url(name, event, pk=workshop.pk)).status_code == 403
    client.force_login(waitlisted_registration(event).user)
    assert client.post(url(name, event, pk=workshop.pk)).status_code == 403
    client.force_login(confirmed_registration(EventFactory()).user)
    assert client.post(url(name, event, pk=workshop.pk)).status_code == 403
    assert not WorkshopSignup.objects.exists()


def test_a_workshop_of_another_event_is_not_found(participant_client, event):
    other = WorkshopFactory()
    assert participant_client.post(url("workshop_signup", event, pk=other.pk)).status_code == 404
    assert not WorkshopSignup.objects.exists()


def test_a_cancelled_person_sees_their_cancelled_registration_and_can_register_again(client, event):
    registration = confirmed_registration(event)
    registration.state = "cancelled"
    registration.save()
    client.force_login(registration.user)
    html = client.get(url("mine", event)).content.decode()
    assert "Cancelled" in html
    assert url("register", event) in html
    assert url("badge", event) not in html
    response = client.get(url("cancel", event))
    assert response.status_code == 302


def test_participant_pages_render_in_french_without_errors(client, event, registration):
    client.cookies["django_language"] = "fr"
    client.force_login(registration.user)
    for name in ("mine", "badge", "cancel", "register"):
        response = client.get(url(name, event))
        assert response.status_code == 200, name
        assert response["Content-Language"] == "fr"
