"""Permissions on registrations, as named predicates.

Event-level perms take (user, event); registration-level perms take (user, registration).
A participant only ever reaches their own registration: the participant pages look it up by
the signed-in person, and the perms below check it again.
"""

import rules

from citehack.events.models import Phase
from citehack.events.rules import can_manage


@rules.predicate
def is_own_registration(user, registration):
    return registration is not None and user.is_authenticated and registration.user_id == user.pk


@rules.predicate
def manages_registration_event(user, registration):
    return registration is not None and can_manage(user, registration.event)


@rules.predicate
def is_before_the_day(user, registration):
    return registration is not None and not registration.event.phase_at_least(Phase.LIVE)


@rules.predicate
def is_not_cancelled(user, registration):
    return registration is not None and registration.state != "cancelled"


@rules.predicate
def is_confirmed(user, registration):
    return registration is not None and registration.state == "confirmed"


# On the event: the organiser's pages (list, export, import) and the check-in desk.
rules.add_perm("registrations.manage", can_manage)
rules.add_perm("registrations.check_in", can_manage)

# On one registration.
rules.add_perm("registrations.view_registration", is_own_registration | manages_registration_event)
rules.add_perm("registrations.cancel_own_registration", is_own_registration & is_not_cancelled & is_before_the_day)
rules.add_perm("registrations.view_badge", (is_own_registration & is_confirmed) | manages_registration_event)
rules.add_perm("registrations.sign_up_workshop", is_own_registration & is_confirmed)
