"""The participant's pages: the teams page, preferences, friend group."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.challenges.selectors import retained_challenges
from citehack.core.rules import is_event_staff
from citehack.core.views import event_view

from .. import selectors, services
from ..forms import JoinGroupForm, PreferencesForm
from ..models import Team
from .common import error_text, refused


@event_view("teams.view_teams")
def hub(request, event):
    """Where a person stands: their team once published, else their preferences and friend group."""
    user = request.user
    teams = list(Team.objects.filter(event=event, published_at__isnull=False).select_related("event", "challenge").order_by("number"))
    mine = selectors.team_of(event, user)
    is_participant = selectors.confirmed_registrations(event).filter(user=user).exists()
    preference = selectors.own_preference(event, user) if is_participant else None
    group_member, group = selectors.own_friend_group(event, user) if is_participant else (None, [])
    # Mentors, jurors and organisers open every team's workspace.
    may_open_all = is_event_staff(user, event) or user.has_perm("teams.manage", event)
    return render(
        request, "teams/hub.html",
        {
            "event": event, "teams": teams, "mine": mine, "is_participant": is_participant,
            "preference": preference, "ranked": len(preference.ranks.all()) if preference else 0,
            "group_member": group_member, "group_size": sum(1 for m in group if m.confirmed_at),
            "refusal": services.preferences_refusal(event=event, user=user) if is_participant else None,
            "may_open_all": may_open_all, "published": bool(teams),
        },
    )


@require_http_methods(["GET", "POST"])
@event_view("teams.set_preferences")
def preferences(request, event):
    refusal = services.preferences_refusal(event=event, user=request.user)
    if refusal:
        return refused(request, event, refusal, title=_("Preferences are closed"))
    challenges = list(retained_challenges(event))
    preference = selectors.own_preference(event, request.user)
    if preference is not None:
        current = {r.challenge_id: r.rank for r in preference.ranks.all()}
        skills = preference.skills
    else:
        current = {}
        registration = selectors.confirmed_registrations(event).filter(user=request.user).first()
        skills = registration.skills if registration else []
    form = PreferencesForm(request.POST or None, challenges=challenges, current=current, skills=skills)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_preferences(
                    actor=request.user, event=event, ranking=form.ranking(), skills=form.cleaned_data["skills"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your preferences are saved. You can change them until the teams are published."))
                return redirect("teams:hub", slug=event.slug)
        status = 400
    return render(
        request, "teams/preferences.html",
        {"event": event, "form": form, "rows": form.rank_fields(), "saved": preference is not None},
        status=status,
    )


@event_view("teams.set_preferences")
def friends(request, event):
    return _friends_page(request, event)


def _friends_page(request, event, join_form=None, status=200):
    refusal = services.preferences_refusal(event=event, user=request.user, groups=True)
    member, members = selectors.own_friend_group(event, request.user)
    return render(
        request, "teams/friends.html",
        {
            "event": event, "refusal": refusal, "member": member, "members": members,
            "confirmed": [m for m in members if m.confirmed_at], "pending": [m for m in members if not m.confirmed_at],
            "join_form": join_form or JoinGroupForm(), "max_size": selectors.settings_of(event).max_size,
        },
        status=status,
    )


def _friend_action(request, event, action, success):
    try:
        action()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)
    return redirect("teams:friends", slug=event.slug)


@require_POST
@event_view("teams.set_preferences")
def friends_create(request, event):
    return _friend_action(
        request, event, lambda: services.create_friend_group(actor=request.user, event=event),
        _("Your friend group is created. Give its code to the people you came with."),
    )


@require_POST
@event_view("teams.set_preferences")
def friends_join(request, event):
    form = JoinGroupForm(request.POST)
    if form.is_valid():
        try:
            services.join_friend_group(actor=request.user, event=event, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, _("Your request is sent: a member of the group must now accept it."))
            return redirect("teams:friends", slug=event.slug)
    return _friends_page(request, event, join_form=form, status=400)


@require_POST
@event_view("teams.set_preferences")
def friends_accept(request, event, pk):
    return _friend_action(
        request, event, lambda: services.accept_friend(actor=request.user, event=event, member_id=pk),
        _("The person is now in your friend group."),
    )


@require_POST
@event_view("teams.set_preferences")
def friends_decline(request, event, pk):
    return _friend_action(
        request, event, lambda: services.decline_friend(actor=request.user, event=event, member_id=pk),
        _("The request is declined."),
    )


@require_POST
@event_view("teams.set_preferences")
def friends_leave(request, event):
    return _friend_action(
        request, event, lambda: services.leave_friend_group(actor=request.user, event=event),
        _("You have left the friend group."),
    )
