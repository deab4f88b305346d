"""Creating and editing an event."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.events.models import Event, Membership, Organisation, Phase, Role
from tests.factories import EventFactory, OrganisationFactory

from .helpers import database_state, fr

PARIS = ZoneInfo("Europe/Paris")


def new_event(**overrides):
    data = {
        "organisation": "", "new_organisation": "", "title": "Journée de Saint-Quentin", "slug": "saint-quentin",
        "tagline": "", "description": "", "starts_at": "2031-10-08T09:00", "ends_at": "2031-10-08T18:00",
        "venue": "Maison des associations", "address": "", "label": "", "capacity": "80", "contact_email": "",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def create(client, **overrides):
    return client.post(reverse("events:create"), new_event(**overrides))


def test_organiser_creates_an_event_with_a_new_organisation(organiser_client, organiser):
    response = create(organiser_client, new_organisation="Cités Lab Hauts-de-France")

    event = Event.objects.get(slug="saint-quentin")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=["saint-quentin"])
    assert event.phase == Phase.DRAFT
    assert event.starts_at == datetime(2031, 10, 8, 9, tzinfo=PARIS)
    assert event.capacity == 80
    assert event.organisation.name == "Cités Lab Hauts-de-France"
    assert event.organisation.slug == "cites-lab-hauts-de-france"
    assert list(event.organisation.organisers.all()) == [organiser]
    assert [(m.user, m.role) for m in Membership.objects.filter(event=event)] == [(organiser, Role.ORGANISER)]
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["event.create", "organisation.create"]


def test_a_new_organisation_gets_a_free_short_name(organiser_client):
    OrganisationFactory(name="Cités Lab", slug="cites-lab")

    create(organiser_client, new_organisation="Cités Lab")

    assert Event.objects.get(slug="saint-quentin").organisation.slug == "cites-lab-2"


def test_organiser_creates_an_event_in_their_organisation(client, user):
    organisation = OrganisationFactory()
    organisation.organisers.add(user)
    client.force_login(user)

    create(client, organisation=organisation.pk)

    event = Event.objects.get(slug="saint-quentin")
    assert event.organisation == organisation
    assert Organisation.objects.count() == 1
    assert event.memberships.get().user == user


def test_an_organisation_one_does_not_organise_cannot_be_chosen(organiser_client, event):
    foreign = OrganisationFactory()
    before = database_state()

    response = create(organiser_client, organisation=foreign.pk)

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert database_state() == before


def test_the_organisation_of_an_event_one_organises_can_be_chosen(organiser_client, event):
    response = create(organiser_client, organisation=event.organisation.pk, new_organisation="")

    assert response.status_code == 302
    assert event.organisation.events.count() == 2


def test_end_before_start_is_refused_and_nothing_is_created(organiser_client):
    before = database_state()

    response = create(organiser_client, new_organisation="Nouvelle", ends_at="2031-10-08T08:00")

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == [fr("The end must come after the start.")]
    assert database_state() == before


def test_an_organisation_is_required(organiser_client):
    before = database_state()

    response = create(organiser_client)

    assert response.context["form"].errors["organisation"] == [fr("Choose an organisation or name a new one.")]
    assert database_state() == before


def test_short_name_already_used_is_refused(organiser_client, event):
    before = database_state()

    response = create(organiser_client, new_organisation="Nouvelle", slug=event.slug)

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert database_state() == before


def test_organiser_edits_the_event_and_it_is_recorded(organiser_client, organiser, event):
    title_before, slug_before = event.title, event.slug
    data = new_event(title="Nouveau titre", slug="nouveau", capacity="")
    del data["organisation"], data["new_organisation"]

    response = organiser_client.post(reverse("events:edit", args=[event.slug]), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=["nouveau"])
    event.refresh_from_db()
    assert (event.title, event.slug, event.capacity, event.phase) == ("Nouveau titre", "nouveau", None, Phase.REGISTRATION)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("event.update", organiser)
    assert (entry.before["title"], entry.after["title"]) == (title_before, "Nouveau titre")
    assert (entry.before["slug"], entry.after["slug"]) == (slug_before, "nouveau")


def test_edit_refuses_an_end_before_the_start(organiser_client, event):
    before = database_state()
    data = new_event(ends_at="2031-10-07T18:00", slug=event.slug)

    response = organiser_client.post(reverse("events:edit", args=[event.slug]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == [fr("The end must come after the start.")]
    assert database_state() == before


def test_edit_refuses_another_events_short_name(organiser_client, event):
    other = EventFactory()
    before = database_state()

    response = organiser_client.post(reverse("events:edit", args=[event.slug]), new_event(slug=other.slug))

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert database_state() == before


@pytest.mark.parametrize("field", ["title", "slug", "starts_at", "ends_at"])
def test_required_fields(organiser_client, field):
    before = database_state()

    response = create(organiser_client, new_organisation="Nouvelle", **{field: ""})

    assert field in response.context["form"].errors
    assert database_state() == before


def test_raising_the_capacity_promotes_the_waiting_list_in_order(organiser, event, django_capture_on_commit_callbacks):
    from citehack.events.services import update_event
    from tests.factories import RegistrationFactory, WaitlistedRegistrationFactory

    event.capacity = 1
    event.save()
    RegistrationFactory(event=event)
    first = WaitlistedRegistrationFactory(event=event)
    second = WaitlistedRegistrationFactory(event=event)
    third = WaitlistedRegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        update_event(actor=organiser, event=event, capacity=3)
    states = {r.pk: r.state for r in event.registrations.all()}
    assert states[first.pk] == "confirmed"
    assert states[second.pk] == "confirmed"
    assert states[third.pk] == "waitlisted"
