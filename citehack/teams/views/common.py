"""Helpers the team pages share."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ..models import Team, TeamMember


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def refused(request, event, message, *, title=None, status=403, back=None):
    """A page that says why, with a way on: never a bare error."""
    return render(
        request, "teams/refused.html",
        {"event": event, "message": message, "title": title or _("Not possible now"), "back": back},
        status=status,
    )


def error_text(error):
    return " ".join(error.messages)


def load_team(request, event, pk, perm):
    """The event's team `pk` with what its pages show; check `perm` on it.

    Returns (team, None), or (None, response) for an anonymous visitor sent to sign in.
    """
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    team = get_object_or_404(
        Team.objects.select_related("event", "challenge", "speaker", "mentor").prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.select_related("user").order_by("user__name", "id"))
        ),
        pk=pk, event=event,
    )
    team.event = event
    if not request.user.has_perm(perm, team):
        raise PermissionDenied(_("This team's workspace is for its members, the mentors, the jury and the organisers."))
    return team, None
