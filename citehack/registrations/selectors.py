"""Reads on registrations used by several pages."""

from django.db.models import Count, Q

from .models import RegistrationState

SEARCH_LIMIT = 30


def registration_counts(event):
    """Counts for the organiser's overview, in one query."""
    counts = event.registrations.aggregate(
        confirmed=Count("id", filter=Q(state="confirmed")),
        waitlisted=Count("id", filter=Q(state="waitlisted")),
        cancelled=Count("id", filter=Q(state="cancelled")),
        checked_in=Count("id", filter=Q(state="confirmed", checked_in_at__isnull=False)),
    )
    counts["capacity"] = event.capacity
    counts["free"] = None if event.capacity is None else max(event.capacity - counts["confirmed"], 0)
    return counts


def _matching(queryset, query):
    for word in query.split():
        queryset = queryset.filter(Q(user__name__icontains=word) | Q(user__email__icontains=word))
    return queryset


def registrations_for_manager(event, *, query="", state=""):
    """The organiser's table: every registration with its person, filtered."""
    registrations = event.registrations.select_related("user").order_by("user__name", "id")
    if state in RegistrationState.values:
        registrations = registrations.filter(state=state)
    return _matching(registrations, query)


def checkin_search(event, query, *, limit=SEARCH_LIMIT):
    """People who may arrive (not cancelled) whose name or e-mail matches; at most `limit`."""
    if not query:
        return []
    registrations = event.registrations.exclude(state=RegistrationState.CANCELLED).select_related("user")
    return list(_matching(registrations, query).order_by("user__name", "id")[:limit])
