"""The organiser's pages: formation with its figures, hand edits, publication, late arrivals,
the preferences overview and the team settings."""

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from citehack.challenges.selectors import retained_challenges
from citehack.core.views import event_view

from .. import reasons, selectors, services
from ..forms import FormationForm, LateForm, LockForm, MoveForm, SwapForm, TeamSettingsForm
from ..models import RunStatus
from .common import error_text, refused


def percent(share):
    # Translators: a share of people, e.g. "83.3 %" (French puts a space before %).
    return _("%(value)s %%") % {"value": number_format(round(100 * share, 1), 1)}


def figure_sentences(figures, skill_labels):
    """The quality figures in plain words."""
    sentences = [
        _("%(first)s of the people are on their first choice, %(top_two)s on one of their first two choices.")
        % {"first": percent(figures["first_choice_share"]), "top_two": percent(figures["top_two_share"])},
    ]
    if "r_star" in figures:
        sentences.append(
            _("The worst placed person is on their choice number %(worst)d. R*, the best worst rank any set of "
              "teams could give, is %(r_star)d.") % {"worst": figures["worst_rank"], "r_star": figures["r_star"]}
        )
    else:
        sentences.append(_("The worst placed person is on their choice number %(worst)d.") % {"worst": figures["worst_rank"]})
    if figures.get("unranked_placements"):
        sentences.append(
            ngettext(
                "%(count)d person is on a challenge they did not rank.",
                "%(count)d people are on a challenge they did not rank.",
                figures["unranked_placements"],
            ) % {"count": figures["unranked_placements"]}
        )
    missing = {skill: n for skill, n in figures["teams_missing_skill"].items() if n}
    if not missing:
        sentences.append(_("Every team has someone with each skill."))
    else:
        parts = ", ".join(
            ngettext("%(count)d team lacks “%(skill)s”", "%(count)d teams lack “%(skill)s”", n)
            % {"count": n, "skill": skill_labels.get(skill, skill)}
            for skill, n in missing.items()
        )
        sentence = _("Missing skills: %(parts)s.") % {"parts": parts}
        if "min_teams_missing_skill" in figures:
            sentence += " " + ngettext(
                "The fewest possible with these settings: %(count)d missing skill in all.",
                "The fewest possible with these settings: %(count)d missing skills in all.",
                figures["min_teams_missing_skill"],
            ) % {"count": figures["min_teams_missing_skill"]}
        sentences.append(sentence)
    split = figures.get("groups_split", 0)
    if split:
        sentences.append(
            ngettext("%(count)d friend group is split across teams.", "%(count)d friend groups are split across teams.", split)
            % {"count": split}
        )
    else:
        sentences.append(_("No friend group is split."))
    return sentences


STATUS_SENTENCES = {
    "optimal": _("These teams are proven optimal for these settings."),
    "stage2_gap": _("These are the best teams found; they may be slightly below the optimum."),
    "time_limit": _("The time limit was reached: these are the best teams found in time."),
    "greedy": _("These teams come from the simple fallback method, not the optimiser."),
    "greedy_fallback": _("The optimiser found nothing in time: these teams come from the simple fallback method."),
}


def tradeoff_sentences(run, skill_labels):
    """What the settings cost, in people moved off their first choice, in plain words."""
    found = run.tradeoffs
    if not found:
        return []
    sentences = []
    if found.get("moved_by_skill_coverage") is not None and run.settings.get("skill_coverage", True):
        moved = found["moved_by_skill_coverage"]
        sentences.append(
            ngettext(
                "Enforcing full skill coverage moves %(count)d person off their first choice.",
                "Enforcing full skill coverage moves %(count)d people off their first choice.",
                moved,
            ) % {"count": moved}
        )
    if found.get("moved_by_fairness") is not None:
        moved = found["moved_by_fairness"]
        sentences.append(
            ngettext(
                "Keeping everyone within rank %(rank)d (R* + 1) moves %(count)d person off their first choice.",
                "Keeping everyone within rank %(rank)d (R* + 1) moves %(count)d people off their first choice.",
                moved,
            ) % {"count": moved, "rank": (run.quality or {}).get("r_star", 0) + 1}
        )
    teams = (run.quality or {}).get("teams", 0)
    max_size = run.settings.get("max_size", 0)
    for skill, short in sorted(found.get("shortages", {}).items()):
        sentence = ngettext(
            "%(count)d more person with the skill “%(skill)s” is needed for every team to have one",
            "%(count)d more people with the skill “%(skill)s” are needed for every team to have one",
            short,
        ) % {"count": short, "skill": skill_labels.get(skill, skill)}
        holders = teams - short
        bigger = math.ceil(run.people_count / holders) if holders > 0 else None
        if bigger and bigger > max_size:
            sentence += _(", or allow teams of %(size)d") % {"size": bigger}
        sentences.append(sentence + ".")
    return sentences


def _infeasible_reason(run):
    """Why the latest run could not form teams, in the reader's language (None if it did)."""
    if run is None or run.status != RunStatus.INFEASIBLE:
        return None
    return reasons.describe(run.reason) or run.message


def _manage_context(request, event, *, form=None, swap_form=None):
    challenges = list(retained_challenges(event))
    teams = selectors.teams_with_members(event)
    details = selectors.people_details(event)
    labels = selectors.skill_labels()
    published = any(team.published_at for team in teams)
    run = selectors.latest_run(event)
    formed = run if run is not None and run.status == RunStatus.FORMED else selectors.latest_formed_run(event)
    refusal = services.formation_refusal(event)
    if form is None and refusal is None:
        form = FormationForm(challenges=challenges, choices=services.default_choices(event, challenges))
    team_settings = selectors.settings_of(event)
    rows = []
    for team in teams:
        members = []
        for member in team.members.all():
            person = details.get(member.user_id)
            members.append({
                "member": member,
                "rank": person["ranks"].get(team.challenge_id) if person else None,
                "skills": [labels.get(s, s) for s in person["skills"]] if person else [],
                "group": person["group"] if person and person["group_confirmed"] else "",
                "not_confirmed": person is None,
            })
        size = len(members)
        rows.append({
            "team": team, "members": members, "size": size,
            "too_small": size < team_settings.min_size, "too_big": size > team_settings.max_size,
        })
    figures = selectors.current_figures(teams, challenges, details) if teams else None
    return {
        "event": event, "nav": "teams", "challenges": challenges, "teams": teams, "rows": rows,
        "published": published, "run": run, "formed_run": formed, "form": form, "refusal": refusal,
        "infeasible_reason": _infeasible_reason(run),
        "run_sentences": figure_sentences(formed.quality, labels) if formed and formed.quality else [],
        "status_sentence": STATUS_SENTENCES.get((formed.quality or {}).get("status"), "") if formed else "",
        "tradeoff_sentences": tradeoff_sentences(formed, labels) if formed else [],
        "now_sentences": figure_sentences(figures, labels) if figures else [],
        "swap_form": swap_form or (SwapForm(teams=teams) if teams else None),
        "team_settings": team_settings,
        "confirmed_count": len(details),
        "answered_count": sum(1 for d in details.values() if d["answered"]),
        "group_count": len({d["group_id"] for d in details.values() if d["group_id"] is not None}),
        "late": selectors.late_registrations(event) if published else [],
        "edit_refusal": services.edit_refusal(event),
        "publish_refusal": services.publish_refusal(event, teams) if teams and not published else None,
        "deadline": selectors.sheet_deadline(event, team_settings),
    }


@event_view("teams.manage")
def manage(request, event):
    return render(request, "teams/manage/teams.html", _manage_context(request, event))


@require_POST
@event_view("teams.manage")
def run(request, event):
    refusal = services.formation_refusal(event)
    if refusal:
        messages.error(request, refusal)
        return redirect("teams:manage", slug=event.slug)
    challenges = list(retained_challenges(event))
    form = FormationForm(request.POST, challenges=challenges)
    if not form.is_valid():
        return render(request, "teams/manage/teams.html", _manage_context(request, event, form=form), status=400)
    try:
        formation_run = services.run_formation(actor=request.user, event=event, choices=form.choices())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if formation_run.status == RunStatus.FORMED:
            messages.success(request, _("The teams are formed, as drafts: check them, adjust them, then publish."))
        else:
            messages.error(request, _("These settings cannot be met; the draft teams are unchanged. See why below."))
    return redirect("teams:manage", slug=event.slug)


def _edit(request, event, action, success):
    try:
        action()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)
    return redirect(reverse("teams:manage", kwargs={"slug": event.slug}) + "#teams")


@require_POST
@event_view("teams.manage")
def move(request, event):
    teams = selectors.teams_with_members(event)
    published = any(team.published_at for team in teams)
    form = MoveForm(request.POST, teams=teams, allow_out=published)
    if not form.is_valid():
        messages.error(request, _("Choose the team to move the person to."))
        return redirect("teams:manage", slug=event.slug)
    return _edit(
        request, event,
        lambda: services.move_member(actor=request.user, event=event, member_id=form.cleaned_data["member"], team_id=form.cleaned_data["team"]),
        _("The person is moved (and locked in the new team)."),
    )


@require_POST
@event_view("teams.manage")
def swap(request, event):
    teams = selectors.teams_with_members(event)
    form = SwapForm(request.POST, teams=teams)
    if not form.is_valid():
        return render(request, "teams/manage/teams.html", _manage_context(request, event, swap_form=form), status=400)
    return _edit(
        request, event,
        lambda: services.swap_members(actor=request.user, event=event, first_id=form.cleaned_data["first"], second_id=form.cleaned_data["second"]),
        _("The two people have swapped teams (both are locked)."),
    )


@require_POST
@event_view("teams.manage")
def lock(request, event):
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This person is no longer in a team of this event."))
        return redirect("teams:manage", slug=event.slug)
    locked = form.cleaned_data["locked"]
    return _edit(
        request, event,
        lambda: services.set_locked(actor=request.user, event=event, member_id=form.cleaned_data["member"], locked=locked),
        _("The person is locked in this team: a new run keeps them there.") if locked else _("The person is unlocked."),
    )


@require_http_methods(["GET", "POST"])
@event_view("teams.manage")
def publish(request, event):
    if request.method == "POST":
        try:
            teams = services.publish_teams(actor=request.user, event=event)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The team is published. Each member is told by e-mail and sees it on their page.",
                    "The %(count)d teams are published. Each member is told by e-mail and sees their team on their page.",
                    len(teams),
                ) % {"count": len(teams)},
            )
        return redirect("teams:manage", slug=event.slug)
    teams = selectors.teams_with_members(event)
    refusal = services.publish_refusal(event, teams)
    if refusal:
        return refused(request, event, refusal, back=(reverse("teams:manage", kwargs={"slug": event.slug}), _("Back to the teams")))
    unplaced = selectors.late_registrations(event)
    return render(
        request, "teams/manage/publish.html",
        {"event": event, "nav": "teams", "teams": teams, "unplaced": unplaced,
         "people": sum(len(team.members.all()) for team in teams)},
    )


@require_POST
@event_view("teams.manage")
def late(request, event):
    form = LateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person to place."))
        return redirect("teams:manage", slug=event.slug)
    try:
        team = services.place_late_arrival(actor=request.user, event=event, user_id=form.cleaned_data["user"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The person is placed in %(team)s and told by e-mail.") % {"team": team.display_name})
    return redirect("teams:manage", slug=event.slug)


@require_POST
@event_view("teams.manage")
def late_all(request, event):
    refusal = services.late_refusal(event)
    if refusal:
        messages.error(request, refusal)
        return redirect("teams:manage", slug=event.slug)
    placed, refusals = services.place_all_late_arrivals(actor=request.user, event=event)
    if placed:
        messages.success(
            request,
            ngettext("%(count)d person is placed and told by e-mail.", "%(count)d people are placed and told by e-mail.", len(placed))
            % {"count": len(placed)},
        )
    for user, reason in refusals:
        messages.error(request, _("%(name)s: %(reason)s") % {"name": user.name, "reason": reason})
    if not placed and not refusals:
        messages.info(request, _("Everybody already has a team."))
    return redirect("teams:manage", slug=event.slug)


@event_view("teams.manage")
def preferences_overview(request, event):
    challenges = list(retained_challenges(event))
    rows = selectors.preference_rows(event)
    labels = selectors.skill_labels()
    for row in rows:
        row["rank_cells"] = [row["ranks"].get(c.pk) for c in challenges]
        row["skill_labels"] = [labels.get(s, s) for s in row["skills"]]
    skill_counts = [(labels[code], sum(1 for r in rows if code in r["skills"])) for code in labels]
    return render(
        request, "teams/manage/preferences.html",
        {
            "event": event, "nav": "teams", "challenges": challenges, "rows": rows,
            "first_choices": selectors.first_choice_counts(rows, challenges),
            "answered": sum(1 for r in rows if r["answered"]), "skill_counts": skill_counts,
        },
    )


@require_http_methods(["GET", "POST"])
@event_view("teams.manage")
def team_settings(request, event):
    current = selectors.settings_of(event)
    form = TeamSettingsForm(request.POST or None, initial={"sheet_deadline": current.sheet_deadline})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_team_settings(actor=request.user, event=event, sheet_deadline=form.cleaned_data["sheet_deadline"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("teams:manage", slug=event.slug)
    sprint_end = selectors.sheet_deadline(event, type(current)(event=event))
    return render(
        request, "teams/manage/settings.html",
        {"event": event, "nav": "teams", "form": form, "sprint_end": sprint_end},
        status=400 if form.errors else 200,
    )
