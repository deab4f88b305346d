"""Check-in at the door: the search, the check-in buttons, the page a badge's code opens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.core.views import event_view

from .. import selectors, services
from ..forms import SearchForm


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, fallback):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return fallback


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


def run_check_in(request, registration):
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
    level, text = run_check_in(request, registration)
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
        level, text = run_check_in(request, registration)
        messages.add_message(request, level, text)
        return redirect("registrations:checkin_badge", slug=event.slug, code=code)
    return render(
        request, "registrations/manage/checkin_badge.html",
        {"event": event, "nav": "checkin", "registration": registration},
    )
