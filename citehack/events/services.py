"""Every write on events, programme and roles; each runs in one transaction with its audit row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.core.rules import forget_roles

from .models import Event, Membership, Organisation, Phase, ProgrammeItem, Role

EVENT_FIELDS = [
    "title", "slug", "tagline", "description", "starts_at", "ends_at", "venue", "address", "label",
    "capacity", "contact_email", "is_public",
]
ITEM_FIELDS = ["kind", "title", "description", "starts_at", "ends_at", "room", "speakers", "capacity"]


def _snapshot(obj, fields):
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@transaction.atomic
def create_organisation(*, actor, name, slug):
    organisation = Organisation.objects.create(name=name, slug=slug)
    organisation.organisers.add(actor)
    audit.record(actor=actor, action="organisation.create", obj=organisation, after={"name": name, "slug": slug})
    return organisation


@transaction.atomic
def create_event(*, actor, organisation, **fields):
    """Create an event in draft; its creator becomes its organiser."""
    event = Event(organisation=organisation, phase=Phase.DRAFT, **fields)
    event.full_clean()
    event.save()
    Membership.objects.create(event=event, user=actor, role=Role.ORGANISER)
    audit.record(actor=actor, action="event.create", obj=event, event=event, after=_snapshot(event, EVENT_FIELDS))
    return event


@transaction.atomic
def update_event(*, actor, event, **fields):
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = _snapshot(event, EVENT_FIELDS)
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    event.save()
    audit.record(actor=actor, action="event.update", obj=event, event=event, before=before, after=_snapshot(event, EVENT_FIELDS))
    # More places (or no limit any more): the waiting list moves up, in order.
    from citehack.registrations.services import promote_waiting

    promote_waiting(actor=actor, event=event)
    return event


def check_phase_move(event, target):
    """Return an error message when moving `event` to `target` is not allowed, else None."""
    if target not in Phase.values:
        return _("This phase does not exist.")
    if target == event.phase:
        return _("The event is already in this phase.")
    return None


@transaction.atomic
def move_phase(*, actor, event, target):
    """Move the event to `target` (forward or back); the audit row keeps before and after.

    Moving more than one step is allowed (an organiser may skip the challenge vote), and
    stepping back is allowed too: both are recorded.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    error = check_phase_move(event, target)
    if error:
        raise ValidationError(error)
    before = event.phase
    event.phase = target
    event.save(update_fields=["phase", "updated_at"])
    audit.record(
        actor=actor, action="event.phase", obj=event, event=event,
        before={"phase": before}, after={"phase": target},
    )
    return event


def next_phase(phase):
    index = Phase.order(phase)
    return Phase.values[index + 1] if index + 1 < len(Phase.values) else None


def previous_phase(phase):
    index = Phase.order(phase)
    return Phase.values[index - 1] if index > 0 else None


@transaction.atomic
def add_member(*, actor, event, user, role):
    """Give `user` a role in `event`; giving it twice changes nothing."""
    membership, created = Membership.objects.get_or_create(event=event, user=user, role=role)
    if created:
        audit.record(actor=actor, action="membership.add", obj=membership, event=event, after={"user": user.email, "role": role})
    forget_roles(user)
    return membership, created


@transaction.atomic
def remove_member(*, actor, membership):
    """Take a role away; the last organiser of an event stays."""
    # Lock the event so that two organisers removing each other cannot both pass the check.
    event = Event.objects.select_for_update().get(pk=membership.event_id)
    if membership.role == Role.ORGANISER and event.memberships.filter(role=Role.ORGANISER).count() == 1:
        raise ValidationError(_("An event needs at least one organiser."))
    audit.record(
        actor=actor, action="membership.remove", obj=membership, event=event,
        before={"user": membership.user.email, "role": membership.role},
    )
    forget_roles(membership.user)
    membership.delete()


@transaction.atomic
def add_partner(*, actor, event, **fields):
    partner = event.partners.create(**fields)
    audit.record(actor=actor, action="partner.add", obj=partner, event=event, after={"name": partner.name})
    return partner


@transaction.atomic
def remove_partner(*, actor, partner):
    audit.record(actor=actor, action="partner.remove", obj=partner, event=partner.event, before={"name": partner.name})
    if partner.logo:
        partner.logo.delete(save=False)
    partner.delete()


@transaction.atomic
def create_item(*, actor, event, **fields):
    item = ProgrammeItem(event=event, **fields)
    item.full_clean()
    item.save()
    audit.record(actor=actor, action="programme.create", obj=item, event=event, after=_snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def update_item(*, actor, item, **fields):
    item = ProgrammeItem.objects.select_for_update().get(pk=item.pk)
    before = _snapshot(item, ITEM_FIELDS)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    if item.capacity is not None and item.signups.count() > item.capacity:
        raise ValidationError(
            _("%(count)d people have already signed up: the capacity cannot be lower.") % {"count": item.signups.count()}
        )
    item.save()
    audit.record(actor=actor, action="programme.update", obj=item, event=item.event, before=before, after=_snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def delete_item(*, actor, item):
    audit.record(actor=actor, action="programme.delete", obj=item, event=item.event, before=_snapshot(item, ITEM_FIELDS))
    item.delete()


@transaction.atomic
def clone_event(*, actor, source, title, slug, starts_at):
    """Copy an event as a template: description, capacity, programme shifted to the new date.

    Nothing personal is copied (no registrations, no roles but the actor's).
    """
    shift = starts_at - source.starts_at
    fields = _snapshot(source, EVENT_FIELDS)
    fields.update(title=title, slug=slug, starts_at=starts_at, ends_at=source.ends_at + shift)
    event = create_event(actor=actor, organisation=source.organisation, **fields)
    for item in source.programme.all():
        ProgrammeItem.objects.create(
            event=event, kind=item.kind, title=item.title, description=item.description,
            starts_at=item.starts_at + shift, ends_at=item.ends_at + shift, room=item.room,
            speakers=item.speakers, capacity=item.capacity,
        )
    for partner in source.partners.all():
        event.partners.create(name=partner.name, url=partner.url, logo=partner.logo, order=partner.order)
    audit.record(actor=actor, action="event.clone", obj=event, event=event, before={"source": source.slug})
    return event
