"""The deliberation (figures for the jury), the decision on each prize, the public results page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citehack.core.views import event_view

from .. import aggregation as agg
from .. import selectors, services
from ..forms import DecisionForm, MethodForm
from ..models import Prize, PrizeKind
from .common import may_see_scores, refused


def _gate(request, event, session):
    """None when the person may see the whole jury's scores, else the refusal page."""
    record = selectors.juror_record(event, request.user)
    if may_see_scores(request.user, event, session, record):
        return None
    return refused(
        request, event,
        _("Submit your own scores first: the other jurors' scores stay hidden until then, so that each "
          "judgment is your own."),
        title=_("The deliberation opens after your scores"),
        back=(reverse("judging:juror_home", args=[event.slug]), _("My jury page")),
    )


@require_GET
@event_view("judging.deliberate")
def deliberation(request, event):
    session = selectors.session_for(event)
    gate = _gate(request, event, session)
    if gate:
        return gate
    form = MethodForm(request.GET or None)
    method = form.chosen()
    view = selectors.deliberation(event, session=session, method=method)
    latest = services.latest_decisions(event)
    prize_list = selectors.prizes(event)
    return render(request, "judging/deliberation.html", {
        "event": event, "session": session, "view": view, "form": form, "method": method,
        "method_label": selectors.METHOD_LABELS[method],
        "methods": [(m, selectors.METHOD_LABELS[m], selectors.METHOD_EXPLANATIONS[m]) for m in agg.METHODS],
        "raw_lead": method in (agg.MEAN, agg.MEDIAN),
        "tiebreak_label": selectors.METHOD_LABELS[session.tiebreak_method],
        "prizes": [(prize, latest.get(prize.pk)) for prize in sorted(prize_list, key=lambda p: (p.kind != PrizeKind.JURY, p.order, p.pk))],
        "may_decide": request.user.has_perm("judging.record_decision", event),
        "manages": request.user.has_perm("judging.manage", event), "nav": "judging",
        "resamples": selectors.BOOTSTRAP_RESAMPLES, "level": int(selectors.INTERVAL_LEVEL * 100),
    })


@require_http_methods(["GET", "POST"])
@event_view("judging.deliberate")
def prize(request, event, pk):
    session = selectors.session_for(event)
    gate = _gate(request, event, session)
    if gate:
        return gate
    prize = get_object_or_404(Prize, pk=pk, event=event)
    prize.event = event
    may_decide = request.user.has_perm("judging.record_decision", event)
    if request.method == "POST" and not may_decide:
        raise PermissionDenied(_("Only the organisers and the president of the jury record decisions."))
    teams = selectors.scoring_teams(event)
    history = selectors.decision_history(prize)
    audience = selectors.audience_results(event) if prize.kind == PrizeKind.AUDIENCE else []
    initial = {}
    if history:
        initial = {"team": history[0].team_id or DecisionForm.NOT_AWARDED, "rationale": history[0].rationale}
    elif audience:
        top = audience[0]
        initial = {"team": top["team"].pk, "rationale": _("Most votes from the audience: %(votes)s.") % {"votes": top["votes"]}}
    form = DecisionForm(request.POST or None, initial=initial, teams=teams)
    refusal = services.decision_refusal(session, prize, _reveal(event))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            figures = {"poll": [{"team": row["team"].pk, "votes": row["votes"], "weight": row["weight"]} for row in audience]} if audience else None
            try:
                services.record_decision(actor=request.user, prize=prize, team=form.chosen_team(),
                                         rationale=form.cleaned_data["rationale"], figures=figures)
            except ValidationError as error:
                form.add_error(None, error)
                status = 403 if refusal else 400
            else:
                messages.success(request, _("The decision on “%(prize)s” is recorded.") % {"prize": prize.name})
                return redirect("judging:prize", slug=event.slug, pk=prize.pk)
        else:
            status = 400
    return render(request, "judging/prize.html", {
        "event": event, "session": session, "prize": prize, "history": history, "form": form,
        "may_decide": may_decide, "refusal": refusal, "audience": audience, "nav": "judging",
        "manages": request.user.has_perm("judging.manage", event),
        "is_audience": prize.kind == PrizeKind.AUDIENCE,
    }, status=status)


def _reveal(event):
    from ..models import RevealState

    return RevealState.objects.filter(event=event).first() or RevealState(event=event)


@require_GET
@event_view("events.view_event", login=False)
def results(request, event):
    """The public results: winners, rationales, figures. Organisers preview it before publication."""
    session = selectors.session_for(event)
    manages = request.user.is_authenticated and request.user.has_perm("judging.manage", event)
    if not session.results_published and not manages:
        return render(request, "judging/results_unpublished.html", {"event": event}, status=404)
    latest = services.latest_decisions(event)
    prize_list = sorted(selectors.prizes(event), key=lambda p: (p.kind != PrizeKind.JURY, p.order, p.pk))
    view = selectors.deliberation(event, session=session, resamples=0) if session.is_closed else None
    audience = selectors.audience_results(event)
    return render(request, "judging/results.html", {
        "event": event, "session": session, "manages": manages,
        "awards": [(prize, latest.get(prize.pk)) for prize in prize_list],
        "view": view if view and view.result else None,
        "audience": audience, "audience_total": sum((row["votes"] or 0) for row in audience),
    })
