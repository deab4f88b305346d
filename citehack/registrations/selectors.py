"""Reads on registrations used by several pages."""

from django.db.models import Count, Q


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
