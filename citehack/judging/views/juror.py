"""The juror's pages, made for a phone: progress, conflicts, one scoring page per team, submission."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citehack.core.views import event_view
from citehack.teams.models import Team

from .. import selectors, services
from ..forms import ConflictForm, ScorecardForm, SubmitForm
from .common import error_text, is_htmx, may_see_scores, refused


def _published_team(event, pk):
    return get_object_or_404(Team.objects.select_related("challenge"), pk=pk, event=event, published_at__isnull=False)


@require_GET
@event_view("judging.score")
def juror_home(request, event):
    session = selectors.session_for(event)
    record = selectors.juror_record(event, request.user)
    rows = selectors.juror_progress(event, request.user)
    asked = [row for row in rows if row.status != "conflict"]
    return render(request, "judging/juror_home.html", {
        "event": event, "session": session, "record": record, "rows": rows,
        "done": sum(row.status == "done" for row in asked), "asked": len(asked),
        "missing": [row for row in asked if row.status != "done"],
        "submit_form": SubmitForm(),
        "may_deliberate": may_see_scores(request.user, event, session, record),
    })


@require_http_methods(["GET", "POST"])
@event_view("judging.score")
def conflicts(request, event):
    session = selectors.session_for(event)
    if request.method == "POST":
        form = ConflictForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a team from the list."))
            return redirect("judging:conflicts", slug=event.slug)
        team = _published_team(event, form.cleaned_data["team"])
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw_conflict(actor=request.user, event=event, team=team)
                messages.success(request, _("The conflict with %(team)s is withdrawn.") % {"team": team.display_name})
            else:
                services.declare_conflict(actor=request.user, event=event, team=team, reason=form.cleaned_data["reason"])
                messages.success(request, _("Noted: you will not be asked to score %(team)s.") % {"team": team.display_name})
        except ValidationError as error:
            messages.error(request, error_text(error))
        return redirect("judging:conflicts", slug=event.slug)
    rows = selectors.juror_progress(event, request.user)
    return render(request, "judging/conflicts.html", {
        "event": event, "session": session, "rows": rows, "form": ConflictForm(),
    })


def _neighbours(rows, team):
    """The previous and next teams to score (skipping conflicts), and the next one not done."""
    asked = [row for row in rows if row.status != "conflict"]
    ids = [row.team.pk for row in asked]
    index = ids.index(team.pk) if team.pk in ids else -1
    previous = asked[index - 1].team if index > 0 else None
    following = asked[index + 1].team if 0 <= index < len(asked) - 1 else None
    todo = [row.team for row in asked[index + 1:] + asked[:max(index, 0)] if row.status != "done" and row.team.pk != team.pk]
    return previous, following, (todo[0] if todo else None)


def _score_page(request, event, team, session, *, form=None, status=200):
    rubric = selectors.criteria(event)
    card, values = selectors.scorecard(event, request.user, team)
    if form is None:
        initial = {f"c{cid}": value for cid, value in values.items()}
        initial["comment"] = card.comment
        form = ScorecardForm(initial=initial, rubric=rubric)
    rows = selectors.juror_progress(event, request.user, rubric=rubric)
    previous, following, todo = _neighbours(rows, team)
    asked = [row for row in rows if row.status != "conflict"]
    groups = [(criterion, form[f"c{criterion.pk}"]) for criterion in rubric]
    return render(request, "judging/score.html", {
        "event": event, "team": team, "session": session, "form": form, "groups": groups, "card": card,
        "previous": previous, "following": following, "todo": todo,
        "done": sum(row.status == "done" for row in asked), "asked": len(asked),
        "pitching": selectors.pitching_team_id(event) == team.pk,
    }, status=status)


def _status(request, *, message, ok, status=200):
    return render(request, "judging/_save_status.html", {"message": message, "ok": ok, "at": timezone.now()}, status=status)


@require_http_methods(["GET", "POST"])
@event_view("judging.score")
def score(request, event, pk):
    team = _published_team(event, pk)
    session = selectors.session_for(event)
    refusal = services.scoring_refusal(session, event=event, juror=request.user, team=team)
    back = (reverse("judging:juror_home", args=[event.slug]), _("My jury page"))
    if refusal:
        if request.method == "POST" and is_htmx(request):
            return _status(request, message=refusal, ok=False, status=403)
        return refused(request, event, refusal, back=back)
    if request.method == "GET":
        return _score_page(request, event, team, session)
    rubric = selectors.criteria(event)
    form = ScorecardForm(request.POST, rubric=rubric)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if is_htmx(request):
            return _status(request, message=message, ok=False, status=400)
        return _score_page(request, event, team, session, form=form, status=400)
    try:
        _card, changed = services.save_scorecard(
            actor=request.user, event=event, team=team, values=form.values(), comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        status = 400 if error.code == "invalid" else 403
        if is_htmx(request):
            return _status(request, message=error_text(error), ok=False, status=status)
        if status == 400:
            form.add_error(None, error)
            return _score_page(request, event, team, session, form=form, status=400)
        return refused(request, event, error_text(error), back=back)
    if is_htmx(request):
        return _status(request, message=_("Saved"), ok=True)
    messages.success(request, _("The scores for %(team)s are saved.") % {"team": team.display_name})
    if request.POST.get("go") == "next":
        rows = selectors.juror_progress(event, request.user, rubric=rubric)
        _previous, _following, todo = _neighbours(rows, team)
        if todo is not None:
            return redirect("judging:score", slug=event.slug, pk=todo.pk)
        return redirect("judging:juror_home", slug=event.slug)
    return redirect("judging:score", slug=event.slug, pk=team.pk)


@require_POST
@event_view("judging.score")
def submit(request, event):
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        _record, submitted = services.submit_scores(
            actor=request.user, event=event, confirm_incomplete=form.cleaned_data.get("confirm_incomplete", False),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if submitted:
            messages.success(request, _("Your scores are submitted. You may still correct them until scoring closes; "
                                        "the deliberation page now shows the whole jury's scores."))
        else:
            messages.info(request, _("Your scores were already submitted."))
    return redirect("judging:juror_home", slug=event.slug)
