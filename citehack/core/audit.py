"""The audit log: called by services inside their transaction."""

from .models import AuditEntry


def record(*, actor, action, obj=None, event=None, before=None, after=None):
    """Write one audit row; `actor` may be None for the system itself."""
    return AuditEntry.objects.create(
        event=event,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=before,
        after=after,
    )
