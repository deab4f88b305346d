from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.urls import reverse
from django.utils import timezone

from citehack.events.models import ItemKind, Phase
from citehack.events.selectors import now_and_next
from citehack.registrations.models import WorkshopSignup
from tests.factories import EventFactory, ProgrammeItemFactory, RegistrationFactory

UTC = dt_timezone.utc


def at(hour, minute=0):
    return datetime(2031, 10, 8, hour, minute, tzinfo=UTC)


@pytest.fixture
def day(db):
    event = EventFactory(starts_at=at(8), ends_at=at(18))
    items = {
        "welcome": ProgrammeItemFactory(event=event, title="Accueil", starts_at=at(9), ends_at=at(10)),
        "talk": ProgrammeItemFactory(event=event, title="Témoignage", starts_at=at(10), ends_at=at(11)),
        "workshop_a": ProgrammeItemFactory(event=event, title="Atelier A", starts_at=at(14), ends_at=at(15)),
        "workshop_b": ProgrammeItemFactory(event=event, title="Atelier B", starts_at=at(14), ends_at=at(15, 30)),
    }
    return event, items


@pytest.mark.parametrize(("moment", "now", "upcoming"), [
    (at(7), [], "welcome"),                              # before the day
    (at(9), ["welcome"], "talk"),                        # an item starts now
    (at(9, 30), ["welcome"], "talk"),                    # during
    (at(10), ["talk"], "workshop_a"),                    # the first ends as the second starts
    (at(12), [], "workshop_a"),                          # between two items
    (at(14, 10), ["workshop_a", "workshop_b"], None),    # two at once, nothing after
    (at(15, 10), ["workshop_b"], None),
    (at(15, 30), [], None),                              # after the day
])
def test_now_and_next(day, moment, now, upcoming):
    event, items = day

    current, following = now_and_next(event, at=moment)

    assert [item.pk for item in current] == [items[name].pk for name in now]
    assert following == (items[upcoming] if upcoming else None)


def test_programme_page_shows_items_now_and_next(client, db):
    start = timezone.now() - timedelta(minutes=30)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=8))
    # Added out of order: the page sorts by time.
    ProgrammeItemFactory(event=event, title="Pitchs", starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=3))
    ProgrammeItemFactory(event=event, title="Sprint", starts_at=start, ends_at=start + timedelta(hours=1))

    response = client.get(reverse("events:programme", args=[event.slug]))

    assert response.status_code == 200
    assert [item.title for item in response.context["now"]] == ["Sprint"]
    assert response.context["next"].title == "Pitchs"
    assert [item.title for item in response.context["items"]] == ["Sprint", "Pitchs"]
    assert reverse("events:programme_ics", args=[event.slug]) in response.content.decode()


def test_programme_page_shows_places_and_my_sign_ups(client, event):
    registration = RegistrationFactory(event=event)
    mine = ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, capacity=2, title="Mon atelier")
    full = ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, capacity=1, title="Atelier complet")
    WorkshopSignup.objects.create(item=mine, registration=registration)
    WorkshopSignup.objects.create(item=full, registration=RegistrationFactory(event=event))
    client.force_login(registration.user)

    response = client.get(reverse("events:programme", args=[event.slug]))

    assert response.context["signed_up"] == {mine.pk}
    assert {item.title: item.signup_count for item in response.context["items"]} == {"Mon atelier": 1, "Atelier complet": 1}
    html = response.content.decode()
    assert reverse("registrations:workshop_leave", args=[event.slug, mine.pk]) in html
    assert reverse("registrations:workshop_signup", args=[event.slug, full.pk]) not in html


def test_detail_page_shows_the_event(client, event):
    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert event.title in html
    assert event.organisation.name in html
    assert reverse("registrations:register", args=[event.slug]) in html


def test_registration_button_only_while_registration_is_open(client, db):
    event = EventFactory(phase=Phase.LIVE)

    response = client.get(event.get_absolute_url())

    assert reverse("registrations:register", args=[event.slug]) not in response.content.decode()


def test_home_lists_published_public_events_only(client, db):
    shown = EventFactory(title="Visible")
    EventFactory(title="Brouillon", phase=Phase.DRAFT)
    EventFactory(title="Non listé", is_public=False)

    response = client.get(reverse("home"))

    assert [e.title for e in response.context["events"]] == [shown.title]


def test_event_page_leads_a_confirmed_participant_to_vote_then_to_the_team(client, event):
    from django.urls import reverse

    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(event=event)
    client.force_login(registration.user)
    ballot = reverse("challenges:ballot", args=[event.slug])
    hub = reverse("teams:hub", args=[event.slug])
    event.phase = "registration"
    event.save()
    page = client.get(event.get_absolute_url()).content.decode()
    assert ballot not in page and hub not in page
    event.phase = "challenge_vote"
    event.save()
    assert ballot in client.get(event.get_absolute_url()).content.decode()
    event.phase = "team_formation"
    event.save()
    page = client.get(event.get_absolute_url()).content.decode()
    assert hub in page and ballot not in page
