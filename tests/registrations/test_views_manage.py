"""The organiser's pages: list, detail, export, check-in desk and badge scan."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from citehack.core.models import AuditEntry
from citehack.events.models import Phase
from citehack.registrations.models import Registration
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory, UserFactory

from .conftest import confirmed_registration, waitlisted_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def url(name, event, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"slug": event.slug, **kwargs})


def organiser_pages(event, registration):
    """Every organiser page, with the method that shows it."""
    return [
        ("get", url("manage_list", event)),
        ("get", url("manage_detail", event, pk=registration.pk)),
        ("post", url("manage_detail", event, pk=registration.pk)),
        ("get", url("manage_export", event)),
        ("get", url("manage_import", event)),
        ("post", url("manage_import", event)),
        ("get", url("checkin", event)),
        ("get", url("checkin_badge", event, code=registration.badge_code)),
        ("post", url("checkin_badge", event, code=registration.badge_code)),
        ("post", url("checkin_do", event, pk=registration.pk)),
    ]


PAGE_IDS = [
    "list", "detail", "detail-post", "export", "import", "import-post", "checkin", "badge-scan", "badge-scan-post",
    "checkin-do",
]


@pytest.mark.parametrize("index", range(len(PAGE_IDS)), ids=PAGE_IDS)
def test_organiser_pages_send_anonymous_visitors_to_sign_in(client, event, registration, index):
    method, path = organiser_pages(event, registration)[index]
    response = getattr(client, method)(path, {"action": "check_in"} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("who", ["participant", "other_event_organiser", "juror", "stranger"])
@pytest.mark.parametrize("index", range(len(PAGE_IDS)), ids=PAGE_IDS)
def test_organiser_pages_refuse_other_roles_and_other_events_organisers(client, event, registration, other_event_organiser, who, index):
    people = {
        "participant": registration.user,
        "other_event_organiser": other_event_organiser,
        "juror": MembershipFactory(event=event, role="juror").user,
        "stranger": UserFactory(),
    }
    client.force_login(people[who])
    method, path = organiser_pages(event, registration)[index]
    response = getattr(client, method)(path, {"action": "check_in"} if method == "post" else None)
    assert response.status_code == 403
    html = response.content.decode()
    assert registration.user.email not in html
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert registration.state == "confirmed"


def test_organiser_pages_open_for_the_organiser(organiser_client, event, registration):
    for method, path in organiser_pages(event, registration):
        if method == "get":
            assert organiser_client.get(path).status_code == 200, path


def test_a_registration_of_another_event_is_not_found(organiser_client, event):
    other = confirmed_registration(EventFactory())
    assert organiser_client.get(url("manage_detail", event, pk=other.pk)).status_code == 404
    assert organiser_client.post(url("checkin_do", event, pk=other.pk)).status_code == 404
    assert organiser_client.get(url("checkin_badge", event, code=other.badge_code)).status_code == 404
    other.refresh_from_db()
    assert other.checked_in_at is None


# List -----------------------------------------------------------------------------------------


def test_the_list_searches_filters_and_counts(organiser_client, event):
    ada = confirmed_registration(event, user=UserFactory(name="Ada Lovelace", email="ada@example.org"))
    grace = confirmed_registration(event, user=UserFactory(name="Grace Hopper", email="grace@example.org"))
    waiting = waitlisted_registration(event, user=UserFactory(name="Alan Turing", email="alan@example.org"))
    response = organiser_client.get(url("manage_list", event), {"q": "lovelace"})
    assert list(response.context["page"]) == [ada]
    response = organiser_client.get(url("manage_list", event), {"q": "GRACE@"})
    assert list(response.context["page"]) == [grace]
    response = organiser_client.get(url("manage_list", event), {"state": "waitlisted"})
    assert list(response.context["page"]) == [waiting]
    assert response.context["counts"]["confirmed"] == 2
    assert response.context["counts"]["waitlisted"] == 1
    html = response.content.decode()
    assert '<th scope="col">' in html and '<th scope="row">' in html


def test_an_unknown_state_filter_shows_an_error_not_a_crash(organiser_client, event, registration):
    response = organiser_client.get(url("manage_list", event), {"state": "nonsense"})
    assert response.status_code == 200
    assert "state" in response.context["form"].errors
    assert list(response.context["page"]) == [registration]


def _count_queries(client, path, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name, params",
    [("manage_list", None), ("manage_list", {"q": "example", "state": "confirmed"}), ("checkin", {"q": "example"})],
)
def test_query_count_does_not_grow_with_the_number_of_registrations(
    organiser_client, event, name, params, django_assert_num_queries, django_assert_max_num_queries
):
    for _ in range(10):
        confirmed_registration(event)
    with django_assert_max_num_queries(12):
        organiser_client.get(url(name, event), params)
    with_ten = _count_queries(organiser_client, url(name, event), params)
    for _ in range(40):
        confirmed_registration(event)
    with django_assert_num_queries(with_ten):
        response = organiser_client.get(url(name, event), params)
    rows = response.context["page"] if name == "manage_list" else response.context["results"]
    assert len(rows) >= 30


# Detail ---------------------------------------------------------------------------------------


def test_the_detail_shows_profile_consent_and_history(organiser_client, event, registration):
    html = organiser_client.get(url("manage_detail", event, pk=registration.pk)).content.decode()
    assert registration.user.email in html
    assert registration.consent_version in html
    assert registration.neighbourhood in html


def test_the_organiser_cancels_from_the_detail_and_the_first_waiting_person_moves_up(organiser_client, organiser):
    event = EventFactory(capacity=1)
    MembershipFactory(event=event, user=organiser, role="organiser")
    registration = confirmed_registration(event)
    waiting = waitlisted_registration(event)
    response = organiser_client.post(url("manage_detail", event, pk=registration.pk), {"action": "cancel"}, follow=True)
    assert "moves from the waiting list" in response.content.decode()
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.state == "cancelled"
    assert waiting.state == "confirmed"
    assert AuditEntry.objects.get(action="registration.cancel").actor == organiser


def test_the_organiser_checks_in_and_undoes_from_the_detail(organiser_client, event, registration):
    organiser_client.post(url("manage_detail", event, pk=registration.pk), {"action": "check_in"})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    organiser_client.post(url("manage_detail", event, pk=registration.pk), {"action": "undo_check_in"})
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_an_unknown_action_changes_nothing(organiser_client, event, registration):
    response = organiser_client.post(url("manage_detail", event, pk=registration.pk), {"action": "explode"}, follow=True)
    assert response.status_code == 200
    assert "Unknown action." in response.content.decode()
    registration.refresh_from_db()
    assert registration.state == "confirmed" and registration.checked_in_at is None


# Export ---------------------------------------------------------------------------------------


def test_the_export_is_a_csv_spreadsheets_open(organiser_client, event):
    confirmed_registration(event, user=UserFactory(name="=HYPERLINK(\"http://evil\")", email="eve@example.org"), skills=["digital", "design"])
    response = organiser_client.get(url("manage_export", event))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["name", "email", "phone"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["name"].startswith("'=")  # never run as a formula
    assert row["skills"] == "digital;design"
    assert row["state"] == "confirmed"
    assert row["consent_version"] == "2026-11"


def test_the_export_holds_only_this_events_registrations(organiser_client, event, registration):
    confirmed_registration(EventFactory())
    body = organiser_client.get(url("manage_export", event)).content.decode("utf-8")
    assert len(body.strip().splitlines()) == 2


# Check-in desk --------------------------------------------------------------------------------


def test_the_check_in_search_finds_people_by_name_or_email(organiser_client, event):
    ada = confirmed_registration(event, user=UserFactory(name="Ada Lovelace", email="ada@example.org"))
    confirmed_registration(event, user=UserFactory(name="Grace Hopper", email="grace@example.org"))
    cancelled = RegistrationFactory(event=event, user=UserFactory(name="Ada Cancelled", email="gone@example.org"), state="cancelled")
    response = organiser_client.get(url("checkin", event), {"q": "ada"})
    assert response.context["results"] == [ada]
    html = response.content.decode()
    assert 'aria-live="polite"' in html
    assert 'hx-get="' in html
    assert url("checkin_do", event, pk=ada.pk) in html
    assert cancelled.user.email not in html


def test_the_check_in_search_answers_htmx_with_the_results_only(organiser_client, event):
    confirmed_registration(event, user=UserFactory(name="Ada Lovelace", email="ada@example.org"))
    response = organiser_client.get(url("checkin", event), {"q": "ada"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "<html" not in html


def test_the_check_in_button_works_without_javascript(organiser_client, event, registration):
    back = url("checkin", event) + "?q=x"
    response = organiser_client.post(url("checkin_do", event, pk=registration.pk), {"action": "check_in", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_the_check_in_button_with_htmx_returns_the_updated_row(organiser_client, event, registration):
    response = organiser_client.post(url("checkin_do", event, pk=registration.pk), {"action": "check_in"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<li class="checkin-row"')
    assert "is checked in" in html
    assert 'value="undo_check_in"' in html
    again = organiser_client.post(url("checkin_do", event, pk=registration.pk), {"action": "check_in"}, HTTP_HX_REQUEST="true")
    assert "already checked in" in again.content.decode()
    assert AuditEntry.objects.filter(action="registration.check_in").count() == 1


def test_the_check_in_ignores_an_outside_next_address(organiser_client, event, registration):
    response = organiser_client.post(url("checkin_do", event, pk=registration.pk), {"next": "https://evil.example/"})
    assert response["Location"] == url("checkin", event)


def test_a_waiting_person_cannot_be_checked_in_at_the_desk(organiser_client, event):
    waiting = waitlisted_registration(event)
    response = organiser_client.post(url("checkin_do", event, pk=waiting.pk), {"action": "check_in"}, follow=True)
    assert "Only confirmed registrations can be checked in." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


def test_the_check_in_page_refuses_get_on_the_action(organiser_client, event, registration):
    assert organiser_client.get(url("checkin_do", event, pk=registration.pk)).status_code == 405


# Badge scan -----------------------------------------------------------------------------------


def test_scanning_a_badge_shows_the_person_and_a_big_button(organiser_client, event, registration):
    response = organiser_client.get(url("checkin_badge", event, code=registration.badge_code))
    html = response.content.decode()
    assert registration.user.name in html
    assert "button-huge" in html
    response = organiser_client.post(url("checkin_badge", event, code=registration.badge_code), {"action": "check_in"}, follow=True)
    assert "is checked in" in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_an_unknown_badge_code_is_not_found(organiser_client, event):
    assert organiser_client.get(url("checkin_badge", event, code="nope")).status_code == 404


def test_a_participant_scanning_a_badge_learns_nothing(client, event, registration):
    other = confirmed_registration(event)
    client.force_login(other.user)
    response = client.get(url("checkin_badge", event, code=registration.badge_code))
    assert response.status_code == 403
    assert registration.user.name not in response.content.decode()


def test_a_closed_event_keeps_its_organiser_pages(organiser_client, event, registration):
    event.phase = Phase.CLOSED
    event.save()
    assert organiser_client.get(url("manage_list", event)).status_code == 200
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("state", ["waitlisted", "cancelled"])
def test_the_detail_of_a_waiting_or_cancelled_registration(organiser_client, event, state):
    registration = RegistrationFactory(event=event, state=state, waitlisted_at=timezone.now(), source="import")
    html = organiser_client.get(url("manage_detail", event, pk=registration.pk)).content.decode()
    assert registration.get_state_display() in html
    assert "imported" in html
    assert ('value="check_in"' in html) is False
    assert ('value="cancel"' in html) is (state == "waitlisted")
