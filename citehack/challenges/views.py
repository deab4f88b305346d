"""Challenge pages: the public list and proposals, the ballot, the results, the organiser's pages."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.core.views import event_view

from . import charts, selectors, services
from .forms import (
    ApprovalBallotForm, ChallengeForm, MergeForm, PaperApprovalForm, PaperRankingForm, RankingBallotForm, RejectForm,
    VoteSetupForm,
)
from .models import BallotKind, Challenge, ChallengeStatus, ChallengeVote
from .tally import seed_commitment


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


# Public and participant pages -------------------------------------------------------------------


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


# Organiser pages ------------------------------------------------------------------------------


@event_view("challenges.moderate")
def manage_list(request, event):
    vote = selectors.get_vote(event)
    challenges = list(selectors.moderation_list(event))
    return render(
        request, "challenges/manage/list.html",
        {
            "event": event, "nav": "challenges", "vote": vote, "challenges": challenges,
            "frozen": services.moderation_refusal(vote=vote),
            "accepted_count": sum(c.status == ChallengeStatus.ACCEPTED for c in challenges),
            "proposed_count": sum(c.status == ChallengeStatus.PROPOSED for c in challenges),
        },
    )


def _moderated(request, event, pk):
    return get_object_or_404(Challenge.objects.select_related("event"), pk=pk, event=event)


@require_POST
@event_view("challenges.moderate")
def manage_accept(request, event, pk):
    challenge = _moderated(request, event, pk)
    try:
        services.accept_challenge(actor=request.user, challenge=challenge)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("“%(title)s” is accepted.") % {"title": challenge.title})
    return redirect("challenges:manage", slug=event.slug)


@require_http_methods(["GET", "POST"])
@event_view("challenges.moderate")
def manage_reject(request, event, pk):
    challenge = _moderated(request, event, pk)
    refusal = services.moderation_refusal(vote=selectors.get_vote(event))
    if refusal:
        return _refused(request, event, refusal)
    form = RejectForm(request.POST or None, initial={"reason": challenge.rejection_reason})
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_challenge(actor=request.user, challenge=challenge, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(title)s” is rejected.") % {"title": challenge.title})
            return redirect("challenges:manage", slug=event.slug)
    return render(
        request, "challenges/manage/reject.html",
        {"event": event, "nav": "challenges", "challenge": challenge, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@event_view("challenges.moderate")
def manage_merge(request, event, pk):
    challenge = _moderated(request, event, pk)
    refusal = services.moderation_refusal(vote=selectors.get_vote(event))
    if refusal:
        return _refused(request, event, refusal)
    form = MergeForm(request.POST or None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        try:
            services.merge_challenge(actor=request.user, challenge=challenge, into=form.cleaned_data["into"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is merged into “%(into)s”.") % {"title": challenge.title, "into": form.cleaned_data["into"].title},
            )
            return redirect("challenges:manage", slug=event.slug)
    return render(
        request, "challenges/manage/merge.html",
        {"event": event, "nav": "challenges", "challenge": challenge, "form": form},
        status=400 if form.errors else 200,
    )


def _vote_context(request, event, vote, form=None):
    accepted = event.challenges.filter(status=ChallengeStatus.ACCEPTED).count()
    return {
        "event": event, "nav": "challenges", "vote": vote, "form": form,
        "accepted_count": accepted,
        "open_refusal": services.open_refusal(event=event, vote=vote, accepted_count=accepted) if vote is None or vote.is_setup else None,
        "turnout": selectors.turnout(vote, event) if vote is not None and not vote.is_setup else None,
        "candidates": selectors.candidates(vote) if vote is not None and not vote.is_setup else [],
        "rule_name": selectors.RULE_NAMES.get(vote.rule) if vote else "",
    }


@require_http_methods(["GET", "POST"])
@event_view("challenges.moderate")
def vote_setup(request, event):
    vote = selectors.get_vote(event)
    form = None
    if vote is None or vote.is_setup:
        defaults = ChallengeVote(event=event)
        current = vote or defaults
        form = VoteSetupForm(
            request.POST or None,
            initial={"seats": current.seats, "ballot_kind": current.ballot_kind, "max_approvals": current.max_approvals, "rule": current.rule},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.configure_vote(actor=request.user, event=event, **form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The vote settings are saved."))
                return redirect("challenges:vote_setup", slug=event.slug)
    elif request.method == "POST":
        messages.error(request, _("The vote has opened: its settings are frozen."))
        return redirect("challenges:vote_setup", slug=event.slug)
    status = 400 if form is not None and form.errors else 200
    return render(request, "challenges/manage/vote.html", _vote_context(request, event, vote, form), status=status)


@require_http_methods(["GET", "POST"])
@event_view("challenges.moderate")
def vote_open(request, event):
    vote = selectors.get_vote(event)
    if request.method == "POST":
        try:
            services.open_vote(actor=request.user, event=event)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("The vote is open. Participants can vote from the challenges page."))
        return redirect("challenges:vote_setup", slug=event.slug)
    context = _vote_context(request, event, vote)
    if context["open_refusal"] or (vote is not None and not vote.is_setup):
        return _refused(request, event, context["open_refusal"] or _("The vote is already open or closed."), vote=vote)
    return render(request, "challenges/manage/vote_open.html", context)


@require_http_methods(["GET", "POST"])
@event_view("challenges.moderate")
def vote_close(request, event):
    vote = selectors.get_vote(event)
    if request.method == "POST":
        try:
            services.close_vote(actor=request.user, event=event)
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("challenges:vote_setup", slug=event.slug)
        messages.success(request, _("The vote is closed and counted. The results are published."))
        return redirect("challenges:results", slug=event.slug)
    if vote is None or not vote.is_open:
        return _refused(request, event, _("Only an open vote can be closed."), vote=vote)
    return render(request, "challenges/manage/vote_close.html", _vote_context(request, event, vote))


@event_view("challenges.moderate")
def turnout(request, event):
    """Votes cast so far; the vote page polls this fragment every few seconds."""
    vote = selectors.get_vote(event)
    context = {"event": event, "nav": "challenges", "vote": vote, "turnout": selectors.turnout(vote, event)}
    if _is_htmx(request):
        return render(request, "challenges/manage/_turnout.html", context)
    return render(request, "challenges/manage/turnout.html", context)


@require_http_methods(["GET", "POST"])
@event_view("challenges.moderate")
def paper(request, event):
    vote = selectors.get_vote(event)
    if vote is None or not vote.is_open:
        return _refused(request, event, _("Paper ballots can be added while the vote is open."), vote=vote)
    candidates = selectors.candidates(vote)
    if vote.ballot_kind == BallotKind.APPROVAL:
        form = PaperApprovalForm(request.POST or None, candidates=candidates, max_approvals=vote.max_approvals)
    else:
        form = PaperRankingForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_paper_ballots(
                actor=request.user, event=event, rows=[(form.selection(), form.cleaned_data["count"])],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The paper ballots are added."))
            return redirect("challenges:paper", slug=event.slug)
    by_code = {c.code: c for c in candidates}
    rows = [
        (row, [by_code[code] for code in selectors.parse_content(row.content) if code in by_code])
        for row in vote.ballots.filter(source="paper").order_by("content")
    ]
    return render(
        request, "challenges/manage/paper.html",
        {
            "event": event, "nav": "challenges", "vote": vote, "form": form, "paper_rows": rows,
            "options": list(zip(form["choices"].subwidgets, candidates)) if vote.ballot_kind == BallotKind.APPROVAL else [],
            "ranks": [(form[c.code], c) for c in candidates] if vote.ballot_kind == BallotKind.RANKING else [],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@event_view("challenges.moderate")
def paper_remove(request, event, pk):
    try:
        services.remove_paper_ballots(actor=request.user, event=event, ballot_id=pk)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The paper row is removed."))
    return redirect("challenges:paper", slug=event.slug)
