"""The rubric: criteria with their scale, labels and weight; frozen once scoring opens."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citehack.core import audit

from ..models import MAX_SCALE_POINTS, Criterion
from .common import locked_session


def default_criteria():
    """The rubric offered to a new event: five criteria on one 1-5 scale with labelled points."""
    labels = {
        "1": _("Weak"), "2": _("Fair"), "3": _("Good"), "4": _("Very good"), "5": _("Excellent"),
    }
    rows = [
        (_("Relevance to the challenge"), _("Does the project answer the challenge as it was set?"), 2),
        (_("Innovation"), _("Is the idea new, or a known idea put to new use here?"), 1),
        (_("Feasibility"), _("Could the team, or a local partner, really carry it out with the means at hand?"), 1),
        (_("Impact for the neighbourhood"), _("Would it change something for the people concerned, and for how many?"), 2),
        (_("Quality of the pitch"), _("Was the presentation clear, convincing and within the time?"), 1),
    ]
    return [
        {"order": index, "name": name, "description": description, "scale_min": 1, "scale_max": 5,
         "labels": dict(labels), "weight": Decimal(weight), "counted": True}
        for index, (name, description, weight) in enumerate(rows, start=1)
    ]


def rubric_refusal(session):
    """Why the rubric cannot change now, or None."""
    if session.rubric_frozen:
        when = date_format(session.opened_at, "DATETIME_FORMAT") if session.opened_at else ""
        return _(
            "The rubric is frozen: scoring opened on %(when)s, and criteria cannot change once jurors may score."
        ) % {"when": when}
    return None


def _snapshot(criterion):
    return {
        "name": criterion.name, "description": criterion.description, "scale": [criterion.scale_min, criterion.scale_max],
        "labels": criterion.labels, "weight": str(criterion.weight), "counted": criterion.counted, "order": criterion.order,
    }


def check_labels(labels, scale_min, scale_max):
    """Labels must name every point, or the two ends only, of the scale."""
    keys = {int(key) for key in labels}
    if not keys:
        return
    if any(key < scale_min or key > scale_max for key in keys):
        raise ValidationError(_("A label is given for a point outside the scale."))
    if keys != set(range(scale_min, scale_max + 1)) and keys != {scale_min, scale_max}:
        raise ValidationError(_("Give a label for every point of the scale, or for its two ends only."))


def _check(event, criterion):
    if criterion.scale_max <= criterion.scale_min:
        raise ValidationError(_("The highest score must be above the lowest."))
    if criterion.scale_max - criterion.scale_min + 1 > MAX_SCALE_POINTS:
        raise ValidationError(
            _("A scale has at most %(count)d points, so that it fits on a phone.") % {"count": MAX_SCALE_POINTS}
        )
    if criterion.weight < 0 or (criterion.counted and criterion.weight == 0):
        raise ValidationError(_("A counted criterion needs a weight above zero."))
    check_labels(criterion.labels, criterion.scale_min, criterion.scale_max)
    if criterion.counted:
        # Totals are weighted means: the weights carry importance only if the scales agree.
        other = Criterion.objects.filter(event=event, counted=True).exclude(pk=criterion.pk).first()
        if other and (other.scale_min, other.scale_max) != (criterion.scale_min, criterion.scale_max):
            raise ValidationError(
                _("Counted criteria share one scale (here %(low)d to %(high)d), so that the weights alone say what matters most.")
                % {"low": other.scale_min, "high": other.scale_max}
            )
    if Criterion.objects.filter(event=event, name__iexact=criterion.name).exclude(pk=criterion.pk).exists():
        raise ValidationError(_("Another criterion already has this name."))


@transaction.atomic
def create_default_rubric(*, actor, event):
    """Give `event` the default rubric; refused once it has criteria or scoring has opened."""
    session = locked_session(event)
    refusal = rubric_refusal(session)
    if refusal:
        raise ValidationError(refusal)
    if Criterion.objects.filter(event=event).exists():
        raise ValidationError(_("The rubric already has criteria."))
    criteria = [Criterion.objects.create(event=event, **row) for row in default_criteria()]
    audit.record(
        actor=actor, action="judging.rubric.default", obj=event, event=event,
        after={"criteria": [_snapshot(c) for c in criteria]},
    )
    return criteria


@transaction.atomic
def save_criterion(*, actor, event, criterion=None, **fields):
    """Create a criterion (without `criterion`) or change one; refused once scoring has opened."""
    session = locked_session(event)
    refusal = rubric_refusal(session)
    if refusal:
        raise ValidationError(refusal)
    if criterion is None:
        criterion, before = Criterion(event=event), None
    else:
        criterion = Criterion.objects.get(pk=criterion.pk, event=event)
        before = _snapshot(criterion)
    for name, value in fields.items():
        setattr(criterion, name, value)
    _check(event, criterion)
    criterion.full_clean(validate_unique=False)
    criterion.save()
    audit.record(
        actor=actor, action="judging.criterion.create" if before is None else "judging.criterion.update",
        obj=criterion, event=event, before=before, after=_snapshot(criterion),
    )
    return criterion


@transaction.atomic
def delete_criterion(*, actor, criterion):
    event = criterion.event
    session = locked_session(event)
    refusal = rubric_refusal(session)
    if refusal:
        raise ValidationError(refusal)
    audit.record(actor=actor, action="judging.criterion.delete", obj=criterion, event=event, before=_snapshot(criterion))
    criterion.delete()
