"""The organiser's pages: moderation of the proposals, the vote's settings, opening and close,
turnout, paper ballots."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.core.views import event_view

from .. import selectors, services
from ..forms import MergeForm, PaperApprovalForm, PaperRankingForm, RejectForm, VoteSetupForm
from ..models import BallotKind, Challenge, ChallengeStatus, ChallengeVote
from .common import _errors, _is_htmx, _refused


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
