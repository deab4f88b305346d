"""Check-in at the door, and taking back a check-in made by mistake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit

from ..models import Registration, RegistrationState


@transaction.atomic
def check_in(*, actor, registration):
    """Mark the person as arrived; checking in twice keeps the first time.

    Returns (registration, changed).
    """
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if registration.state != RegistrationState.CONFIRMED:
        raise ValidationError(_("Only confirmed registrations can be checked in."))
    if registration.checked_in_at is not None:
        return registration, False
    registration.checked_in_at = timezone.now()
    registration.save(update_fields=["checked_in_at", "updated_at"])
    audit.record(
        actor=actor, action="registration.check_in", obj=registration, event=registration.event,
        after={"checked_in_at": registration.checked_in_at.isoformat()},
    )
    return registration, True


@transaction.atomic
def undo_check_in(*, actor, registration):
    """Take back a check-in made by mistake. Returns (registration, changed)."""
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if registration.checked_in_at is None:
        return registration, False
    before = registration.checked_in_at.isoformat()
    registration.checked_in_at = None
    registration.save(update_fields=["checked_in_at", "updated_at"])
    audit.record(
        actor=actor, action="registration.undo_check_in", obj=registration, event=registration.event,
        before={"checked_in_at": before}, after={"checked_in_at": None},
    )
    return registration, True
