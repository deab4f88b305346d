"""Writing the checked rows of a CSV import (csv_import.py reads and checks the file)."""

from django.conf import settings
from django.db import transaction

from citehack.core import audit

from .capacity import _lock_event
from .registration import AlreadyRegistered, register_participant


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
