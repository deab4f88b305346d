"""Registering, cancelling and promoting from the waiting list: the services that change how
many places are taken, each under the event-row lock."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citehack.accounts.services import get_or_create_user, language_for
from citehack.core import audit
from citehack.events.models import Phase

from ..models import AgeBand, ParticipantStatus, Registration, RegistrationState, Skill, Theme
from ..signals import registration_cancelled
from .capacity import _add_participant_role, _fill_free_places, _has_free_place, _lock_event, _remove_participant_role
from .mail import _mail_registration


class AlreadyRegistered(Exception):
    """The person already holds a registration that is not cancelled."""

    def __init__(self, registration):
        super().__init__(registration)
        self.registration = registration


def _clean_profile(profile):
    """Check the profile codes; raise ValidationError with a readable message."""
    errors = {}
    if profile.get("status") not in ParticipantStatus.values:
        errors["status"] = _("Choose a status from the list.")
    if profile.get("age_band") and profile["age_band"] not in AgeBand.values:
        errors["age_band"] = _("Choose an age band from the list.")
    unknown = [code for code in profile.get("skills", []) if code not in Skill.values]
    if unknown:
        errors["skills"] = _("Unknown skills: %(codes)s.") % {"codes": ", ".join(unknown)}
    unknown = [code for code in profile.get("themes", []) if code not in Theme.values]
    if unknown:
        errors["themes"] = _("Unknown themes: %(codes)s.") % {"codes": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_participant(
    *, event, email, name, status=ParticipantStatus.OTHER, phone="", skills=(), neighbourhood="",
    age_band="", accessibility_needs="", themes=(), consent_at=None, consent_version=None,
    source="form", actor=None, request=None, notify=True,
):
    """Register a person: confirmed while places are free, else on the waiting list.

    A cancelled registration of the same person is re-activated (and queued anew); a live
    one raises AlreadyRegistered. The confirmation mail, with the personal link, goes out
    after commit.
    """
    profile = {
        "phone": phone.strip(), "status": status, "skills": list(dict.fromkeys(skills)),
        "neighbourhood": neighbourhood.strip(), "age_band": age_band or "",
        "accessibility_needs": accessibility_needs.strip(), "themes": list(dict.fromkeys(themes)),
    }
    _clean_profile(profile)
    event = _lock_event(event.pk)
    if source == "form" and not event.registration_open:
        raise ValidationError(_("Registration is not open for this event."))
    user = get_or_create_user(email=email, name=name)
    if source == "form" and not user.language:
        # The language of the form they filled in: the one to write to them in later.
        user.language = translation.get_language() or settings.LANGUAGE_CODE
        user.save(update_fields=["language"])
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration is not None and registration.state != RegistrationState.CANCELLED:
        raise AlreadyRegistered(registration)
    before = None if registration is None else {"state": registration.state}

    # People already waiting come first: fill any place freed by a capacity raise.
    _fill_free_places(actor=actor, event=event, request=request)
    now = timezone.now()
    # After the fill, a free place means nobody is waiting: the newcomer jumps no queue.
    has_place = _has_free_place(event)
    if registration is None:
        registration = Registration(event=event, user=user)
    for field, value in profile.items():
        setattr(registration, field, value)
    registration.state = RegistrationState.CONFIRMED if has_place else RegistrationState.WAITLISTED
    registration.waitlisted_at = None if has_place else now
    registration.promoted_at = None
    registration.cancelled_at = None
    registration.checked_in_at = None
    registration.consent_at = consent_at or now
    registration.consent_version = consent_version or settings.PRIVACY_NOTICE_VERSION
    registration.source = source
    registration.full_clean(exclude=["event", "user"], validate_unique=False, validate_constraints=False)
    registration.save()
    if has_place:
        _add_participant_role(registration)
    audit.record(
        actor=actor, action="registration.create" if before is None else "registration.reactivate",
        obj=registration, event=event, before=before,
        after={"state": registration.state, "source": source},
    )
    if notify:
        _mail_registration(registration, kind="confirmed" if has_place else "waitlisted", event=event, request=request,
                           language=None if source == "form" else language_for(user))
    return registration


@transaction.atomic
def send_registration_reminder(*, actor, registration, request=None):
    """Mail the person their personal link again (someone tried to register them twice)."""
    _mail_registration(registration, kind="reminder", event=registration.event, request=request)


def can_cancel_own(registration):
    """Participants may cancel until the day starts; after that, the organisers do it."""
    return registration.state != RegistrationState.CANCELLED and not registration.event.phase_at_least(Phase.LIVE)


@transaction.atomic
def cancel_registration(*, actor, registration, request=None):
    """Cancel a registration; a freed place goes at once to the earliest person waiting.

    Returns the people promoted. Cancelling twice changes nothing.
    """
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if registration.state == RegistrationState.CANCELLED:
        return []
    before = registration.state
    registration.state = RegistrationState.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.checked_in_at = None
    registration.save(update_fields=["state", "cancelled_at", "checked_in_at", "updated_at"])
    _remove_participant_role(registration)
    registration.workshop_signups.all().delete()
    audit.record(
        actor=actor, action="registration.cancel", obj=registration, event=event,
        before={"state": before}, after={"state": RegistrationState.CANCELLED},
    )
    registration_cancelled.send(sender=Registration, registration=registration, event=event, actor=actor)
    if before != RegistrationState.CONFIRMED:
        return []
    return _fill_free_places(actor=actor, event=event, request=request)


@transaction.atomic
def promote_waiting(*, actor, event, request=None):
    """Fill the free places from the waiting list, in order; return the people promoted.

    events.services.update_event calls this after a capacity change (a raise frees places).
    """
    event = _lock_event(event.pk)
    return _fill_free_places(actor=actor, event=event, request=request)
