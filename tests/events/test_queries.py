"""List pages: the number of queries does not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citehack.core import audit
from citehack.events.models import ItemKind, Role
from citehack.registrations.models import WorkshopSignup
from tests.factories import MembershipFactory, ProgrammeItemFactory, RegistrationFactory, UserFactory


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def grows(client, path, add_rows):
    """Return the query counts with 3 rows and with 30."""
    add_rows(3)
    client.get(path)  # warm caches that a first request fills
    small = count_queries(client, path)
    add_rows(27)
    large = count_queries(client, path)
    return small, large


def add_items(event):
    def add(n):
        for _ in range(n):
            item = ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, capacity=10, speakers="Léa", room="Salle")
            WorkshopSignup.objects.create(item=item, registration=RegistrationFactory(event=event))
    return add


def test_dashboard(client, organiser):
    client.force_login(organiser)

    def add(n):
        for _ in range(n):
            MembershipFactory(user=organiser, role=Role.ORGANISER)

    small, large = grows(client, reverse("events:dashboard"), add)

    assert small == large


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_programme(client, event, signed_in):
    if signed_in:
        registration = RegistrationFactory(event=event)
        client.force_login(registration.user)

    small, large = grows(client, reverse("events:programme", args=[event.slug]), add_items(event))

    assert small == large


def test_programme_ics(client, event):
    small, large = grows(client, reverse("events:programme_ics", args=[event.slug]), add_items(event))

    assert small == large


def test_manage_programme(organiser_client, event):
    small, large = grows(organiser_client, reverse("events:programme_manage", args=[event.slug]), add_items(event))

    assert small == large


def test_roles(organiser_client, event):
    def add(n):
        for i in range(n):
            MembershipFactory(event=event, role=[Role.JUROR, Role.MENTOR, Role.ORGANISER][i % 3])

    small, large = grows(organiser_client, reverse("events:roles", args=[event.slug]), add)

    assert small == large


def test_audit_log(organiser_client, event):
    def add(n):
        for _ in range(n):
            audit.record(actor=UserFactory(), action="event.update", obj=event, event=event, before={"a": 1}, after={"a": 2})

    small, large = grows(organiser_client, reverse("events:audit", args=[event.slug]), add)

    assert small == large


def test_overview_with_its_latest_changes(organiser_client, event):
    def add(n):
        for _ in range(n):
            audit.record(actor=UserFactory(), action="event.update", obj=event, event=event)

    small, large = grows(organiser_client, reverse("events:manage", args=[event.slug]), add)

    assert small == large


def test_item_sign_ups(organiser_client, event):
    item = ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, capacity=40)

    def add(n):
        for _ in range(n):
            WorkshopSignup.objects.create(item=item, registration=RegistrationFactory(event=event))

    small, large = grows(organiser_client, reverse("events:item_signups", args=[event.slug, item.pk]), add)

    assert small == large

