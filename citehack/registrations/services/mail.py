"""The mail a person gets about their registration, and their place on the waiting list."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citehack.accounts.services import send_sign_in_link

from ..models import Registration, RegistrationState


def _mail_registration(registration, *, kind, event, request=None, language=None):
    """Send the person their personal link, with words that say where they stand.

    In `language` when given (someone else acted: accounts.services.language_for), else in
    the person's own, else in the page's (they are registering themselves).
    """
    user = registration.user
    with translation.override(language or user.language or translation.get_language()):
        names = {"event": event.title}
        if kind == "confirmed":
            subject = _("Your place at %(event)s is confirmed") % names
            intro = _("Your registration for %(event)s is confirmed: a place is kept for you.") % names
        elif kind == "waitlisted":
            subject = _("You are on the waiting list for %(event)s") % names
            intro = _(
                "%(event)s is full for now: you are on the waiting list, in position %(position)d. "
                "If a place becomes free, it is yours and we will tell you by e-mail."
            ) % {**names, "position": waitlist_position(registration)}
        elif kind == "promoted":
            subject = _("A place is free for you at %(event)s") % names
            intro = _("Good news: a place became free at %(event)s. Your registration is now confirmed.") % names
        else:  # "reminder"
            subject = _("Your registration for %(event)s") % names
            intro = _(
                "Someone (probably you) tried to register again for %(event)s with this address. "
                "You are already registered: your state is “%(state)s”. Use the link below to see your registration."
            ) % {**names, "state": registration.get_state_display()}
        intro = "\n\n".join([intro, _("%(event)s: %(date)s.") % {**names, "date": _event_date(event)}])
        send_sign_in_link(
            user=user,
            request=request,
            next_url=reverse("registrations:mine", kwargs={"slug": event.slug}),
            subject=subject,
            intro=intro,
        )


def _event_date(event):
    starts = timezone.localtime(event.starts_at)
    place = f", {event.venue}" if event.venue else ""
    return f"{date_format(starts, 'DATE_FORMAT')} {date_format(starts, 'TIME_FORMAT')}{place}"


def waitlist_position(registration):
    """1 for the first person waiting; None when the registration is not waiting."""
    if registration.state != RegistrationState.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, state=RegistrationState.WAITLISTED).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at) | Q(waitlisted_at=registration.waitlisted_at, id__lt=registration.id)
    )
    return ahead.count() + 1
