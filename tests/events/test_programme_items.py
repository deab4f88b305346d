from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from citehack.core.models import AuditEntry
from citehack.events import services
from citehack.events.models import ItemKind, ProgrammeItem
from citehack.registrations.models import WorkshopSignup
from tests.factories import EventFactory, ProgrammeItemFactory, RegistrationFactory

from .helpers import database_state, fr, messages_of, template_names

START = timezone.now().replace(second=0, microsecond=0) + timedelta(days=30)


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def item_data(**overrides):
    data = {
        "kind": ItemKind.WORKSHOP, "title": "Atelier pitch", "description": "Apprendre à pitcher",
        "starts_at": local(START), "ends_at": local(START + timedelta(hours=1)),
        "room": "Salle 2", "speakers": "Léa", "capacity": "12",
    }
    data.update(overrides)
    return data


def sign_up(item, count):
    for _ in range(count):
        WorkshopSignup.objects.create(item=item, registration=RegistrationFactory(event=item.event))


@pytest.fixture
def workshop(event):
    return ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, capacity=5, title="Atelier")


def test_organiser_adds_a_workshop(organiser_client, organiser, event):
    response = organiser_client.post(reverse("events:item_create", args=[event.slug]), item_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("events:programme_manage", args=[event.slug])
    item = ProgrammeItem.objects.get()
    assert (item.event, item.kind, item.title, item.capacity, item.room) == (event, "workshop", "Atelier pitch", 12, "Salle 2")
    assert (item.starts_at, item.ends_at) == (START, START + timedelta(hours=1))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.event, entry.after["title"]) == ("programme.create", organiser, event, "Atelier pitch")


def test_end_before_start_is_refused(organiser_client, event):
    before = database_state()

    response = organiser_client.post(
        reverse("events:item_create", args=[event.slug]),
        item_data(ends_at=local(START - timedelta(minutes=1))),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == [fr("The end must come after the start.")]
    assert database_state() == before


@pytest.mark.parametrize("kind", [k for k in ItemKind.values if k != ItemKind.WORKSHOP])
def test_capacity_on_anything_but_a_workshop_is_refused(organiser_client, event, kind):
    before = database_state()

    response = organiser_client.post(reverse("events:item_create", args=[event.slug]), item_data(kind=kind))

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [fr("Only workshops take sign-ups with a capacity.")]
    assert database_state() == before


def test_capacity_below_the_sign_ups_is_refused(organiser_client, event, workshop):
    sign_up(workshop, 3)
    before = database_state()

    response = organiser_client.post(reverse("events:item_edit", args=[event.slug, workshop.pk]), item_data(capacity="2"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        fr("%(count)d people have already signed up: the capacity cannot be lower.", count=3)
    ]
    assert database_state() == before


def test_capacity_equal_to_the_sign_ups_is_accepted(organiser_client, organiser, event, workshop):
    sign_up(workshop, 3)

    response = organiser_client.post(reverse("events:item_edit", args=[event.slug, workshop.pk]), item_data(capacity="3"))

    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.capacity, workshop.title) == (3, "Atelier pitch")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.before["capacity"], entry.after["capacity"]) == ("programme.update", organiser, 5, 3)


def test_service_refuses_capacity_below_sign_ups(organiser, workshop):
    sign_up(workshop, 2)

    with pytest.raises(ValidationError):
        services.update_item(actor=organiser, item=workshop, capacity=1)

    workshop.refresh_from_db()
    assert workshop.capacity == 5


def test_organiser_removes_an_item_after_confirming(organiser_client, organiser, event, workshop):
    sign_up(workshop, 2)
    path = reverse("events:item_delete", args=[event.slug, workshop.pk])

    confirm = organiser_client.get(path)
    assert confirm.status_code == 200
    assert ProgrammeItem.objects.count() == 1

    response = organiser_client.post(path)

    assert response.status_code == 302
    assert ProgrammeItem.objects.count() == 0
    assert WorkshopSignup.objects.count() == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.before["title"]) == ("programme.delete", organiser, "Atelier")
    assert messages_of(response) == [fr("The item is removed from the programme.")]


@pytest.mark.parametrize(("name", "method"), [
    ("events:item_edit", "get"), ("events:item_edit", "post"), ("events:item_delete", "get"),
    ("events:item_delete", "post"), ("events:item_signups", "get"),
])
def test_item_of_another_event_is_404(organiser_client, event, name, method):
    foreign = ProgrammeItemFactory(event=EventFactory(), kind=ItemKind.WORKSHOP, capacity=5)
    before = database_state()

    response = getattr(organiser_client, method)(reverse(name, args=[event.slug, foreign.pk]), item_data() if method == "post" else None)

    assert response.status_code == 404
    assert database_state() == before


def test_sign_ups_page_lists_the_people(organiser_client, event, workshop):
    first = RegistrationFactory(event=event, user__name="Inès Martin")
    WorkshopSignup.objects.create(item=workshop, registration=first)

    response = organiser_client.get(reverse("events:item_signups", args=[event.slug, workshop.pk]))

    assert response.status_code == 200
    assert [s.registration.user.name for s in response.context["signups"]] == ["Inès Martin"]
    assert "Inès Martin" in response.content.decode()
    assert "1 / 5" in response.content.decode()


def test_new_item_starts_where_the_programme_ends(organiser_client, event):
    last = ProgrammeItemFactory(event=event, starts_at=event.starts_at, ends_at=event.starts_at + timedelta(hours=3))

    response = organiser_client.get(reverse("events:item_create", args=[event.slug]))

    assert response.context["form"].initial["starts_at"] == last.ends_at
    assert "events/manage/item_form.html" in template_names(response)


def test_manage_programme_shows_sign_up_counts_in_time_order(organiser_client, event, workshop):
    sign_up(workshop, 2)
    ProgrammeItemFactory(event=event, title="Accueil", kind=ItemKind.WELCOME, starts_at=workshop.starts_at - timedelta(hours=1))

    response = organiser_client.get(reverse("events:programme_manage", args=[event.slug]))

    counts = [(item.title, item.signup_count) for item in response.context["items"]]
    assert counts == [("Accueil", 0), ("Atelier", 2)]
    assert "2 / 5" in response.content.decode()
