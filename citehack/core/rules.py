"""Role predicates shared by every app: roles are per event, held as explicit memberships.

Each predicate takes (user, event). A juror of one event is nobody in another.
"""

import rules


def _roles(user, event):
    if event is None or not user.is_authenticated:
        return frozenset()
    cache = getattr(user, "_citehack_roles", None)
    if cache is None:
        cache = user._citehack_roles = {}
    if event.pk not in cache:
        cache[event.pk] = frozenset(
            event.memberships.filter(user=user).values_list("role", flat=True)
        )
    return cache[event.pk]


def has_role(role):
    @rules.predicate(name=f"is_{role}")
    def predicate(user, event):
        return role in _roles(user, event)

    return predicate


is_organiser = has_role("organiser")
is_juror = has_role("juror")
is_mentor = has_role("mentor")
is_participant = has_role("participant")


@rules.predicate
def is_event_staff(user, event):
    return bool(_roles(user, event) & {"organiser", "juror", "mentor"})


def forget_roles(user):
    """Drop the per-request role cache after a membership change."""
    if hasattr(user, "_citehack_roles"):
        del user._citehack_roles
