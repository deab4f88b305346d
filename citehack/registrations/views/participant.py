"""The participant's own pages: their registration, badge and cancellation, workshop sign-ups."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.accounts.services import absolute_url
from citehack.core.qr import qr_svg
from citehack.core.views import event_view
from citehack.events.models import ProgrammeItem

from .. import services
from ..models import RegistrationState
from .common import busy_message


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
            messages.error(request, busy_message())
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
        messages.error(request, busy_message())
    return redirect("events:programme", slug=event.slug)


@require_POST
@event_view()
def workshop_signup(request, event, pk):
    return _workshop_action(request, event, pk, "sign_up")


@require_POST
@event_view()
def workshop_leave(request, event, pk):
    return _workshop_action(request, event, pk, "leave")
