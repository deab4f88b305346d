"""Every write on registrations, the waiting list, check-in and workshop sign-ups.

Capacity is guarded the pretix way: lock the event row, count, then write, all in one
transaction. Every service that can change how many places are taken (registering,
cancelling, promoting) takes that lock first, so two of them never decide on the same count.
Mail goes out only after the transaction commits.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citehack.accounts.services import get_or_create_user, send_sign_in_link
from citehack.core import audit
from citehack.core.rules import forget_roles
from citehack.events.models import Event, Membership, Phase, ProgrammeItem, Role

from .models import AgeBand, ParticipantStatus, Registration, RegistrationState, Skill, Theme, WorkshopSignup


class Busy(Exception):
    """The event row stayed locked longer than the lock timeout: ask the person to retry."""


class AlreadyRegistered(Exception):
    """The person already holds a registration that is not cancelled."""

    def __init__(self, registration):
        super().__init__(registration)
        self.registration = registration


class WorkshopFull(ValidationError):
    pass


# Locking and counting ------------------------------------------------------------------------


def _lock_event(event_pk):
    """Lock the event row until the transaction ends and return a fresh copy.

    On PostgreSQL the lock waits at most `lock_timeout` (settings) and then fails fast; on
    SQLite, IMMEDIATE transactions already serialise writers and the lock is a no-op.
    """
    try:
        return Event.objects.select_for_update().get(pk=event_pk)
    except OperationalError as error:
        raise Busy from error


def _confirmed_count(event):
    return event.registrations.filter(state=RegistrationState.CONFIRMED).count()


def _has_free_place(event):
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _waiting_queue(event):
    return event.registrations.filter(state=RegistrationState.WAITLISTED).order_by("waitlisted_at", "id")


def _fill_free_places(*, actor, event, request=None):
    """Promote the earliest waiting people into the free places; return the promoted ones.

    The caller holds the event lock.
    """
    if event.capacity is None:
        waiting = list(_waiting_queue(event).select_related("user"))
    else:
        free = event.capacity - _confirmed_count(event)
        if free <= 0:
            return []
        waiting = list(_waiting_queue(event).select_related("user")[:free])
    now = timezone.now()
    for registration in waiting:
        registration.state = RegistrationState.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["state", "promoted_at", "updated_at"])
        _add_participant_role(registration)
        audit.record(
            actor=actor, action="registration.promote", obj=registration, event=event,
            before={"state": RegistrationState.WAITLISTED}, after={"state": RegistrationState.CONFIRMED},
        )
        _mail_registration(registration, kind="promoted", event=event, request=request)
    return waiting


def _add_participant_role(registration):
    Membership.objects.get_or_create(event_id=registration.event_id, user=registration.user, role=Role.PARTICIPANT)
    forget_roles(registration.user)


def _remove_participant_role(registration):
    Membership.objects.filter(event_id=registration.event_id, user=registration.user, role=Role.PARTICIPANT).delete()
    forget_roles(registration.user)


# Mail -----------------------------------------------------------------------------------------


def _mail_registration(registration, *, kind, event, request=None):
    """Send the person their personal link, with words that say where they stand."""
    user = registration.user
    with translation.override(user.language or translation.get_language()):
        names = {"event": event.title}
        if kind == "confirmed":
            subject = _("Your place at %(event)s is confirmed") % names
            intro = _("Your registration for %(event)s is confirmed: a place is kept for you.") % names
        elif kind == "waitlisted":
            subject = _("You are on the waiting list for %(event)s") % names
            intro = _(
                "%(event)s is full for now: you are on the waiting list, in position %(position)d. "
                "If a place becomes free, it is yours and we will tell you by e-mail."
            ) % {**names, "position": waitlist_position(registration)}
        elif kind == "promoted":
            subject = _("A place is free for you at %(event)s") % names
            intro = _("Good news: a place became free at %(event)s. Your registration is now confirmed.") % names
        else:  # "reminder"
            subject = _("Your registration for %(event)s") % names
            intro = _(
                "Someone (probably you) tried to register again for %(event)s with this address. "
                "You are already registered: your state is “%(state)s”. Use the link below to see your registration."
            ) % {**names, "state": registration.get_state_display()}
        intro = "\n\n".join([intro, _("%(event)s: %(date)s.") % {**names, "date": _event_date(event)}])
    send_sign_in_link(
        user=user,
        request=request,
        next_url=reverse("registrations:mine", kwargs={"slug": event.slug}),
        subject=subject,
        intro=intro,
    )


def _event_date(event):
    starts = timezone.localtime(event.starts_at)
    place = f", {event.venue}" if event.venue else ""
    return f"{date_format(starts, 'DATE_FORMAT')} {date_format(starts, 'TIME_FORMAT')}{place}"


def waitlist_position(registration):
    """1 for the first person waiting; None when the registration is not waiting."""
    if registration.state != RegistrationState.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, state=RegistrationState.WAITLISTED).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at) | Q(waitlisted_at=registration.waitlisted_at, id__lt=registration.id)
    )
    return ahead.count() + 1


# Registration ---------------------------------------------------------------------------------


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
        _mail_registration(registration, kind="confirmed" if has_place else "waitlisted", event=event, request=request)
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


# Check-in -------------------------------------------------------------------------------------


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


# Workshops ------------------------------------------------------------------------------------


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


# Import ---------------------------------------------------------------------------------------


@transaction.atomic
def import_registrations(*, actor, event, rows, notify=True, request=None):
    """Register the checked rows of a CSV import (csv_import.ImportRow), all in one transaction.

    Each row goes through register_participant, so capacity and the waiting list apply in the
    file's order. The organiser confirmed that consent was collected: the registrations record
    it as "import:<notice version>". Returns {"confirmed": [...], "waitlisted": [...],
    "already_registered": [line numbers]}.
    """
    _lock_event(event.pk)
    summary = {"confirmed": [], "waitlisted": [], "already_registered": []}
    consent_version = f"import:{settings.PRIVACY_NOTICE_VERSION}"
    for row in rows:
        try:
            registration = register_participant(
                event=event, **row.profile, consent_version=consent_version, source="import",
                actor=actor, request=request, notify=notify,
            )
        except AlreadyRegistered:
            summary["already_registered"].append(row.line)
            continue
        summary[registration.state].append(registration)
    audit.record(
        actor=actor, action="registration.import", event=event,
        after={
            "confirmed": len(summary["confirmed"]), "waitlisted": len(summary["waitlisted"]),
            "already_registered": len(summary["already_registered"]),
        },
    )
    return summary
