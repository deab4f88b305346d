"""Scoring: opened and closed by the organiser; jurors save as they go and submit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.core.rules import is_juror
from citehack.events.models import Phase

from ..models import Conflict, Criterion, Decision, PrizeKind, Score, Scorecard, SessionState
from .common import locked_session
from .jurors import ensure_juror

COMMENT_MAX = 2000
# Scoring happens with the pitches: from the live day to the deliberation.
SCORING_PHASES = (Phase.LIVE, Phase.JUDGING, Phase.DELIBERATION)


def open_refusal(event, session):
    """Why scoring cannot open now, or None."""
    if session.state == SessionState.OPEN:
        return _("Scoring is already open.")
    if session.state == SessionState.CLOSED:
        return _("Scoring is closed; it can only be reopened.")
    if event.phase not in SCORING_PHASES:
        return _("Scoring opens with the pitches: move the event to the phase “%(phase)s” first.") % {
            "phase": Phase.JUDGING.label
        }
    if not Criterion.objects.filter(event=event, counted=True).exists():
        return _("The rubric needs at least one counted criterion.")
    if not event.teams.filter(published_at__isnull=False).exists():
        return _("There is no published team to score yet.")
    return None


@transaction.atomic
def open_scoring(*, actor, event, tiebreak_method):
    """Open scoring: the rubric and the declared tie-break chain are fixed from now on."""
    session = locked_session(event)
    refusal = open_refusal(event, session)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    session.state = SessionState.OPEN
    session.tiebreak_method = tiebreak_method
    session.opened_at = session.tiebreak_declared_at = now
    session.opened_by = actor
    session.save(update_fields=["state", "tiebreak_method", "opened_at", "tiebreak_declared_at", "opened_by"])
    criteria = list(Criterion.objects.filter(event=event))
    audit.record(
        actor=actor, action="judging.open", obj=session, event=event,
        before={"state": SessionState.NOT_OPEN},
        after={
            "state": SessionState.OPEN,
            "tiebreak": [tiebreak_method, "head-to-head", "top-weighted criterion", "jury vote"],
            "rubric": [{"name": c.name, "weight": str(c.weight), "counted": c.counted,
                        "scale": [c.scale_min, c.scale_max]} for c in criteria],
        },
    )
    return session


@transaction.atomic
def close_scoring(*, actor, event):
    """Close scoring: no score changes any more; the jury deliberates on what is there."""
    session = locked_session(event)
    if session.state != SessionState.OPEN:
        raise ValidationError(_("Scoring is not open."))
    session.state = SessionState.CLOSED
    session.closed_at = timezone.now()
    session.closed_by = actor
    session.save(update_fields=["state", "closed_at", "closed_by"])
    audit.record(actor=actor, action="judging.close", obj=session, event=event,
                 before={"state": SessionState.OPEN}, after={"state": SessionState.CLOSED})
    return session


@transaction.atomic
def reopen_scoring(*, actor, event):
    """Reopen scoring closed by mistake: only before any jury decision and any publication."""
    session = locked_session(event)
    if session.state != SessionState.CLOSED:
        raise ValidationError(_("Scoring is not closed."))
    if Decision.objects.filter(prize__event=event, prize__kind=PrizeKind.JURY).exists():
        raise ValidationError(_("The jury has recorded a decision: scoring cannot reopen."))
    if session.results_published:
        raise ValidationError(_("The results are published: scoring cannot reopen."))
    session.state = SessionState.OPEN
    session.save(update_fields=["state"])
    audit.record(actor=actor, action="judging.reopen", obj=session, event=event,
                 before={"state": SessionState.CLOSED}, after={"state": SessionState.OPEN})
    return session


def scoring_refusal(session, *, event, juror, team):
    """Why `juror` may not score `team` now, or None."""
    if session.state == SessionState.NOT_OPEN:
        return _("Scoring is not open yet: the organisers open it when the pitches begin.")
    if session.state == SessionState.CLOSED:
        return _("Scoring is closed: scores can no longer change.")
    if team.event_id != event.pk or team.published_at is None:
        return _("This team is not one of this event's published teams.")
    if Conflict.objects.filter(juror=juror, team=team).exists():
        return _("You declared a conflict of interest with this team: you do not score it.")
    return None


def _check_values(event, values):
    """Return {criterion: value} for the given {criterion id: value}; refuse anything off the scale."""
    criteria = {c.pk: c for c in Criterion.objects.filter(event=event)}
    checked = {}
    for criterion_id, value in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ValidationError(_("This criterion is not part of the rubric."), code="invalid")
        if isinstance(value, bool) or not isinstance(value, int) or not criterion.scale_min <= value <= criterion.scale_max:
            raise ValidationError(
                _("“%(criterion)s” is scored from %(low)d to %(high)d.")
                % {"criterion": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max},
                code="invalid",
            )
        checked[criterion] = value
    return checked


@transaction.atomic
def save_scorecard(*, actor, event, team, values, comment=None):
    """Save `actor`'s scores ({criterion id: value}) and comment for `team`.

    An upsert on (juror, team, criterion): sending the same thing again changes nothing and
    succeeds, so a phone may resend freely. Returns (card, changed). A change made after the
    juror submitted is allowed until scoring closes, and marked on the card.
    """
    session = locked_session(event)
    if not is_juror(actor, event):
        raise ValidationError(_("Only the jury of this event scores the pitches."), code="forbidden")
    refusal = scoring_refusal(session, event=event, juror=actor, team=team)
    if refusal:
        raise ValidationError(refusal, code="refused")
    checked = _check_values(event, values)
    if comment is not None:
        comment = comment.strip()
        if len(comment) > COMMENT_MAX:
            raise ValidationError(
                _("A comment has at most %(count)d characters.") % {"count": COMMENT_MAX}, code="invalid"
            )
    card, _created = Scorecard.objects.get_or_create(event=event, juror=actor, team=team)
    existing = {score.criterion_id: score for score in card.scores.all()}
    before = {str(cid): score.value for cid, score in existing.items()}
    changed = False
    for criterion, value in checked.items():
        score = existing.get(criterion.pk)
        if score is None:
            Score.objects.create(card=card, criterion=criterion, value=value)
            changed = True
        elif score.value != value:
            score.value = value
            score.save(update_fields=["value", "updated_at"])
            changed = True
    before_comment = card.comment
    if comment is not None and comment != card.comment:
        card.comment = comment
        changed = True
    if changed:
        if ensure_juror(event, actor).submitted_at is not None:
            card.corrected_at = timezone.now()
        card.save()
        after = dict(before)
        after.update({str(criterion.pk): value for criterion, value in checked.items()})
        audit.record(
            actor=actor, action="judging.score", obj=card, event=event,
            before={"team": team.number, "scores": before, "comment": before_comment},
            after={"team": team.number, "scores": after, "comment": card.comment},
        )
    return card, changed


def missing_teams(event, juror):
    """The published teams `juror` is asked to score and has not scored on every criterion."""
    criteria_count = Criterion.objects.filter(event=event).count()
    conflicted = Conflict.objects.filter(juror=juror, event=event).values_list("team_id", flat=True)
    complete = {
        card.team_id
        for card in Scorecard.objects.filter(event=event, juror=juror).prefetch_related("scores")
        if len(card.scores.all()) >= criteria_count
    }
    teams = event.teams.filter(published_at__isnull=False).exclude(pk__in=conflicted).select_related("challenge")
    return [team for team in teams if team.pk not in complete]


@transaction.atomic
def submit_scores(*, actor, event, confirm_incomplete=False):
    """Record that `actor` has finished scoring; the others' scores become visible to them.

    Submitting with teams left unscored (a pitch missed) needs `confirm_incomplete`.
    Submitting again changes nothing. Corrections stay possible until scoring closes.
    """
    session = locked_session(event)
    if not is_juror(actor, event):
        raise ValidationError(_("Only the jury of this event scores the pitches."))
    if session.state != SessionState.OPEN:
        raise ValidationError(_("Scoring is not open."))
    juror = ensure_juror(event, actor)
    if juror.submitted_at is not None:
        return juror, False
    missing = missing_teams(event, actor)
    if missing and not confirm_incomplete:
        raise ValidationError(
            _("Some teams are not fully scored yet: %(teams)s. Score them, or confirm that you submit without them.")
            % {"teams": ", ".join(str(team.display_name) for team in missing)},
            code="incomplete",
        )
    juror.submitted_at = timezone.now()
    juror.save(update_fields=["submitted_at"])
    audit.record(
        actor=actor, action="judging.submit", obj=juror, event=event,
        after={"missing_teams": [team.number for team in missing]},
    )
    return juror, True
