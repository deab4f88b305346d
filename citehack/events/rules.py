"""Permissions on an event, as named predicates over (user, event)."""

import rules

from citehack.core.rules import is_event_staff, is_organiser, is_participant


@rules.predicate
def is_organisation_organiser(user, event):
    if event is None or not user.is_authenticated:
        return False
    return event.organisation.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_published(user, event):
    return event is not None and event.phase != "draft"


@rules.predicate
def is_superuser(user, event):
    return user.is_superuser


can_manage = is_organiser | is_organisation_organiser | is_superuser

rules.add_perm("events.view_event", is_published | can_manage | is_event_staff)
rules.add_perm("events.manage_event", can_manage)
rules.add_perm("events.view_participant_area", is_participant | can_manage)
