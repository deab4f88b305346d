"""Reads used in more than one place."""

from django.db.models import Count, Q
from django.utils import timezone

from .models import Event, Membership


def events_for_user(user):
    """The person's roles, grouped per event, most recent event first."""
    memberships = (
        Membership.objects.filter(user=user).select_related("event", "event__organisation").order_by("-event__starts_at", "role")
    )
    grouped = {}
    for membership in memberships:
        grouped.setdefault(membership.event, []).append(membership)
    return list(grouped.items())


def managed_events(user):
    if user.is_superuser:
        return Event.objects.select_related("organisation")
    return (
        Event.objects.filter(
            Q(memberships__user=user, memberships__role="organiser") | Q(organisation__organisers=user)
        )
        .select_related("organisation")
        .distinct()
    )


def programme_with_counts(event):
    # Meta.ordering does not apply to a GROUP BY query: order by time explicitly.
    return event.programme.annotate(signup_count=Count("signups")).order_by("starts_at", "ends_at", "id")


def now_and_next(event, *, at=None):
    """Return (items happening at `at`, the next item to start after `at`)."""
    at = at or timezone.now()
    items = list(event.programme.all())
    now = [item for item in items if item.starts_at <= at < item.ends_at]
    upcoming = [item for item in items if item.starts_at > at]
    return now, (upcoming[0] if upcoming else None)


def can_create_events(user):
    """Staff, an organisation's organisers and any event's organiser may create events."""
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or user.organisations.exists()
        or Membership.objects.filter(user=user, role="organiser").exists()
    )
