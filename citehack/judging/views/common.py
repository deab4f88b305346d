"""Helpers the jury's pages share."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..models import SessionState


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def error_text(error):
    return " ".join(error.messages)


def refused(request, event, message, *, title=None, status=403, back=None, manage=False):
    """A page that says why, with a way on: never a bare error."""
    return render(
        request, "judging/refused.html",
        {"event": event, "message": message, "title": title or _("Not possible now"), "back": back, "manage": manage},
        status=status,
    )


def may_see_scores(user, event, session, record=None):
    """Organisers always; a juror once they have submitted their own scores, or once scoring is closed.

    Until then the others' scores stay hidden, so that each juror's judgment is their own.
    """
    if user.has_perm("judging.manage", event):
        return True
    if not user.has_perm("judging.score", event):
        return False
    if session.state == SessionState.CLOSED:
        return True
    return record is not None and record.submitted_at is not None
