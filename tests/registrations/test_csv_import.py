"""CSV import of registrations made elsewhere: encodings, delimiters, per-line report, all or nothing."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from citehack.core.models import AuditEntry
from citehack.registrations import csv_import
from citehack.registrations.forms import MAX_IMPORT_BYTES
from citehack.registrations.models import Registration
from tests.factories import EventFactory, MembershipFactory

from .conftest import confirmed_registration

pytestmark = pytest.mark.django_db

HEADER = "name,email,phone,status,skills,neighbourhood,age_band,accessibility_needs,themes\n"
VALID = (
    HEADER
    + "Ada Lovelace,ada@example.org,06 12 34 56 78,job_seeker,digital;writing,Etouvie,18-25,,employment\n"
    + "Grace Hopper,grace@example.org,,Student,Design and drawing; DIGITAL ,80000,26 to 35,Wheelchair,YOUTH;Health and well-being\n"
    + "Alan Turing,alan@example.org,,,,,,,\n"
)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def upload(client, event, content, *, name="people.csv", consent=True, valid_only=False, notify=True):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    if consent:
        data["consent_collected"] = "on"
    if valid_only:
        data["valid_only"] = "on"
    if notify:
        data["notify"] = "on"
    return client.post(reverse("registrations:manage_import", kwargs={"slug": event.slug}), data)


def emails(event):
    return sorted(Registration.objects.filter(event=event).values_list("user__email", flat=True))


def test_a_valid_file_registers_everyone_through_the_capacity(organiser_client, organiser, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=2)
    MembershipFactory(event=event, user=organiser, role="organiser")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(organiser_client, event, VALID.encode())
    assert response.status_code == 200
    assert "Import done" in response.content.decode()
    registrations = {r.user.email: r for r in Registration.objects.filter(event=event).select_related("user")}
    assert [registrations[e].state for e in ("ada@example.org", "grace@example.org", "alan@example.org")] == [
        "confirmed", "confirmed", "waitlisted",
    ]
    grace = registrations["grace@example.org"]
    assert grace.status == "student"
    assert grace.skills == ["design", "digital"]
    assert grace.themes == ["youth", "health"]
    assert grace.age_band == "26-35"
    assert grace.accessibility_needs == "Wheelchair"
    alan = registrations["alan@example.org"]
    assert alan.status == "other"  # an empty status is "other"
    assert {r.source for r in registrations.values()} == {"import"}
    assert {r.consent_version for r in registrations.values()} == {"import:2026-11"}
    assert len(mail.outbox) == 3
    entry = AuditEntry.objects.get(action="registration.import")
    assert entry.actor == organiser
    assert entry.after == {"confirmed": 2, "waitlisted": 1, "already_registered": 0}


def test_no_mail_when_the_organiser_says_so(organiser_client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(organiser_client, event, VALID.encode(), notify=False)
    assert len(emails(event)) == 3
    assert mail.outbox == []


def test_french_labels_are_accepted_in_any_case(organiser_client, event, monkeypatch):
    catalog = trans_real.translation("fr")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, "Job seeker", "Demandeur ou demandeuse d'emploi")
    monkeypatch.setitem(catalog, "Knowledge of the neighbourhood", "Connaissance du quartier")
    content = "nom;courriel;statut;compétences;Tranche d'âge\nLéa Martin;lea@example.org;DEMANDEUR OU DEMANDEUSE D'EMPLOI;connaissance du quartier;65+\n"
    response = upload(organiser_client, event, content.encode())
    assert response.status_code == 200
    registration = Registration.objects.get(event=event)
    assert (registration.status, registration.skills, registration.age_band) == ("job_seeker", ["field"], "65+")


def test_each_bad_line_is_reported_with_its_number_and_nothing_is_imported(organiser_client, event):
    content = (
        HEADER
        + "Ada Lovelace,ada@example.org,,student,,,,,\n"
        + "Bad Mail,not-an-address,,student,,,,,\n"
        + "Odd Status,odd@example.org,,astronaut,,,,,\n"
        + "Odd Skill,skill@example.org,,,juggling,,,,\n"
        + ",noname@example.org,,,,,,,\n"
        + "Ada Again,ADA@example.org,,,,,,,\n"
    )
    response = upload(organiser_client, event, content.encode())
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    errors = {problem.line: problem.message for problem in response.context["parsed"].errors}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "email" in errors[3]
    assert "“astronaut” is unknown" in errors[4]
    assert "“juggling” is unknown" in errors[5]
    assert "name" in errors[6]
    assert "already on line 2" in errors[7]
    assert emails(event) == []


def test_the_valid_lines_only_are_imported_when_the_organiser_asks(organiser_client, event):
    content = HEADER + "Ada Lovelace,ada@example.org,,,,,,,\nBad Mail,not-an-address,,,,,,,\nGrace Hopper,grace@example.org,,,,,,,\n"
    response = upload(organiser_client, event, content.encode(), valid_only=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import done" in html
    assert [p.line for p in response.context["parsed"].errors] == [3]
    assert emails(event) == ["ada@example.org", "grace@example.org"]


def test_people_already_registered_are_reported_and_skipped(organiser_client, event):
    registration = confirmed_registration(event)
    content = HEADER + f"Someone,{registration.user.email},,,,,,,\nAda Lovelace,ada@example.org,,,,,,,\n"
    response = upload(organiser_client, event, content.encode())
    assert response.status_code == 200
    assert [p.line for p in response.context["parsed"].already_registered] == [2]
    assert "already registered" in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 2


def test_a_cancelled_person_in_the_file_is_registered_again(organiser_client, event):
    registration = confirmed_registration(event)
    registration.state = "cancelled"
    registration.save()
    upload(organiser_client, event, (HEADER + f"Back Again,{registration.user.email},,,,,,,\n").encode())
    registration.refresh_from_db()
    assert registration.state == "confirmed"
    assert registration.source == "import"


def test_utf8_with_bom_and_semicolons(organiser_client, event):
    content = "\ufeffname;email;skills\r\nHélène Dupont;helene@example.org;digital;\r\n"
    # The trailing ";" is one more cell than the header, but an empty one: the line is fine.
    response = upload(organiser_client, event, content.encode("utf-8"))
    assert response.status_code == 200
    registration = Registration.objects.get(event=event)
    assert registration.user.name == "Hélène Dupont"
    assert registration.skills == ["digital"]


def test_quoted_skills_with_semicolons_in_a_comma_file(organiser_client, event):
    content = 'name,email,skills\n"Dupont, Hélène",helene@example.org,"digital;writing"\n'
    upload(organiser_client, event, content.encode())
    registration = Registration.objects.get(event=event)
    assert registration.user.name == "Dupont, Hélène"
    assert registration.skills == ["digital", "writing"]


def test_windows_1252_files_are_read(organiser_client, event):
    content = "name;email;neighbourhood\nFrançoise Lefèvre;francoise@example.org;Quartier Nord – Étouvie\n"
    response = upload(organiser_client, event, content.encode("cp1252"))
    assert response.status_code == 200
    registration = Registration.objects.get(event=event)
    assert registration.user.name == "Françoise Lefèvre"
    assert registration.neighbourhood == "Quartier Nord – Étouvie"


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(organiser_client, event):
    content = (HEADER + "Ada Lovelace,ada@example.org,,,,,,,\n" * (MAX_IMPORT_BYTES // 30)).encode()
    assert len(content) > MAX_IMPORT_BYTES
    response = upload(organiser_client, event, content)
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert emails(event) == []


def test_consent_must_be_confirmed(organiser_client, event):
    response = upload(organiser_client, event, VALID.encode(), consent=False)
    assert response.status_code == 400
    assert "consent_collected" in response.context["form"].errors
    assert emails(event) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"nom,telephone\nAda,0612345678\n", "missing: email"),
        (b"\x00\x01\x02PK\x03\x04binary", "does not look like a CSV"),
        (b"name,email\nAda,ada@example.org\n\x81\x8d\x8f\x90\x9d\n", "could not be read"),
    ],
    ids=["empty", "no-email-column", "binary", "undecodable"],
)
def test_an_unreadable_file_says_why_and_imports_nothing(organiser_client, event, content, message):
    response = upload(organiser_client, event, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert emails(event) == []


def test_a_line_with_more_cells_than_columns_is_an_error(organiser_client, event):
    response = upload(organiser_client, event, b"name,email\nAda,ada@example.org,extra\n")
    assert [p.line for p in response.context["parsed"].errors] == [2]


def test_line_numbers_count_lines_of_the_file_even_with_multiline_cells(event):
    content = 'name,email,accessibility_needs\nAda,ada@example.org,"line one\nline two"\nBad,bad,\n'
    result = csv_import.parse_registrations(content.encode(), event=event)
    assert [p.line for p in result.errors] == [4]
    assert result.rows[0].profile["accessibility_needs"] == "line one\nline two"


def test_the_report_is_in_the_organisers_language(organiser_client, event, monkeypatch):
    catalog = trans_real.translation("fr")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, "%(email)s is already on line %(line)d.", "%(email)s est déjà à la ligne %(line)d.")
    organiser_client.cookies["django_language"] = "fr"
    response = upload(organiser_client, event, (HEADER + "A,a@example.org,,,,,,,\nB,a@example.org,,,,,,,\n").encode())
    assert "a@example.org est déjà à la ligne 2." in response.content.decode()
