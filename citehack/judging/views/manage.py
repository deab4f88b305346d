"""The organiser's jury pages: scoring state and grid, rubric, jurors, prizes, reveal, publication."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citehack.core.views import event_view
from citehack.events.models import Role

from .. import selectors, services
from ..forms import CriterionForm, InviteJurorForm, OpenScoringForm, PresidentForm, PrizeForm
from ..models import Criterion, Prize, RevealState
from .common import error_text


def _nav(event, **context):
    return {"event": event, "nav": "judging", **context}


@require_GET
@event_view("judging.manage")
def overview(request, event):
    session = selectors.session_for(event)
    return render(request, "judging/manage/overview.html", _nav(
        event, session=session, grid=selectors.scoring_grid(event),
        open_form=OpenScoringForm(initial={"tiebreak_method": session.tiebreak_method}),
        open_refusal=services.open_refusal(event, session),
        prize_count=Prize.objects.filter(event=event).count(),
    ))


def _act(request, event, action, success):
    try:
        action()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)


@require_POST
@event_view("judging.manage")
def open_scoring(request, event):
    form = OpenScoringForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the normalised score used first to break a tie."))
        return redirect("judging:manage", slug=event.slug)
    _act(request, event, lambda: services.open_scoring(actor=request.user, event=event, tiebreak_method=form.cleaned_data["tiebreak_method"]),
         _("Scoring is open: the jurors may score from their phones. The rubric and the tie-break chain are now fixed."))
    return redirect("judging:manage", slug=event.slug)


@require_POST
@event_view("judging.manage")
def close_scoring(request, event):
    _act(request, event, lambda: services.close_scoring(actor=request.user, event=event),
         _("Scoring is closed. The jury may deliberate and record its decisions."))
    return redirect("judging:manage", slug=event.slug)


@require_POST
@event_view("judging.manage")
def reopen_scoring(request, event):
    _act(request, event, lambda: services.reopen_scoring(actor=request.user, event=event), _("Scoring is open again."))
    return redirect("judging:manage", slug=event.slug)


# Rubric ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@event_view("judging.manage")
def rubric(request, event):
    if request.method == "POST":
        _act(request, event, lambda: services.create_default_rubric(actor=request.user, event=event),
             _("The default rubric is ready: adjust it before scoring opens."))
        return redirect("judging:rubric", slug=event.slug)
    session = selectors.session_for(event)
    return render(request, "judging/manage/rubric.html", _nav(
        event, session=session, criteria=selectors.criteria(event), refusal=services.rubric_refusal(session),
    ))


@require_http_methods(["GET", "POST"])
@event_view("judging.manage")
def criterion_edit(request, event, pk=None):
    criterion = get_object_or_404(Criterion, pk=pk, event=event) if pk else None
    session = selectors.session_for(event)
    refusal = services.rubric_refusal(session)
    if criterion is None:
        next_order = (Criterion.objects.filter(event=event).count() or 0) + 1
        initial = {"order": next_order, "scale_min": 1, "scale_max": 5, "weight": 1, "counted": True}
    else:
        initial = CriterionForm.initial_for(criterion)
    form = CriterionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_criterion(actor=request.user, event=event, criterion=criterion, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The criterion is saved."))
                return redirect("judging:rubric", slug=event.slug)
        status = 400 if not refusal else 403
    return render(request, "judging/manage/criterion_form.html", _nav(
        event, form=form, criterion=criterion, refusal=refusal,
    ), status=status)


@require_http_methods(["GET", "POST"])
@event_view("judging.manage")
def criterion_delete(request, event, pk):
    criterion = get_object_or_404(Criterion, pk=pk, event=event)
    criterion.event = event
    if request.method == "POST":
        try:
            services.delete_criterion(actor=request.user, criterion=criterion)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The criterion is removed."))
        return redirect("judging:rubric", slug=event.slug)
    return render(request, "judging/manage/criterion_delete.html", _nav(event, criterion=criterion))


# Jurors ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@event_view("judging.manage")
def jurors(request, event):
    form = InviteJurorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            juror, created = services.invite_juror(actor=request.user, event=event, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, _("%(name)s is on the jury; a personal link is on its way by e-mail.") % {"name": juror.user})
            else:
                messages.info(request, _("%(name)s was already on the jury: the link is sent again.") % {"name": juror.user})
            return redirect("judging:jurors", slug=event.slug)
    return render(request, "judging/manage/jurors.html", _nav(
        event, form=form, jurors=selectors.jurors(event),
    ), status=400 if form.errors else 200)


def _juror(event, pk):
    """The juror `pk` (a person with the role) and their judging record, created if needed."""
    membership = get_object_or_404(event.memberships.select_related("user"), user_id=pk, role=Role.JUROR)
    juror = services.ensure_juror(event, membership.user)
    juror.event, juror.user = event, membership.user
    return juror


@require_POST
@event_view("judging.manage")
def juror_president(request, event, pk):
    juror = _juror(event, pk)
    form = PresidentForm(request.POST)
    form.is_valid()
    president = form.cleaned_data.get("president", False)
    services.set_president(actor=request.user, juror=juror, president=president)
    if president:
        messages.success(request, _("%(name)s is president of the jury and may record its decisions.") % {"name": juror.user})
    else:
        messages.success(request, _("%(name)s is no longer president of the jury.") % {"name": juror.user})
    return redirect("judging:jurors", slug=event.slug)


@require_POST
@event_view("judging.manage")
def juror_resend(request, event, pk):
    juror = _juror(event, pk)
    services.resend_invitation(actor=request.user, juror=juror, request=request)
    messages.success(request, _("A new personal link is on its way to %(name)s.") % {"name": juror.user})
    return redirect("judging:jurors", slug=event.slug)


# Prizes ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@event_view("judging.manage")
def prizes(request, event):
    if request.method == "POST":
        _act(request, event, lambda: services.create_default_prizes(actor=request.user, event=event),
             _("The usual prizes are ready: first, second and third prizes of the jury, and the audience prize."))
        return redirect("judging:prizes", slug=event.slug)
    session = selectors.session_for(event)
    reveal = RevealState.objects.filter(event=event).first() or RevealState(event=event)
    prize_list = services.reveal_sequence(selectors.prizes(event))
    latest = services.latest_decisions(event)
    return render(request, "judging/manage/prizes.html", _nav(
        event, prizes=[(prize, latest.get(prize.pk)) for prize in reversed(prize_list)],
        refusal=services.prizes_refusal(session, reveal),
    ))


@require_http_methods(["GET", "POST"])
@event_view("judging.manage")
def prize_edit(request, event, pk=None):
    prize = get_object_or_404(Prize, pk=pk, event=event) if pk else None
    initial = {"order": Prize.objects.filter(event=event, kind="jury").count() + 1, "kind": "jury"}
    if prize:
        initial = {"name": prize.name, "kind": prize.kind, "order": prize.order, "description": prize.description}
    form = PrizeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_prize(actor=request.user, event=event, prize=prize, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The prize is saved."))
            return redirect("judging:prizes", slug=event.slug)
    return render(request, "judging/manage/prize_form.html", _nav(event, form=form, prize=prize),
                  status=400 if form.errors else 200)


@require_POST
@event_view("judging.manage")
def prize_delete(request, event, pk):
    prize = get_object_or_404(Prize, pk=pk, event=event)
    prize.event = event
    _act(request, event, lambda: services.delete_prize(actor=request.user, prize=prize), _("The prize is removed."))
    return redirect("judging:prizes", slug=event.slug)


# Reveal and publication ---------------------------------------------------------------------


@require_GET
@event_view("judging.manage")
def reveal(request, event):
    session = selectors.session_for(event)
    state = RevealState.objects.filter(event=event).first() or RevealState(event=event)
    latest = services.latest_decisions(event)
    sequence = services.reveal_sequence(selectors.prizes(event))
    done = set(state.prize_ids)
    steps = [{"prize": prize, "decision": latest.get(prize.pk), "revealed": prize.pk in done} for prize in sequence]
    following = next((step for step in steps if not step["revealed"]), None)
    return render(request, "judging/manage/reveal.html", _nav(
        event, session=session, steps=steps, following=following, screen_mode=selectors.screen_mode(event),
        publish_refusal=services.publish_refusal(event, session),
    ))


@require_POST
@event_view("judging.manage")
def reveal_next(request, event):
    try:
        prize, decision = services.reveal_next(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("On the screen now: %(prize)s — %(team)s.") % {
            "prize": prize.name, "team": decision.team.display_name if decision.team else _("Not awarded")})
    return redirect("judging:reveal", slug=event.slug)


@require_POST
@event_view("judging.manage")
def reveal_reset(request, event):
    try:
        reset = services.reset_reveal(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Every prize is hidden again.") if reset else _("Nothing was revealed yet."))
    return redirect("judging:reveal", slug=event.slug)


@require_POST
@event_view("judging.manage")
def publish(request, event):
    try:
        _session, published = services.publish_results(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The results page is published.") if published else _("The results were already published."))
    return redirect("judging:reveal", slug=event.slug)


@require_POST
@event_view("judging.manage")
def unpublish(request, event):
    _session, changed = services.unpublish_results(actor=request.user, event=event)
    messages.success(request, _("The results page is withdrawn.") if changed else _("The results were not published."))
    return redirect("judging:reveal", slug=event.slug)

