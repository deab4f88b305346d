"""Registration pages: the public form, the participant's own pages, the organiser's pages."""

import csv
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.accounts.services import absolute_url, hit_rate_limit
from citehack.core.qr import qr_svg
from citehack.core.http import client_address
from citehack.core.views import event_view
from citehack.events.models import ProgrammeItem

from . import csv_import, selectors, services
from .forms import ImportForm, ManageFilterForm, RegistrationForm, SearchForm
from .models import RegistrationState

MANAGE_PAGE_SIZE = 100


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, fallback):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return fallback


def _busy_message():
    return _("Many people are doing the same thing right now. Please wait a few seconds and try again.")


def own_registration_view(view):
    """Load the event and the signed-in person's own registration (None if they have none).

    Anonymous visitors are sent to sign in. The registration is always looked up by the
    signed-in person: nobody can reach another person's registration through these pages.
    """

    @functools.wraps(view)
    @event_view()
    def wrapper(request, event, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        registration = event.registrations.select_related("user").filter(user=request.user).first()
        if registration is not None:
            registration.event = event
        if registration is not None and not request.user.has_perm("registrations.view_registration", registration):
            raise PermissionDenied
        return view(request, event, registration, *args, **kwargs)

    return wrapper


def _not_registered(request, event):
    return render(request, "registrations/not_registered.html", {"event": event}, status=404)


# Public form ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@event_view("events.view_event", login=False)
def register(request, event):
    if not event.registration_open:
        return render(request, "registrations/closed.html", {"event": event}, status=403)
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        existing = event.registrations.filter(user=user).exclude(state=RegistrationState.CANCELLED).first()
        if existing is not None:
            return render(request, "registrations/already_registered.html", {"event": event, "registration": existing})
    initial = {"name": user.name, "email": user.email} if user else {}
    form = RegistrationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        limit, window = settings.SIGN_IN_LINK_RATE
        address = client_address(request)
        if hit_rate_limit(f"register:ip:{address}", limit=limit * 20, window=window):
            form.add_error(None, _("Too many registrations came from this connection. Please wait a while and try again."))
            return _form_page(request, event, form, status=429)
        profile = form.profile()
        try:
            registration = services.register_participant(event=event, **profile, actor=user, request=request)
        except services.AlreadyRegistered as error:
            return _already_registered(request, event, error.registration, profile["email"])
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        except services.Busy:
            form.add_error(None, _busy_message())
            status = 503
        else:
            if user is not None and registration.user_id == user.pk:
                if registration.is_confirmed:
                    messages.success(request, _("You are registered: your place is confirmed."))
                else:
                    messages.info(request, _("The event is full for now: you are on the waiting list."))
                return redirect("registrations:mine", slug=event.slug)
            return render(request, "registrations/registered.html", {"event": event, "email": profile["email"]})
    elif request.method == "POST":
        status = 400
    return _form_page(request, event, form, status=status)


def _form_page(request, event, form, *, status=200):
    return render(
        request, "registrations/register.html",
        {"event": event, "form": form, "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION}, status=status,
    )


def _already_registered(request, event, registration, email):
    """Tell the person; a stranger at the keyboard learns nothing about who is registered."""
    if request.user.is_authenticated and registration.user_id == request.user.pk:
        return render(request, "registrations/already_registered.html", {"event": event, "registration": registration})
    limit, window = settings.SIGN_IN_LINK_RATE
    if not hit_rate_limit(f"register:reminder:{registration.pk}", limit=limit, window=window):
        services.send_registration_reminder(actor=None, registration=registration, request=request)
    # The same page as a new registration: the message in the mailbox says which it is.
    return render(request, "registrations/registered.html", {"event": event, "email": email})


# The participant's own pages --------------------------------------------------------------------


@own_registration_view
def mine(request, event, registration):
    if registration is None:
        return _not_registered(request, event)
    signups = registration.workshop_signups.select_related("item").order_by("item__starts_at")
    return render(
        request,
        "registrations/mine.html",
        {
            "event": event,
            "registration": registration,
            "position": services.waitlist_position(registration),
            "signups": signups,
            "can_cancel": request.user.has_perm("registrations.cancel_own_registration", registration),
            "too_late": registration.state != RegistrationState.CANCELLED and not services.can_cancel_own(registration),
        },
    )


@own_registration_view
def badge(request, event, registration):
    if registration is None:
        return _not_registered(request, event)
    if not request.user.has_perm("registrations.view_badge", registration):
        messages.info(request, _("Your badge is ready once your place is confirmed."))
        return redirect("registrations:mine", slug=event.slug)
    url = absolute_url(reverse("registrations:checkin_badge", kwargs={"slug": event.slug, "code": registration.badge_code}), request)
    qr = qr_svg(url, title=_("Check-in code of %(name)s") % {"name": registration.user.name})
    return render(request, "registrations/badge.html", {"event": event, "registration": registration, "qr": qr})


@require_http_methods(["GET", "POST"])
@own_registration_view
def cancel(request, event, registration):
    if registration is None:
        return _not_registered(request, event)
    if registration.state == RegistrationState.CANCELLED:
        messages.info(request, _("Your registration is already cancelled."))
        return redirect("registrations:mine", slug=event.slug)
    if not request.user.has_perm("registrations.cancel_own_registration", registration):
        return render(request, "registrations/cancel_too_late.html", {"event": event, "registration": registration}, status=403)
    if request.method == "POST":
        try:
            services.cancel_registration(actor=request.user, registration=registration, request=request)
        except services.Busy:
            messages.error(request, _busy_message())
            return redirect("registrations:cancel", slug=event.slug)
        messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
        return redirect("registrations:mine", slug=event.slug)
    return render(request, "registrations/cancel.html", {"event": event, "registration": registration})


def _workshop_action(request, event, pk, action):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:programme", kwargs={"slug": event.slug}))
    item = get_object_or_404(ProgrammeItem, pk=pk, event=event)
    registration = event.registrations.filter(user=request.user).first()
    if registration is None or not request.user.has_perm("registrations.sign_up_workshop", registration):
        raise PermissionDenied(_("Only confirmed participants of this event can sign up for workshops."))
    try:
        if action == "leave":
            if services.leave_workshop(actor=request.user, registration=registration, item=item):
                messages.success(request, _("You have left “%(title)s”.") % {"title": item.title})
            else:
                messages.info(request, _("You were not signed up for “%(title)s”.") % {"title": item.title})
        else:
            _signup, created = services.sign_up_workshop(actor=request.user, registration=registration, item=item)
            if created:
                messages.success(request, _("You are signed up for “%(title)s”.") % {"title": item.title})
            else:
                messages.info(request, _("You were already signed up for “%(title)s”.") % {"title": item.title})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Busy:
        messages.error(request, _busy_message())
    return redirect("events:programme", slug=event.slug)


@require_POST
@event_view()
def workshop_signup(request, event, pk):
    return _workshop_action(request, event, pk, "sign_up")


@require_POST
@event_view()
def workshop_leave(request, event, pk):
    return _workshop_action(request, event, pk, "leave")


# Organiser pages --------------------------------------------------------------------------------


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
                messages.add_message(request, *_run_check_in(request, registration))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except services.Busy:
            messages.error(request, _busy_message())
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
        form.add_error(None, _busy_message())
        return render(request, "registrations/manage/import.html", context, status=503)
    context["summary"] = summary
    context["skipped"] = len(parsed.already_registered) + len(summary["already_registered"])
    context["form"] = ImportForm()
    return render(request, "registrations/manage/import.html", context)


# Check-in ---------------------------------------------------------------------------------------


@event_view("registrations.check_in")
def checkin(request, event):
    form = SearchForm(request.GET or None)
    query = form.query()
    context = {
        "event": event, "nav": "checkin", "form": form, "query": query,
        "results": selectors.checkin_search(event, query), "limit": selectors.SEARCH_LIMIT,
    }
    if _is_htmx(request):
        return render(request, "registrations/manage/_checkin_results.html", context)
    context["counts"] = selectors.registration_counts(event)
    return render(request, "registrations/manage/checkin.html", context)


def _run_check_in(request, registration):
    """Apply the POSTed action; return (message level, text) to show."""
    name = registration.user.name
    try:
        if request.POST.get("action") == "undo_check_in":
            _registration, changed = services.undo_check_in(actor=request.user, registration=registration)
            if changed:
                return messages.SUCCESS, _("The check-in of %(name)s is undone.") % {"name": name}
            return messages.INFO, _("%(name)s was not checked in.") % {"name": name}
        _registration, changed = services.check_in(actor=request.user, registration=registration)
        if changed:
            return messages.SUCCESS, _("%(name)s is checked in.") % {"name": name}
        return messages.INFO, _("%(name)s was already checked in.") % {"name": name}
    except ValidationError as error:
        return messages.ERROR, " ".join(error.messages)


@require_POST
@event_view("registrations.check_in")
def checkin_do(request, event, pk):
    registration = get_object_or_404(event.registrations.select_related("user"), pk=pk)
    level, text = _run_check_in(request, registration)
    if _is_htmx(request):
        # The row replaces itself and says what happened; no message waits for the next page.
        registration.refresh_from_db()
        return render(
            request, "registrations/manage/_checkin_row.html",
            {"event": event, "registration": registration, "next": _safe_next(request, ""),
             "feedback": text, "feedback_level": messages.DEFAULT_TAGS[level]},
        )
    messages.add_message(request, level, text)
    return redirect(_safe_next(request, reverse("registrations:checkin", kwargs={"slug": event.slug})))


@require_http_methods(["GET", "POST"])
@event_view("registrations.check_in")
def checkin_badge(request, event, code):
    registration = get_object_or_404(event.registrations.select_related("user"), badge_code=code)
    if request.method == "POST":
        level, text = _run_check_in(request, registration)
        messages.add_message(request, level, text)
        return redirect("registrations:checkin_badge", slug=event.slug, code=code)
    return render(
        request, "registrations/manage/checkin_badge.html",
        {"event": event, "nav": "checkin", "registration": registration},
    )
