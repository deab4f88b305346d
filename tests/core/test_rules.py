"""Roles are per event: a juror of one event is nobody in another."""

import pytest
from django.contrib.auth.models import AnonymousUser

from citehack.core.rules import is_event_staff, is_juror, is_mentor, is_organiser, is_participant
from citehack.events import services
from citehack.events.models import Role
from tests.factories import EventFactory, MembershipFactory, UserFactory

PREDICATES = {"organiser": is_organiser, "juror": is_juror, "mentor": is_mentor, "participant": is_participant}


def held(user, event):
    return {name for name, predicate in PREDICATES.items() if predicate(user, event)}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_a_role_holds_in_its_event_only(db, role):
    event, other = EventFactory(), EventFactory()
    user = MembershipFactory(event=event, role=role).user

    assert held(user, event) == {role}
    assert held(user, other) == set()
    assert is_event_staff(user, other) is False


def test_juror_of_one_event_is_nobody_in_another(db):
    event, other = EventFactory(), EventFactory()
    juror = MembershipFactory(event=event, role=Role.JUROR).user
    MembershipFactory(event=other, role=Role.ORGANISER)

    assert is_event_staff(juror, event) is True
    assert juror.has_perm("events.manage_event", event) is False
    assert juror.has_perm("events.manage_event", other) is False
    assert juror.has_perm("events.view_participant_area", other) is False


def test_a_person_may_hold_several_roles_in_one_event(db):
    event = EventFactory()
    user = MembershipFactory(event=event, role=Role.JUROR).user
    MembershipFactory(event=event, user=user, role=Role.MENTOR)

    assert held(user, event) == {"juror", "mentor"}
    assert is_event_staff(user, event) is True


def test_participants_are_not_event_staff(db):
    event = EventFactory()
    participant = MembershipFactory(event=event, role=Role.PARTICIPANT).user

    assert is_event_staff(participant, event) is False


def test_anonymous_and_missing_event_hold_no_role(db):
    event = EventFactory()
    user = UserFactory()

    assert held(AnonymousUser(), event) == set()
    assert is_event_staff(AnonymousUser(), event) is False
    assert held(user, None) == set()


def test_role_cache_is_dropped_when_a_role_is_given(db):
    event = EventFactory()
    organiser = MembershipFactory(event=event, role=Role.ORGANISER).user
    user = UserFactory()
    assert is_juror(user, event) is False

    services.add_member(actor=organiser, event=event, user=user, role=Role.JUROR)

    assert is_juror(user, event) is True


def test_organisation_organisers_manage_its_events_without_a_role(db):
    event, other = EventFactory(), EventFactory()
    user = UserFactory()
    event.organisation.organisers.add(user)

    assert user.has_perm("events.manage_event", event) is True
    assert user.has_perm("events.manage_event", other) is False
    assert is_organiser(user, event) is False
