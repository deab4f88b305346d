"""The team workspace: speaker, mentor, project sheet with its versions, uploads."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.events.models import Event, Membership, Phase, Role

from .. import selectors, uploads
from ..models import SHEET_FIELDS, ProjectSheet, SheetFile, SheetVersion, Team


def _lock_team(team):
    return Team.objects.select_for_update(of=("self",)).select_related("event", "challenge").get(pk=team.pk)


# Speaker and mentor --------------------------------------------------------------------------


def speaker_refusal(team):
    if not team.published_at:
        return _("The teams are not published yet.")
    if team.event.phase_at_least(Phase.JUDGING):
        return _("The pitches have started: the speaker can no longer change.")
    return None


@transaction.atomic
def set_speaker(*, actor, team, user_id):
    """Make a member the team's speaker (None: nobody yet). Any member may; until the pitches."""
    team = _lock_team(team)
    refusal = speaker_refusal(team)
    if refusal:
        raise ValidationError(refusal)
    if user_id is not None and not team.members.filter(user_id=user_id).exists():
        raise ValidationError(_("The speaker must be a member of the team."))
    before = team.speaker_id
    team.speaker_id = user_id
    team.save(update_fields=["speaker", "updated_at"])
    audit.record(actor=actor, action="teams.speaker", obj=team, event=team.event, before={"speaker": before}, after={"speaker": user_id})
    return team


@transaction.atomic
def assign_mentor(*, actor, team, user_id):
    """Give the team a mentor among the event's mentors (None: no mentor)."""
    team = _lock_team(team)
    if not team.published_at:
        # A new formation run replaces draft teams: a mentor given now would be lost.
        raise ValidationError(_("Mentors are assigned once the teams are published."))
    if user_id is not None and not Membership.objects.filter(event=team.event, user_id=user_id, role=Role.MENTOR).exists():
        raise ValidationError(_("Choose one of the event's mentors (add mentors on the roles page)."))
    before = team.mentor_id
    team.mentor_id = user_id
    team.save(update_fields=["mentor", "updated_at"])
    audit.record(actor=actor, action="teams.mentor", obj=team, event=team.event, before={"mentor": before}, after={"mentor": user_id})
    return team


# The project sheet ----------------------------------------------------------------------------


def sheet_refusal(team, sheet, *, deadline, now=None):
    """Why the sheet cannot be changed now, or None.

    A sheet locks at the deadline (selectors.sheet_deadline), and at the latest when the
    pitches start; an organiser may reopen it.
    """
    if not team.published_at:
        return _("The teams are not published yet: the sheet opens with publication.")
    reopened = sheet is not None and sheet.is_reopened
    if team.event.phase_at_least(Phase.JUDGING) and not reopened:
        return _("The pitches have started: the sheet is locked. Ask the organisers if it must be reopened.")
    now = now or timezone.now()
    if deadline is not None and now >= deadline and not reopened:
        when = date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        return _("The deadline passed (%(when)s): the sheet is locked. Ask the organisers if it must be reopened.") % {"when": when}
    return None


def _locked_sheet(team):
    """The team's sheet, locked for update (created on first use)."""
    sheet, _created = ProjectSheet.objects.get_or_create(team=team)
    return ProjectSheet.objects.select_for_update().get(pk=sheet.pk)


def _check_editable(team, sheet):
    refusal = sheet_refusal(team, sheet, deadline=selectors.sheet_deadline(team.event))
    if refusal:
        raise ValidationError(refusal)


def _snapshot(sheet):
    content = sheet.content()
    content["files"] = [
        {"id": f.pk, "name": f.original_name, "kind": f.kind} for f in selectors.active_files(sheet)
    ]
    return content


def _new_version(sheet, *, actor, action):
    sheet.version += 1
    sheet.save()
    return SheetVersion.objects.create(sheet=sheet, number=sheet.version, action=action, author=actor, content=_snapshot(sheet))


@transaction.atomic
def edit_sheet(*, actor, team, data, base_version):
    """Save the sheet's text, keeping the previous content as a version; return whether it changed.

    `base_version` is the version the person started from: if someone saved in between,
    nothing is written and they are asked to look again, rather than overwriting silently.
    """
    team = _lock_team(team)
    sheet = _locked_sheet(team)
    _check_editable(team, sheet)
    if base_version != sheet.version:
        raise ValidationError(
            _("Someone else saved the sheet while you were writing. Your text is below: copy what you need, "
              "reload the page to see their version, then save again."),
            code="conflict",
        )
    changed = [name for name in SHEET_FIELDS if getattr(sheet, name) != data.get(name, "")]
    if not changed:
        return False
    for name in changed:
        setattr(sheet, name, data.get(name, ""))
    sheet.full_clean(exclude=["team"])
    _new_version(sheet, actor=actor, action=SheetVersion.Action.EDIT)
    return True


@transaction.atomic
def submit_sheet(*, actor, team):
    """Mark the sheet as submitted (it stays editable until the deadline; a reopened sheet locks again)."""
    team = _lock_team(team)
    sheet = _locked_sheet(team)
    _check_editable(team, sheet)
    if not sheet.name.strip():
        raise ValidationError(_("Give the project a name before submitting the sheet."))
    sheet.submitted_at = timezone.now()
    sheet.submitted_by = actor
    sheet.submitted_version = sheet.version
    sheet.save(update_fields=["submitted_at", "submitted_by", "submitted_version", "updated_at"])
    audit.record(actor=actor, action="teams.sheet_submit", obj=team, event=team.event, after={"version": sheet.version})
    return sheet


@transaction.atomic
def reopen_sheet(*, actor, team):
    """Let the team change its sheet after the deadline, until it submits again."""
    team = _lock_team(team)
    sheet = _locked_sheet(team)
    if not team.published_at:
        raise ValidationError(_("The teams are not published yet."))
    sheet.reopened_at = timezone.now()
    sheet.reopened_by = actor
    sheet.save(update_fields=["reopened_at", "reopened_by", "updated_at"])
    audit.record(actor=actor, action="teams.sheet_reopen", obj=team, event=team.event)
    return sheet


@transaction.atomic
def close_sheet(*, actor, team):
    """Lock a reopened sheet again without waiting for the team to submit."""
    team = _lock_team(team)
    sheet = _locked_sheet(team)
    if not sheet.is_reopened:
        raise ValidationError(_("This sheet is not reopened."))
    sheet.reopened_at = None
    sheet.reopened_by = None
    sheet.save(update_fields=["reopened_at", "reopened_by", "updated_at"])
    audit.record(actor=actor, action="teams.sheet_close", obj=team, event=team.event)
    return sheet


@transaction.atomic
def add_file(*, actor, team, upload, description=""):
    """Attach slides (PDF) or an image (PNG, JPEG, WebP), type checked on the content; a new version."""
    team = _lock_team(team)
    sheet = _locked_sheet(team)
    _check_editable(team, sheet)
    kind = uploads.check_upload(upload)
    description = (description or "").strip()
    if kind != "pdf" and not description:
        raise ValidationError(_("Describe the image in a few words, for people who cannot see it."))
    count = selectors.active_files(sheet).count()
    if count >= uploads.MAX_FILES_PER_SHEET:
        raise ValidationError(uploads.too_many_files_message(count))
    original = (upload.name or "").rsplit("/", 1)[-1][:200]
    sheet_file = SheetFile(
        sheet=sheet, kind=kind, size=upload.size, original_name=original, description=description[:300], uploaded_by=actor,
    )
    sheet_file.file.save(original, upload, save=False)
    sheet_file.save()
    _new_version(sheet, actor=actor, action=SheetVersion.Action.UPLOAD)
    audit.record(actor=actor, action="teams.file_add", obj=sheet_file, event=team.event, after={"name": original, "kind": kind})
    return sheet_file


@transaction.atomic
def remove_file(*, actor, team, file_id):
    team = _lock_team(team)
    sheet = _locked_sheet(team)
    _check_editable(team, sheet)
    sheet_file = SheetFile.objects.filter(pk=file_id, sheet=sheet, removed_at__isnull=True).first()
    if sheet_file is None:
        raise ValidationError(_("This file is not on the sheet."))
    sheet_file.removed_at = timezone.now()
    sheet_file.removed_by = actor
    sheet_file.save(update_fields=["removed_at", "removed_by"])
    _new_version(sheet, actor=actor, action=SheetVersion.Action.REMOVE)
    audit.record(actor=actor, action="teams.file_remove", obj=sheet_file, event=team.event, before={"name": sheet_file.original_name})
    return sheet_file


@transaction.atomic
def save_team_settings(*, actor, event, sheet_deadline):
    """Set (or clear: the sprint's end then applies) the project sheet deadline."""
    from ..models import TeamSettings

    Event.objects.select_for_update().get(pk=event.pk)
    team_settings, _created = TeamSettings.objects.get_or_create(event=event)
    before = team_settings.sheet_deadline
    team_settings.sheet_deadline = sheet_deadline
    team_settings.save(update_fields=["sheet_deadline", "updated_at"])
    audit.record(
        actor=actor, action="teams.settings", obj=team_settings, event=event,
        before={"sheet_deadline": before.isoformat() if before else None},
        after={"sheet_deadline": sheet_deadline.isoformat() if sheet_deadline else None},
    )
    return team_settings
