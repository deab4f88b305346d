"""Capacity under concurrency, on PostgreSQL: cancellations and registrations fired at once.

The scenario: 3 places, 3 confirmed, 2 waiting; then 2 cancellations and 3 new
registrations from 5 threads released together by a barrier (the registrations land within
a tenth of a second, as a burst of requests does). A short sleep after every capacity count
widens the window between check and write. With the event-row lock the outcome is always the
same; the negative control removes the lock and must see the event go over capacity, which
proves the test can see the race at all.
"""

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from citehack.events.models import Event, Membership, Role
from citehack.registrations import services
from citehack.registrations.models import Registration, RegistrationState
from citehack.registrations.services import capacity
from citehack.registrations.services import registration as registration_services
from tests.factories import EventFactory, WorkshopFactory
from tests.race import fire_at_once

from .conftest import confirmed_registration, waitlisted_registration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CAPACITY = 3
ROUNDS = 10
# Without the lock about four rounds in ten overfill; 30 rounds make missing it vanishingly rare.
NEGATIVE_ROUNDS = 30
WINDOW = 0.05  # seconds slept after each capacity count, before the write it decides
ARRIVAL = 0.1  # the registrations arrive within this many seconds of the barrier


@pytest.fixture
def widened_window(monkeypatch):
    # Patched in the module that calls it (_has_free_place, _fill_free_places), not the package.
    count = capacity._confirmed_count

    def slow_count(event):
        n = count(event)
        time.sleep(WINDOW)
        return n

    monkeypatch.setattr(capacity, "_confirmed_count", slow_count)


@pytest.fixture
def no_lock(monkeypatch):
    # register_participant and cancel_registration look the lock up in their own module.
    monkeypatch.setattr(registration_services, "_lock_event", lambda pk: Event.objects.get(pk=pk))


def set_up_full_event():
    event = EventFactory(capacity=CAPACITY)
    confirmed = [confirmed_registration(event) for _ in range(CAPACITY)]
    start = timezone.now() - timedelta(hours=1)
    waiting = [waitlisted_registration(event, waitlisted_at=start + timedelta(minutes=n)) for n in range(2)]
    return event, confirmed, waiting


def cancel_and_register_at_once(event, leaving, round_number):
    """Run two cancellations and three registrations in five threads; return their errors."""
    arrival = random.Random(round_number)

    def cancel(registration):
        return lambda: services.cancel_registration(actor=None, registration=registration)

    def register(n):
        return lambda: services.register_participant(
            event=event, email=f"new-{round_number}-{n}@example.org", name=f"New {n}", status="resident",
        )

    return fire_at_once([
        (cancel(leaving[0]), 0), (register(0), arrival.uniform(0, ARRIVAL)), (cancel(leaving[1]), 0),
        (register(1), arrival.uniform(0, ARRIVAL)), (register(2), arrival.uniform(0, ARRIVAL)),
    ])[1]


def confirmed_count(event):
    return Registration.objects.filter(event=event, state=RegistrationState.CONFIRMED).count()


def queue_key(registration):
    return (registration.waitlisted_at, registration.pk)


def test_capacity_holds_when_cancellations_and_registrations_race(widened_window):
    for round_number in range(ROUNDS):
        event, confirmed, waiting = set_up_full_event()
        errors = cancel_and_register_at_once(event, confirmed[:2], round_number)
        assert errors == []

        registrations = list(Registration.objects.filter(event=event).select_related("user"))
        by_state = {state: [r for r in registrations if r.state == state] for state in RegistrationState.values}
        active = len(by_state["confirmed"]) + len(by_state["waitlisted"])
        assert len(by_state["confirmed"]) <= CAPACITY
        assert len(by_state["confirmed"]) == min(CAPACITY, active)
        # The freed places went to the two people waiting, never to a newcomer.
        assert {r.pk for r in by_state["confirmed"]} == {confirmed[2].pk, *(w.pk for w in waiting)}
        assert {r.pk for r in by_state["cancelled"]} == {confirmed[0].pk, confirmed[1].pk}
        assert len(by_state["waitlisted"]) == 3
        promoted = [r for r in by_state["confirmed"] if r.promoted_at is not None]
        assert max(map(queue_key, promoted)) < min(map(queue_key, by_state["waitlisted"]))
        # Roles follow the states.
        participants = set(
            Membership.objects.filter(event=event, role=Role.PARTICIPANT).values_list("user_id", flat=True)
        )
        assert participants == {r.user_id for r in by_state["confirmed"]}


def test_negative_control_without_the_lock_the_race_goes_over_capacity(widened_window, no_lock):
    """Proves the test above can see the race: without the lock, the event overfills."""
    worst = 0
    for round_number in range(NEGATIVE_ROUNDS):
        event, confirmed, _waiting = set_up_full_event()
        cancel_and_register_at_once(event, confirmed[:2], round_number)
        worst = max(worst, confirmed_count(event))
        if worst > CAPACITY:
            break
    assert worst > CAPACITY, "the race was never seen: the test cannot tell a lock from none"


def test_the_last_workshop_place_goes_to_one_person_only():
    for _round in range(5):
        event = EventFactory()
        workshop = WorkshopFactory(event=event, capacity=1)
        people = [confirmed_registration(event) for _ in range(4)]
        barrier = threading.Barrier(len(people))
        outcomes = []

        def sign_up(registration):
            try:
                barrier.wait(timeout=10)
                services.sign_up_workshop(actor=None, registration=registration, item=workshop)
                outcomes.append("signed up")
            except services.WorkshopFull:
                outcomes.append("full")
            except Exception as error:  # shown by the assertion below
                outcomes.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=sign_up, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["full", "full", "full", "signed up"]
        assert workshop.signups.count() == 1
