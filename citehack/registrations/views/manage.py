"""The organiser's pages: the registrations list and detail, the CSV export and import."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citehack.core.views import event_view

from .. import csv_import, selectors, services
from ..forms import ImportForm, ManageFilterForm
from .checkin import run_check_in
from .common import busy_message

MANAGE_PAGE_SIZE = 100


@event_view("registrations.manage")
def manage_list(request, event):
    form = ManageFilterForm(request.GET or None)
    registrations = selectors.registrations_for_manager(event, query=form.query(), state=form.state_filter())
    page = Paginator(registrations, MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/list.html",
        {
            "event": event, "nav": "registrations", "form": form, "page": page,
            "counts": selectors.registration_counts(event), "query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@event_view("registrations.manage")
def manage_detail(request, event, pk):
    registration = get_object_or_404(event.registrations.select_related("user"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                promoted = services.cancel_registration(actor=request.user, registration=registration, request=request)
                messages.success(request, _("The registration is cancelled."))
                for person in promoted:
                    messages.info(request, _("%(name)s moves from the waiting list to a confirmed place.") % {"name": person.user.name})
            elif action in ("check_in", "undo_check_in"):
                messages.add_message(request, *run_check_in(request, registration))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except services.Busy:
            messages.error(request, busy_message())
        return redirect("registrations:manage_detail", slug=event.slug, pk=registration.pk)
    history = event.audit_entries.filter(object_type="registrations.registration", object_id=str(registration.pk)).select_related("actor")
    return render(
        request,
        "registrations/manage/detail.html",
        {
            "event": event, "nav": "registrations", "registration": registration,
            "position": services.waitlist_position(registration),
            "signups": registration.workshop_signups.select_related("item"),
            "history": history,
        },
    )


EXPORT_COLUMNS = [*csv_import.COLUMNS, "state", "waitlisted_at", "promoted_at", "cancelled_at", "checked_in_at",
                  "consent_at", "consent_version", "source", "registered_at"]


def _cell(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@event_view("registrations.manage")
def manage_export(request, event):
    """The organiser's registrations as CSV: UTF-8 with BOM and ";" as spreadsheets in France expect."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(EXPORT_COLUMNS)
    for registration in event.registrations.select_related("user").order_by("created_at", "id"):
        writer.writerow([
            _cell(value) for value in (
                registration.user.name, registration.user.email, registration.phone, registration.status,
                ";".join(registration.skills), registration.neighbourhood, registration.age_band,
                registration.accessibility_needs, ";".join(registration.themes), registration.state,
                registration.waitlisted_at, registration.promoted_at, registration.cancelled_at,
                registration.checked_in_at, registration.consent_at, registration.consent_version,
                registration.source, registration.created_at,
            )
        ])
    return response


@require_http_methods(["GET", "POST"])
@event_view("registrations.manage")
def manage_import(request, event):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"event": event, "nav": "registrations", "form": form}
    if request.method != "POST":
        return render(request, "registrations/manage/import.html", context)
    if not form.is_valid():
        return render(request, "registrations/manage/import.html", context, status=400)
    try:
        parsed = csv_import.parse_registrations(form.cleaned_data["file"].read(), event=event)
    except csv_import.ImportFileError as error:
        form.add_error("file", str(error))
        return render(request, "registrations/manage/import.html", context, status=400)
    context["parsed"] = parsed
    if parsed.errors and not form.cleaned_data["valid_only"]:
        context["blocked"] = True
        return render(request, "registrations/manage/import.html", context, status=400)
    try:
        summary = services.import_registrations(
            actor=request.user, event=event, rows=parsed.rows, notify=form.cleaned_data["notify"], request=request,
        )
    except services.Busy:
        form.add_error(None, busy_message())
        return render(request, "registrations/manage/import.html", context, status=503)
    context["summary"] = summary
    context["skipped"] = len(parsed.already_registered) + len(summary["already_registered"])
    context["form"] = ImportForm()
    return render(request, "registrations/manage/import.html", context)
