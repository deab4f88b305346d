"""The public and participant pages: the list of challenges, proposing one, the ballot, the
results and the ballots file."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citehack.core.views import event_view

from .. import charts, selectors, services
from ..forms import ApprovalBallotForm, ChallengeForm, RankingBallotForm
from ..models import BallotKind, ChallengeStatus
from ..tally import seed_commitment
from .common import _refused


@event_view("events.view_event", login=False)
def challenge_list(request, event):
    vote = selectors.get_vote(event)
    user = request.user
    mine = []
    if user.is_authenticated:
        mine = list(event.challenges.filter(proposed_by=user).select_related("merged_into").order_by("created_at", "id"))
    may_propose = user.is_authenticated and user.has_perm("challenges.propose", event) and not services.proposal_refusal(
        user=user, event=event, vote=vote
    )
    may_vote = (
        user.is_authenticated and vote is not None and vote.is_open
        and not services.vote_refusal(user=user, event=event, vote=vote)
    )
    return render(
        request, "challenges/list.html",
        {
            "event": event, "vote": vote, "challenges": selectors.public_challenges(event, vote), "mine": mine,
            "may_propose": may_propose, "may_vote": may_vote,
        },
    )


@require_http_methods(["GET", "POST"])
@event_view("challenges.propose")
def propose(request, event):
    refusal = services.proposal_refusal(user=request.user, event=event)
    if refusal:
        return _refused(request, event, refusal, title=_("Proposals are closed"))
    form = ChallengeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                challenge = services.propose_challenge(actor=request.user, event=event, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if challenge.status == ChallengeStatus.ACCEPTED:
                    messages.success(request, _("The challenge is added and accepted."))
                    return redirect("challenges:manage", slug=event.slug)
                messages.success(request, _("Thank you: your challenge is proposed. The organisers will read it soon."))
                return redirect("challenges:list", slug=event.slug)
        status = 400
    return render(request, "challenges/propose.html", {"event": event, "form": form}, status=status)


def _ballot_form(vote, candidates, data=None, current=()):
    if vote.ballot_kind == BallotKind.APPROVAL:
        return ApprovalBallotForm(data, candidates=candidates, max_approvals=vote.max_approvals, initial={"choices": list(current)})
    return RankingBallotForm(data, candidates=candidates, initial_order=current)


@require_http_methods(["GET", "POST"])
@event_view("challenges.vote")
def ballot(request, event):
    vote = selectors.get_vote(event)
    refusal = services.vote_refusal(user=request.user, event=event, vote=vote)
    if refusal:
        return _refused(request, event, refusal, title=_("The vote is not open"), vote=vote)
    candidates = selectors.candidates(vote)
    current = services.own_ballot(vote, request.user)
    form = _ballot_form(vote, candidates, request.POST or None, current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                replaced = services.cast_ballot(actor=request.user, event=event, selection=form.selection())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if replaced:
                    messages.success(request, _("Your new ballot replaces the previous one. You can change it until the vote closes."))
                else:
                    messages.success(request, _("Your ballot is saved. You can change it until the vote closes."))
                return redirect("challenges:ballot", slug=event.slug)
        status = 400
    if vote.ballot_kind == BallotKind.APPROVAL:
        options = list(zip(form["choices"].subwidgets, candidates))
        rows = []
    else:
        options = []
        rows = [(form[c.code], c) for c in candidates]
    return render(
        request, "challenges/ballot.html",
        {"event": event, "vote": vote, "form": form, "options": options, "rows": rows, "has_voted": bool(current)},
        status=status,
    )


def _results_context(event, vote):
    result = vote.result
    by_code = {c.code: c for c in selectors.candidates(vote)}
    counts = result["counts"]
    order = sorted(by_code, key=lambda code: (-counts.get(code, 0), selectors.code_key(code)))
    rows = [(by_code[code], counts.get(code, 0)) for code in order]
    retained = sorted((c for c in by_code.values() if c.retained), key=lambda c: c.number)
    approval = vote.ballot_kind == BallotKind.APPROVAL
    count_label = _("Approvals") if approval else _("First preferences")

    def label(code):
        challenge = by_code.get(code)
        return f"{code} · {challenge.title}" if challenge else str(code)

    chart_rows = [
        (
            (_("%(code)s, retained n°%(number)d: %(title)s") % {"code": c.code, "number": c.number, "title": c.title})
            if c.retained else f"{c.code}: {c.title}",
            count, c.retained,
        )
        for c, count in rows
    ]
    chart = charts.bar_chart(
        chart_rows,
        title=_("%(what)s per challenge") % {"what": count_label},
        description=_("Bar chart of the figures in the table below; retained challenges are dark."),
        chart_id="results-chart",
    )
    ties = [
        {
            "stage": selectors.TIE_STAGES.get(tie["stage"], tie["stage"]),
            "round": tie["round"],
            "tied": [label(code) for code in tie["tied"]],
            "chosen": [label(code) for code in tie["chosen"]],
            "how": selectors.TIE_METHODS.get(tie["how"], tie["how"]),
        }
        for tie in result.get("ties", [])
    ]
    return {
        "event": event, "vote": vote, "result": result, "rows": rows, "retained": retained, "chart": chart,
        "count_label": count_label, "ties": ties, "turnout": result.get("turnout"),
        "rule_name": selectors.RULE_NAMES.get(vote.rule, vote.rule),
        "explanation": selectors.RULE_EXPLANATIONS.get(vote.rule, ""),
        "completed_by_phragmen": result.get("details", {}).get("completed_by_phragmen", False),
        "seed_checked": seed_commitment(vote.seed) == vote.seed_hash,
        "csv_name": f"{event.slug}-ballots.csv",
        "command": (
            f"citehack tally {event.slug}-ballots.csv --seats {vote.seats} --rule {vote.rule} "
            f"--ballot {vote.ballot_kind} --seed {vote.seed}"
        ),
    }


@event_view("events.view_event", login=False)
def results(request, event):
    vote = selectors.get_vote(event)
    if vote is None or not vote.is_closed:
        return render(request, "challenges/results_pending.html", {"event": event, "vote": vote})
    return render(request, "challenges/results.html", _results_context(event, vote))


@event_view("events.view_event", login=False)
def ballots_csv(request, event):
    """The anonymised, aggregated ballots in the file format `citehack tally` reads."""
    vote = selectors.get_vote(event)
    if vote is None or not vote.is_closed:
        return _refused(request, event, _("The ballots are published when the vote closes."), vote=vote, status=404)
    codes = [c.code for c in selectors.candidates(vote)]
    profile = sorted(selectors.aggregated_profile(vote), key=lambda row: (-row[1], row[0]))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-ballots.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow([*codes, "count"])
    for content, count in profile:
        if vote.ballot_kind == BallotKind.APPROVAL:
            chosen = set(content)
            writer.writerow([*("1" if code in chosen else "" for code in codes), count])
        else:
            rank = {code: position for position, code in enumerate(content, start=1)}
            writer.writerow([*(rank.get(code, "") for code in codes), count])
    return response
