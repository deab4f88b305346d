"""The project sheet: versions, deadline, reopening, submission, uploads checked on content."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from citehack.events.models import ItemKind, Phase
from citehack.teams import selectors, services, uploads
from citehack.teams.models import ProjectSheet, SheetFile, SheetVersion, TeamSettings
from tests.factories import ProgrammeItemFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes(size=(4, 3), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def sheet_data(**overrides):
    data = {"name": "Numérique pour tous", "problem": "Peu d'accès.", "solution": "Des ateliers.", "target_users": "",
            "built": "", "next_steps": "", "links": ""}
    data.update(overrides)
    return data


def post_sheet(client, event, team, version, **overrides):
    return client.post(reverse("teams:sheet_edit", args=[event.slug, team.pk]), {**sheet_data(**overrides), "version": version})


def set_deadline(event, when):
    TeamSettings.objects.update_or_create(event=event, defaults={"sheet_deadline": when})


# Versions ----------------------------------------------------------------------------------------


def test_every_edit_keeps_the_previous_version_with_author_and_time(client, event, team, member, other_member):
    teammate = [m.user for m in team.members.all() if m.user != member][0]
    client.force_login(member)
    assert post_sheet(client, event, team, 0).status_code == 302
    client.force_login(teammate)
    assert post_sheet(client, event, team, 1, solution="Des ateliers et un guide.").status_code == 302

    sheet = ProjectSheet.objects.get(team=team)
    versions = list(sheet.versions.order_by("number"))
    assert sheet.version == 2
    assert [(v.number, v.author, v.action) for v in versions] == [(1, member, "edit"), (2, teammate, "edit")]
    assert versions[0].content["solution"] == "Des ateliers."
    assert versions[1].content["solution"] == "Des ateliers et un guide."
    assert all(v.created_at <= timezone.now() for v in versions)


def test_history_page_shows_each_version_and_what_changed(client, event, team, member):
    services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)
    services.edit_sheet(actor=member, team=team, data=sheet_data(name="Nouveau nom"), base_version=1)
    client.force_login(member)

    body = client.get(reverse("teams:sheet_history", args=[event.slug, team.pk])).content.decode()

    assert "Version 2" in body and "Version 1" in body
    assert "Nouveau nom" in body and "Numérique pour tous" in body
    assert member.name in body


def test_saving_the_same_text_makes_no_new_version(event, team, member):
    services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)

    assert services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=1) is False
    assert SheetVersion.objects.count() == 1


def test_a_stale_edit_is_refused_and_overwrites_nothing(client, event, team, member):
    services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)
    client.force_login(member)

    response = post_sheet(client, event, team, 0, name="Écrasé")

    assert response.status_code == 400
    assert "Someone else saved the sheet" in response.content.decode()
    assert ProjectSheet.objects.get(team=team).name == "Numérique pour tous"


def test_a_link_that_is_not_a_web_address_is_refused(client, event, team, member):
    client.force_login(member)

    response = post_sheet(client, event, team, 0, links="https://example.org/proto\njavascript:alert(1)")

    assert response.status_code == 400
    assert "javascript:alert(1)" in response.content.decode()
    assert not ProjectSheet.objects.filter(team=team, version__gt=0).exists()


# Deadline, submission, reopening ---------------------------------------------------------------------


def test_editing_after_the_deadline_fails(client, event, team, member):
    set_deadline(event, timezone.now() - timedelta(minutes=1))
    client.force_login(member)

    response = post_sheet(client, event, team, 0)

    assert response.status_code == 403
    assert ProjectSheet.objects.get(team=team).version == 0
    with pytest.raises(ValidationError):
        services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)
    with pytest.raises(ValidationError):
        services.add_file(actor=member, team=team, upload=SimpleUploadedFile("s.pdf", PDF))


def test_organisers_too_must_reopen_after_the_deadline(event, team, organiser):
    set_deadline(event, timezone.now() - timedelta(minutes=1))

    with pytest.raises(ValidationError):
        services.edit_sheet(actor=organiser, team=team, data=sheet_data(), base_version=0)


def test_the_deadline_defaults_to_the_end_of_the_sprint(event, team, member):
    sprint = ProgrammeItemFactory(event=event, kind=ItemKind.SPRINT, starts_at=timezone.now() - timedelta(hours=3),
                                  ends_at=timezone.now() - timedelta(seconds=1))

    assert selectors.sheet_deadline(event) == sprint.ends_at
    with pytest.raises(ValidationError, match="deadline passed"):
        services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)


def test_the_settings_deadline_wins_over_the_sprint(event, team):
    ProgrammeItemFactory(event=event, kind=ItemKind.SPRINT)
    later = timezone.now() + timedelta(days=90)
    set_deadline(event, later)

    assert selectors.sheet_deadline(event) == later


def test_reopening_allows_editing_again_until_the_team_submits(client, event, team, member, organiser):
    set_deadline(event, timezone.now() - timedelta(minutes=1))
    client.force_login(organiser)
    assert client.post(reverse("teams:sheet_reopen", args=[event.slug, team.pk]), {"action": "reopen"}).status_code == 302

    client.force_login(member)
    assert post_sheet(client, event, team, 0).status_code == 302
    assert client.post(reverse("teams:sheet_submit", args=[event.slug, team.pk])).status_code == 302

    sheet = ProjectSheet.objects.get(team=team)
    assert sheet.version == 1 and sheet.submitted_version == 1 and not sheet.is_reopened
    assert post_sheet(client, event, team, 1, name="Trop tard").status_code == 403
    assert event.audit_entries.filter(action="teams.sheet_reopen").count() == 1


def test_organiser_can_lock_a_reopened_sheet_again(client, event, team, organiser, member):
    set_deadline(event, timezone.now() - timedelta(minutes=1))
    services.reopen_sheet(actor=organiser, team=team)
    client.force_login(organiser)

    client.post(reverse("teams:sheet_reopen", args=[event.slug, team.pk]), {"action": "close"})

    assert not ProjectSheet.objects.get(team=team).is_reopened
    with pytest.raises(ValidationError):
        services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)


def test_submitting_needs_a_project_name_and_records_who(client, event, team, member):
    client.force_login(member)
    client.post(reverse("teams:sheet_submit", args=[event.slug, team.pk]))
    assert ProjectSheet.objects.get(team=team).submitted_at is None

    services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)
    client.post(reverse("teams:sheet_submit", args=[event.slug, team.pk]))

    sheet = ProjectSheet.objects.get(team=team)
    assert sheet.submitted_by == member and sheet.submitted_version == 1
    services.edit_sheet(actor=member, team=team, data=sheet_data(name="Autre"), base_version=1)
    assert ProjectSheet.objects.get(team=team).changed_since_submission


def test_organisers_may_edit_the_sheet(client, event, team, organiser):
    client.force_login(organiser)

    assert post_sheet(client, event, team, 0).status_code == 302
    assert ProjectSheet.objects.get(team=team).versions.get().author == organiser


# Speaker and mentor ----------------------------------------------------------------------------------


def test_any_member_chooses_the_speaker_until_the_pitches(client, event, team, member):
    teammate = [m.user for m in team.members.all() if m.user != member][0]
    client.force_login(member)

    client.post(reverse("teams:speaker", args=[event.slug, team.pk]), {"speaker": teammate.pk})
    team.refresh_from_db()
    assert team.speaker == teammate

    event.phase = Phase.JUDGING
    event.save(update_fields=["phase"])
    client.post(reverse("teams:speaker", args=[event.slug, team.pk]), {"speaker": member.pk})
    team.refresh_from_db()
    assert team.speaker == teammate


def test_the_speaker_must_be_a_member(client, event, team, member, other_member):
    client.force_login(member)

    client.post(reverse("teams:speaker", args=[event.slug, team.pk]), {"speaker": other_member.pk})

    team.refresh_from_db()
    assert team.speaker is None


def test_organiser_assigns_a_mentor_from_the_event_mentors(client, event, team, organiser, mentor, stranger):
    client.force_login(organiser)

    client.post(reverse("teams:mentor", args=[event.slug, team.pk]), {"mentor": stranger.pk})
    team.refresh_from_db()
    assert team.mentor is None

    client.post(reverse("teams:mentor", args=[event.slug, team.pk]), {"mentor": mentor.pk})
    team.refresh_from_db()
    assert team.mentor == mentor
    assert mentor.name in client.get(team.get_absolute_url()).content.decode()


# Uploads ------------------------------------------------------------------------------------------


def upload(client, event, team, name, content, description="Une photo du prototype"):
    return client.post(
        reverse("teams:file_upload", args=[event.slug, team.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf"), "description": description},
    )


@pytest.mark.parametrize("name,content,why", [
    ("slides.pdf", png_bytes(), "PNG"),
    ("slides.pdf", b"<!doctype html><html><script>alert(1)</script></html>", "PDF, PNG, JPEG"),
    ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "PDF, PNG, JPEG"),
    ("slides.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "PDF, PNG, JPEG"),
    ("setup.exe", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "PDF, PNG, JPEG"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cannot be read"),
    ("slides.exe", PDF, ".exe"),
    ("vide.pdf", b"", "empty"),
])
def test_uploads_of_a_wrong_type_are_refused_with_a_clear_message(client, event, team, member, settings, name, content, why):
    client.force_login(member)

    response = upload(client, event, team, name, content)

    assert response.status_code == 400
    assert why in response.content.decode()
    assert SheetFile.objects.count() == 0


def test_an_oversize_upload_is_refused(client, event, team, member, settings):
    client.force_login(member)

    response = upload(client, event, team, "slides.pdf", PDF + b"0" * uploads.MAX_BYTES)

    assert response.status_code == 400
    assert "The file is larger than 10.0 MB, the limit." in response.content.decode()
    assert SheetFile.objects.count() == 0


def test_an_image_needs_a_description(client, event, team, member):
    client.force_login(member)

    assert upload(client, event, team, "photo.png", png_bytes(), description="").status_code == 400
    assert SheetFile.objects.count() == 0


@pytest.mark.parametrize("name,content,kind", [
    ("slides.pdf", PDF, "pdf"),
    ("Photo.PNG", png_bytes(), "png"),
    ("photo.jpg", png_bytes(fmt="JPEG"), "jpeg"),
    ("photo.webp", png_bytes(fmt="WEBP"), "webp"),
])
def test_accepted_files_are_kept_with_their_checked_type_and_a_new_version(client, event, team, member, name, content, kind):
    client.force_login(member)

    assert upload(client, event, team, name, content).status_code == 302

    sheet_file = SheetFile.objects.get()
    assert (sheet_file.kind, sheet_file.original_name, sheet_file.size) == (kind, name, len(content))
    assert sheet_file.sheet.versions.get().action == "upload"
    assert name not in sheet_file.file.name  # stored under a random name
    response = client.get(reverse("teams:file_download", args=[event.slug, team.pk, sheet_file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == sheet_file.content_type
    assert b"".join(response.streaming_content) == content
    assert "sandbox" in response["Content-Security-Policy"]


def test_files_are_not_served_from_the_public_media_folder(settings, event, team, member):
    sheet_file = services.add_file(actor=member, team=team, upload=SimpleUploadedFile("slides.pdf", PDF))

    from pathlib import Path

    path = Path(sheet_file.file.path)
    assert path.exists()
    assert Path(settings.MEDIA_ROOT).resolve() not in path.resolve().parents


def test_removing_a_file_keeps_it_in_the_history(client, event, team, member, mentor):
    sheet_file = services.add_file(actor=member, team=team, upload=SimpleUploadedFile("slides.pdf", PDF))
    client.force_login(member)

    client.post(reverse("teams:file_remove", args=[event.slug, team.pk, sheet_file.pk]))

    sheet = ProjectSheet.objects.get(team=team)
    assert [v.action for v in sheet.versions.order_by("number")] == ["upload", "remove"]
    assert sheet.versions.get(number=1).content["files"][0]["name"] == "slides.pdf"
    assert sheet.versions.get(number=2).content["files"] == []
    client.force_login(mentor)
    assert client.get(reverse("teams:file_download", args=[event.slug, team.pk, sheet_file.pk])).status_code == 404


def test_a_non_member_cannot_read_or_edit_a_sheet(client, event, team, member, other_member):
    services.edit_sheet(actor=member, team=team, data=sheet_data(problem="Secret de l'équipe"), base_version=0)
    client.force_login(other_member)

    assert client.get(team.get_absolute_url()).status_code == 403
    assert client.get(reverse("teams:sheet_history", args=[event.slug, team.pk])).status_code == 403
    assert post_sheet(client, event, team, 1, name="Piraté").status_code == 403
    assert ProjectSheet.objects.get(team=team).name == "Numérique pour tous"


def test_the_upload_still_checks_the_csrf_token(event, team, member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)

    response = strict.post(reverse("teams:file_upload", args=[event.slug, team.pk]), {"file": SimpleUploadedFile("s.pdf", PDF)})

    assert response.status_code == 403
    assert SheetFile.objects.count() == 0


def test_the_sheet_locks_when_the_pitches_start_even_without_a_deadline(event, team, member, organiser):
    event.phase = Phase.JUDGING
    event.save(update_fields=["phase"])

    with pytest.raises(ValidationError, match="pitches have started"):
        services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)
    services.reopen_sheet(actor=organiser, team=team)
    assert services.edit_sheet(actor=member, team=team, data=sheet_data(), base_version=0)
