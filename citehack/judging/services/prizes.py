"""Prizes, the decisions on them, the reveal on the screen and the published results.

The software informs, the jury decides: a decision is whatever the jury (through an
organiser or the president) records, with its rationale. Decisions are append-only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit

from ..models import Decision, Prize, PrizeKind, RevealState
from .common import bump_screen_after_commit, locked_session


def default_prizes():
    return [
        {"name": _("First prize"), "kind": PrizeKind.JURY, "order": 1},
        {"name": _("Second prize"), "kind": PrizeKind.JURY, "order": 2},
        {"name": _("Third prize"), "kind": PrizeKind.JURY, "order": 3},
        {"name": _("Audience prize"), "kind": PrizeKind.AUDIENCE, "order": 1},
    ]


def reveal_sequence(prizes):
    """The order of the reveal: jury prizes from the last to the first, then the audience's."""
    jury = sorted((p for p in prizes if p.kind == PrizeKind.JURY), key=lambda p: (-p.order, -p.pk))
    audience = sorted((p for p in prizes if p.kind == PrizeKind.AUDIENCE), key=lambda p: (p.order, p.pk))
    return jury + audience


def _reveal_state(event, *, lock=False):
    RevealState.objects.get_or_create(event=event)
    queryset = RevealState.objects.select_for_update() if lock else RevealState.objects
    return queryset.get(event=event)


def prizes_refusal(session, reveal):
    """Why the prizes cannot change now, or None."""
    if session.results_published:
        return _("The results are published: withdraw the publication before changing the prizes.")
    if reveal.revealed:
        return _("The reveal has started: start it over before changing the prizes.")
    return None


def _prize_snapshot(prize):
    return {"name": prize.name, "kind": prize.kind, "order": prize.order, "description": prize.description}


@transaction.atomic
def create_default_prizes(*, actor, event):
    """First, second and third prizes of the jury, and the audience prize."""
    locked_session(event)
    if Prize.objects.filter(event=event).exists():
        raise ValidationError(_("The event already has prizes."))
    prizes = [Prize.objects.create(event=event, **row) for row in default_prizes()]
    audit.record(actor=actor, action="judging.prizes.default", obj=event, event=event,
                 after={"prizes": [_prize_snapshot(p) for p in prizes]})
    return prizes


@transaction.atomic
def save_prize(*, actor, event, prize=None, name, kind, order, description=""):
    session = locked_session(event)
    refusal = prizes_refusal(session, _reveal_state(event))
    if refusal:
        raise ValidationError(refusal)
    name = name.strip()
    if Prize.objects.filter(event=event, name__iexact=name).exclude(pk=getattr(prize, "pk", None)).exists():
        raise ValidationError(_("Another prize already has this name."))
    if prize is None:
        prize, before = Prize(event=event), None
    else:
        prize = Prize.objects.get(pk=prize.pk, event=event)
        before = _prize_snapshot(prize)
        if prize.kind != kind and prize.decisions.exists():
            raise ValidationError(_("This prize has decisions: who awards it can no longer change."))
    prize.name, prize.kind, prize.order, prize.description = name, kind, order, description.strip()
    prize.full_clean(validate_unique=False)
    prize.save()
    audit.record(actor=actor, action="judging.prize.create" if before is None else "judging.prize.update",
                 obj=prize, event=event, before=before, after=_prize_snapshot(prize))
    return prize


@transaction.atomic
def delete_prize(*, actor, prize):
    event = prize.event
    session = locked_session(event)
    refusal = prizes_refusal(session, _reveal_state(event))
    if refusal:
        raise ValidationError(refusal)
    if prize.decisions.exists():
        raise ValidationError(_("A decision is recorded for this prize: it is kept, with its history."))
    audit.record(actor=actor, action="judging.prize.delete", obj=prize, event=event, before=_prize_snapshot(prize))
    prize.delete()


def decision_refusal(session, prize, reveal):
    """Why no decision may be recorded for `prize` now, or None."""
    if prize.kind == PrizeKind.JURY and not session.is_closed:
        return _("Close the scoring before the jury records its decisions: the figures may still change.")
    if session.results_published:
        return _("The results are published: withdraw the publication before changing a decision.")
    if prize.pk in reveal.prize_ids:
        return _("This prize is already revealed on the screen: start the reveal over before changing it.")
    return None


@transaction.atomic
def record_decision(*, actor, prize, team, rationale, figures=None):
    """Record the decision on `prize` (no `team`: not awarded), with its rationale.

    A new row every time: the previous decisions stay, the latest counts.
    """
    event = prize.event
    session = locked_session(event)
    refusal = decision_refusal(session, prize, _reveal_state(event))
    if refusal:
        raise ValidationError(refusal)
    if team is not None and (team.event_id != event.pk or team.published_at is None):
        raise ValidationError(_("This team is not one of this event's published teams."))
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError(_("Write the rationale: it is published with the decision."))
    if len(rationale) > 3000:
        raise ValidationError(_("The rationale has at most 3,000 characters."))
    previous = prize.decisions.select_related("team").first()
    decision = Decision.objects.create(prize=prize, team=team, rationale=rationale, decided_by=actor, figures=figures)
    audit.record(
        actor=actor, action="judging.decision", obj=decision, event=event,
        before=None if previous is None else {"prize": prize.name, "team": previous.team.number if previous.team else None,
                                               "rationale": previous.rationale},
        after={"prize": prize.name, "team": team.number if team else None, "rationale": rationale},
    )
    return decision


def latest_decisions(event):
    """{prize id: its latest decision} for the event's prizes, in one query."""
    latest = {}
    for decision in (
        Decision.objects.filter(prize__event=event)
        .select_related("team__challenge", "decided_by")
        .order_by("prize_id", "-decided_at", "-id")
    ):
        latest.setdefault(decision.prize_id, decision)
    return latest


def next_to_reveal(event, reveal=None):
    """The next prize of the reveal, or None when all are revealed."""
    reveal = reveal or _reveal_state(event)
    done = set(reveal.prize_ids)
    for prize in reveal_sequence(list(Prize.objects.filter(event=event))):
        if prize.pk not in done:
            return prize
    return None


@transaction.atomic
def reveal_next(*, actor, event):
    """Show the next prize on the screen (third to first, then the audience prize).

    Refused when that prize has no decision yet. The screen switches to the podium if it
    showed something else; the screens follow after commit.
    """
    locked_session(event)
    reveal = _reveal_state(event, lock=True)
    prize = next_to_reveal(event, reveal)
    if prize is None:
        raise ValidationError(_("Every prize is revealed."))
    decision = prize.decisions.select_related("team").first()
    if decision is None:
        raise ValidationError(_("Record the decision on “%(prize)s” before revealing it.") % {"prize": prize.name})
    before = list(reveal.revealed)
    reveal.revealed = [*before, {"prize": prize.pk, "decision": decision.pk}]
    reveal.save(update_fields=["revealed", "updated_at"])
    audit.record(
        actor=actor, action="judging.reveal", obj=reveal, event=event, before={"revealed": before},
        after={"revealed": reveal.revealed, "prize": prize.name, "team": decision.team.number if decision.team else None},
    )
    _show_results_on_screen(actor=actor, event=event)
    bump_screen_after_commit(event)
    return prize, decision


def _show_results_on_screen(*, actor, event):
    """A reveal is meant to be seen: switch the screen to the podium (an undoable control-room action)."""
    from citehack.live.models import LiveState, ScreenMode
    from citehack.live.services import set_screen

    if not LiveState.objects.filter(event=event, screen_mode=ScreenMode.RESULTS).exists():
        set_screen(actor=actor, event=event, mode=ScreenMode.RESULTS)


@transaction.atomic
def reset_reveal(*, actor, event):
    """Hide every prize again (a rehearsal, or a decision to correct); refused once published."""
    session = locked_session(event)
    if session.results_published:
        raise ValidationError(_("The results are published: withdraw the publication first."))
    reveal = _reveal_state(event, lock=True)
    if not reveal.revealed:
        return False
    before = list(reveal.revealed)
    reveal.revealed = []
    reveal.save(update_fields=["revealed", "updated_at"])
    audit.record(actor=actor, action="judging.reveal.reset", obj=reveal, event=event,
                 before={"revealed": before}, after={"revealed": []})
    bump_screen_after_commit(event)
    return True


def publish_refusal(event, session):
    prizes = list(Prize.objects.filter(event=event))
    if not prizes:
        return _("Define the prizes first.")
    if not session.is_closed:
        return _("Close the scoring first.")
    decided = set(Decision.objects.filter(prize__event=event).values_list("prize_id", flat=True))
    undecided = [p.name for p in prizes if p.pk not in decided]
    if undecided:
        return _("Record a decision on every prize first (even “not awarded”): %(prizes)s.") % {"prizes": ", ".join(undecided)}
    return None


@transaction.atomic
def publish_results(*, actor, event):
    """Publish the results page: winners, rationales and the aggregate figures."""
    session = locked_session(event)
    if session.results_published:
        return session, False
    refusal = publish_refusal(event, session)
    if refusal:
        raise ValidationError(refusal)
    session.results_published_at = timezone.now()
    session.results_published_by = actor
    session.save(update_fields=["results_published_at", "results_published_by"])
    audit.record(actor=actor, action="judging.results.publish", obj=session, event=event,
                 after={"decisions": {str(k): v.pk for k, v in latest_decisions(event).items()}})
    return session, True


@transaction.atomic
def unpublish_results(*, actor, event):
    session = locked_session(event)
    if not session.results_published:
        return session, False
    before = session.results_published_at.isoformat()
    session.results_published_at = None
    session.results_published_by = None
    session.save(update_fields=["results_published_at", "results_published_by"])
    audit.record(actor=actor, action="judging.results.unpublish", obj=session, event=event,
                 before={"published_at": before})
    return session, True
