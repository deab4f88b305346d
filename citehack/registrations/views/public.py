"""The public registration form."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citehack.accounts.services import hit_rate_limit
from citehack.core.http import client_address
from citehack.core.views import event_view

from .. import services
from ..forms import RegistrationForm
from ..models import RegistrationState
from .common import busy_message


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
            form.add_error(None, busy_message())
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
