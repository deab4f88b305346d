"""Workshop sign-ups, within each workshop's capacity."""

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.events.models import ProgrammeItem

from ..models import Registration, RegistrationState, WorkshopSignup
from .capacity import Busy


class WorkshopFull(ValidationError):
    pass


def _check_workshop(registration, item):
    if item.event_id != registration.event_id:
        raise ValidationError(_("This workshop belongs to another event."))
    if not item.takes_sign_ups:
        raise ValidationError(_("This programme item does not take sign-ups."))
    if item.ends_at <= timezone.now():
        raise ValidationError(_("This workshop is over."))


@transaction.atomic
def sign_up_workshop(*, actor, registration, item):
    """Sign a confirmed participant up for a workshop, within its capacity.

    Returns (sign-up, created); signing up twice returns the existing sign-up. The workshop
    row is locked while counting, so two people never take its last place together.
    """
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.state != RegistrationState.CONFIRMED:
        raise ValidationError(_("Only confirmed participants can sign up for workshops."))
    try:
        item = ProgrammeItem.objects.select_for_update().get(pk=item.pk)
    except OperationalError as error:
        raise Busy from error
    _check_workshop(registration, item)
    existing = WorkshopSignup.objects.filter(item=item, registration=registration).first()
    if existing is not None:
        return existing, False
    if item.signups.count() >= item.capacity:
        raise WorkshopFull(_("This workshop is full."))
    signup = WorkshopSignup.objects.create(item=item, registration=registration)
    audit.record(
        actor=actor, action="workshop.sign_up", obj=signup, event=item.event,
        after={"item": item.pk, "registration": registration.pk},
    )
    return signup, True


@transaction.atomic
def leave_workshop(*, actor, registration, item):
    """Give up a workshop place; returns whether there was one."""
    item = ProgrammeItem.objects.select_for_update().get(pk=item.pk)
    deleted, _counts = WorkshopSignup.objects.filter(item=item, registration=registration).delete()
    if deleted:
        audit.record(
            actor=actor, action="workshop.leave", obj=item, event=item.event,
            before={"item": item.pk, "registration": registration.pk},
        )
    return bool(deleted)
