"""Helpers the challenge pages share."""

from django.shortcuts import render
from django.utils.translation import gettext as _


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _refused(request, event, message, *, title=None, status=403, vote=None):
    """A page that says why, with a way on: never a bare error."""
    return render(
        request, "challenges/refused.html",
        {"event": event, "message": message, "title": title or _("Not possible now"), "vote": vote},
        status=status,
    )


def _errors(error):
    return " ".join(error.messages)
