from django.contrib.auth.models import AnonymousUser

from citehack.core import audit
from citehack.core.models import AuditEntry
from tests.factories import EventFactory, UserFactory


def test_record_keeps_actor_object_and_states(db):
    event = EventFactory()
    actor = UserFactory()

    entry = audit.record(
        actor=actor, action="event.phase", obj=event, event=event,
        before={"phase": "registration"}, after={"phase": "challenge_vote"},
    )

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == actor
    assert entry.event == event
    assert entry.action == "event.phase"
    assert entry.object_type == "events.event"
    assert entry.object_id == str(event.pk)
    assert entry.before == {"phase": "registration"}
    assert entry.after == {"phase": "challenge_vote"}
    assert entry.created_at is not None


def test_record_by_the_system_or_an_anonymous_visitor_has_no_actor(db):
    first = audit.record(actor=None, action="system.cleanup")
    second = audit.record(actor=AnonymousUser(), action="audience.vote")

    assert (first.actor, first.object_type, first.object_id, first.event) == (None, "", "", None)
    assert second.actor is None


def test_entries_are_listed_newest_first(db):
    first = audit.record(actor=None, action="a")
    second = audit.record(actor=None, action="b")

    assert list(AuditEntry.objects.all()) == [second, first]
