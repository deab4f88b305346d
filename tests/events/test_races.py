"""Concurrent writes (PostgreSQL only: SQLite serialises every writer anyway)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from citehack.core import audit
from citehack.events import services
from citehack.events.models import Membership, Role
from tests.factories import EventFactory, MembershipFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisers_removing_each_other_leave_one(monkeypatch):
    event = EventFactory()
    first = MembershipFactory(event=event, role=Role.ORGANISER)
    second = MembershipFactory(event=event, role=Role.ORGANISER)
    # Hold each remover between its check and its write until the other has checked too:
    # without a lock both pass the check (the barrier releases them together); with the lock
    # the second waits for the first to commit and the barrier times out.
    barrier = threading.Barrier(2, timeout=1)
    record = audit.record

    def record_after_both_checked(**kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return record(**kwargs)

    monkeypatch.setattr(audit, "record", record_after_both_checked)
    outcomes = []

    def remove(actor, membership):
        try:
            services.remove_member(actor=actor, membership=membership)
            outcomes.append("removed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=remove, args=(first.user, second)),
        threading.Thread(target=remove, args=(second.user, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(event=event, role=Role.ORGANISER).count() == 1
