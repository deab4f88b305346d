"""The team's page and workspace: members, speaker, mentor, project sheet, files, history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citehack.core.views import event_view

from .. import selectors, services, uploads
from ..forms import MentorForm, SheetForm, SpeakerForm, UploadForm
from ..models import SHEET_FIELDS, ProjectSheet, SheetFile
from .common import error_text, load_team


def _sheet(team):
    return ProjectSheet.objects.filter(team=team).select_related("submitted_by", "reopened_by").first()


def _workspace_context(request, event, team, sheet):
    user = request.user
    deadline = selectors.sheet_deadline(event)
    may_edit = user.has_perm("teams.edit_sheet", team)
    refusal = services.sheet_refusal(team, sheet, deadline=deadline)
    return {
        "event": event, "team": team, "sheet": sheet, "deadline": deadline,
        "files": list(selectors.active_files(sheet).select_related("uploaded_by")) if sheet else [],
        "may_edit": may_edit, "sheet_refusal": refusal, "editable": may_edit and refusal is None,
        "is_member": any(m.user_id == user.pk for m in team.members.all()),
        "manages": user.has_perm("teams.assign_mentor", team),
    }


@require_GET
@event_view()
def team_page(request, event, pk):
    team, response = load_team(request, event, pk, "teams.view_team")
    if response:
        return response
    sheet = _sheet(team)
    context = _workspace_context(request, event, team, sheet)
    speaker_refusal = services.speaker_refusal(team)
    context.update(
        speaker_form=SpeakerForm(team=team) if request.user.has_perm("teams.set_speaker", team) and not speaker_refusal else None,
        speaker_refusal=speaker_refusal,
        mentor_form=MentorForm(team=team, mentors=selectors.event_mentors(event)) if context["manages"] and team.published_at else None,
        fields=[(ProjectSheet._meta.get_field(name).verbose_name, getattr(sheet, name, "")) for name in SHEET_FIELDS if name not in ("name", "links")],
    )
    return render(request, "teams/team.html", context)


@require_POST
@event_view()
def speaker(request, event, pk):
    team, response = load_team(request, event, pk, "teams.set_speaker")
    if response:
        return response
    form = SpeakerForm(request.POST, team=team)
    if not form.is_valid():
        messages.error(request, _("Choose a member of the team."))
    else:
        try:
            services.set_speaker(actor=request.user, team=team, user_id=form.cleaned_data["speaker"])
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The speaker is saved."))
    return redirect(team.get_absolute_url())


@require_POST
@event_view()
def mentor(request, event, pk):
    team, response = load_team(request, event, pk, "teams.assign_mentor")
    if response:
        return response
    form = MentorForm(request.POST, team=team, mentors=selectors.event_mentors(event))
    if not form.is_valid():
        messages.error(request, _("Choose one of the event's mentors."))
    else:
        try:
            services.assign_mentor(actor=request.user, team=team, user_id=form.cleaned_data["mentor"])
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The mentor is saved."))
    return redirect(team.get_absolute_url())


def _edit_page(request, event, team, sheet, *, sheet_form=None, upload_form=None, status=200):
    context = _workspace_context(request, event, team, sheet)
    if not context["editable"]:
        context.update(title=_("The sheet cannot be changed"))
        return render(request, "teams/sheet_locked.html", context, status=403)
    sheet_form = sheet_form or SheetForm(instance=sheet or ProjectSheet(team=team), initial={"version": sheet.version if sheet else 0})
    context.update(form=sheet_form, upload_form=upload_form or UploadForm())
    return render(request, "teams/sheet_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@event_view()
def sheet_edit(request, event, pk):
    team, response = load_team(request, event, pk, "teams.edit_sheet")
    if response:
        return response
    sheet = _sheet(team)
    if request.method == "GET":
        return _edit_page(request, event, team, sheet)
    form = SheetForm(request.POST, instance=ProjectSheet(team=team))
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in SHEET_FIELDS}
        try:
            changed = services.edit_sheet(actor=request.user, team=team, data=data, base_version=form.cleaned_data["version"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The sheet is saved.") if changed else _("Nothing changed."))
            return redirect(team.get_absolute_url())
    return _edit_page(request, event, team, sheet, sheet_form=form, status=400)


@require_POST
@event_view()
def sheet_submit(request, event, pk):
    team, response = load_team(request, event, pk, "teams.edit_sheet")
    if response:
        return response
    try:
        services.submit_sheet(actor=request.user, team=team)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The sheet is submitted. The jury will read it."))
    return redirect(team.get_absolute_url())


@require_POST
@event_view()
def sheet_reopen(request, event, pk):
    team, response = load_team(request, event, pk, "teams.reopen_sheet")
    if response:
        return response
    action = request.POST.get("action")
    try:
        if action == "close":
            services.close_sheet(actor=request.user, team=team)
        else:
            services.reopen_sheet(actor=request.user, team=team)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The sheet is locked again.") if action == "close"
            else _("The sheet is reopened: the team can change it until it submits again."),
        )
    return redirect(team.get_absolute_url())


@require_GET
@event_view()
def sheet_history(request, event, pk):
    team, response = load_team(request, event, pk, "teams.view_team")
    if response:
        return response
    sheet = _sheet(team)
    versions = list(sheet.versions.select_related("author").order_by("-number")) if sheet else []
    labels = {name: ProjectSheet._meta.get_field(name).verbose_name for name in SHEET_FIELDS}
    rows = []
    for index, version in enumerate(versions):
        previous = versions[index + 1].content if index + 1 < len(versions) else {}
        changed = [labels[name] for name in SHEET_FIELDS if version.content.get(name, "") != previous.get(name, "")]
        rows.append({
            "version": version,
            "changed": changed,
            "fields": [(labels[name], version.content.get(name, "")) for name in SHEET_FIELDS],
            "files": version.content.get("files", []),
        })
    return render(request, "teams/history.html", {"event": event, "team": team, "sheet": sheet, "rows": rows})


@csrf_exempt
@require_POST
def file_upload(request, slug, pk):
    """Add a file to the sheet; an upload over the limit is dropped while it arrives."""
    # The handler must be in place before anything reads the body, the CSRF check included:
    # hence the check below, after it.
    request.upload_handlers.insert(0, uploads.SizeLimitUploadHandler(request))
    return _file_upload(request, slug, pk)


@csrf_protect
@event_view()
def _file_upload(request, event, pk):
    team, response = load_team(request, event, pk, "teams.edit_sheet")
    if response:
        return response
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "upload_too_big", False):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", uploads.too_big_message())
    elif form.is_valid():
        try:
            services.add_file(
                actor=request.user, team=team, upload=form.cleaned_data["file"], description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The file is added to the sheet."))
            return redirect("teams:sheet_edit", slug=event.slug, pk=team.pk)
    return _edit_page(request, event, team, _sheet(team), upload_form=form, status=400)


@require_POST
@event_view()
def file_remove(request, event, pk, file_pk):
    team, response = load_team(request, event, pk, "teams.edit_sheet")
    if response:
        return response
    try:
        services.remove_file(actor=request.user, team=team, file_id=file_pk)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The file is removed from the sheet (the history keeps it)."))
    return redirect("teams:sheet_edit", slug=event.slug, pk=team.pk)


@require_GET
@event_view()
def file_download(request, event, pk, file_pk):
    """A sheet's file, for the people who may see the team; the type is the checked one."""
    team, response = load_team(request, event, pk, "teams.view_team")
    if response:
        return response
    sheet_file = get_object_or_404(SheetFile, pk=file_pk, sheet__team=team)
    if sheet_file.removed_at and not request.user.has_perm("teams.edit_sheet", team):
        raise Http404
    try:
        handle = sheet_file.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=sheet_file.content_type, as_attachment=not sheet_file.is_image,
        filename=sheet_file.original_name,
    )
    # Nothing in the file may run as a page of this site.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
