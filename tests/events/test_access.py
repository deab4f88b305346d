"""Every events view refuses the wrong people: anonymous, a participant, a juror, another event's organiser."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from citehack.events.models import ItemKind, Phase, Role
from tests.factories import EventFactory, MembershipFactory, ProgrammeItemFactory, UserFactory

from .helpers import database_state, sign_in_url, template_names


@pytest.fixture
def targets(event):
    """What the organiser pages act on: an item and a juror's role in `event`."""
    item = ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, capacity=10)
    membership = MembershipFactory(event=event, role=Role.JUROR)
    return {"item": item, "membership": membership}


def item_data(**overrides):
    start = timezone.now() + timedelta(days=30)
    data = {
        "kind": ItemKind.TALK, "title": "Témoignage", "description": "", "room": "Salle 1", "speakers": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "",
    }
    data.update(overrides)
    return data


def event_data(event, **overrides):
    data = {
        "title": "Autre titre", "slug": event.slug, "tagline": "", "description": "",
        "starts_at": event.starts_at.strftime("%Y-%m-%dT%H:%M"), "ends_at": event.ends_at.strftime("%Y-%m-%dT%H:%M"),
        "venue": "", "address": "", "label": "", "capacity": "", "contact_email": "", "is_public": "on",
    }
    data.update(overrides)
    return data


# (name, method, which object the URL names, POST data that would succeed for an organiser)
ORGANISER_PAGES = [
    ("events:manage", "get", None, None),
    ("events:edit", "get", None, None),
    ("events:edit", "post", None, lambda e: event_data(e)),
    ("events:phase", "post", None, lambda e: {"phase": Phase.CHALLENGE_VOTE}),
    ("events:clone", "get", None, None),
    ("events:clone", "post", None, lambda e: {"title": "Copie", "slug": "copie", "starts_at": "2031-01-10T09:00"}),
    ("events:programme_manage", "get", None, None),
    ("events:item_create", "get", None, None),
    ("events:item_create", "post", None, lambda e: item_data()),
    ("events:item_edit", "get", "item", None),
    ("events:item_edit", "post", "item", lambda e: item_data(kind=ItemKind.WORKSHOP, capacity="20")),
    ("events:item_delete", "get", "item", None),
    ("events:item_delete", "post", "item", lambda e: {}),
    ("events:item_signups", "get", "item", None),
    ("events:roles", "get", None, None),
    ("events:roles", "post", None, lambda e: {"email": "new@example.org", "name": "Nouvelle", "role": "juror", "send_link": "on"}),
    ("events:role_remove", "post", "membership", lambda e: {}),
    ("events:audit", "get", None, None),
]
PAGE_IDS = [f"{name}-{method}" for name, method, _, _ in ORGANISER_PAGES]


def call(client, event, targets, name, method, target, data):
    args = [event.slug] if target is None else [event.slug, targets[target].pk]
    path = reverse(name, args=args)
    if method == "get":
        return path, client.get(path)
    return path, client.post(path, data(event))


@pytest.mark.parametrize(("name", "method", "target", "data"), ORGANISER_PAGES, ids=PAGE_IDS)
def test_anonymous_is_sent_to_sign_in(client, event, targets, name, method, target, data, django_capture_on_commit_callbacks):
    before = database_state()

    with django_capture_on_commit_callbacks(execute=True):
        path, response = call(client, event, targets, name, method, target, data)

    assert response.status_code == 302
    assert response["Location"] == sign_in_url(path)
    assert database_state() == before
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["participant", "juror", "other_event_organiser"])
@pytest.mark.parametrize(("name", "method", "target", "data"), ORGANISER_PAGES, ids=PAGE_IDS)
def test_wrong_role_is_refused(client, request, event, targets, who, name, method, target, data, django_capture_on_commit_callbacks):
    client.force_login(request.getfixturevalue(who))
    before = database_state()

    with django_capture_on_commit_callbacks(execute=True):
        _, response = call(client, event, targets, name, method, target, data)

    assert response.status_code == 403
    assert "403.html" in template_names(response)
    assert database_state() == before
    assert mail.outbox == []


@pytest.mark.parametrize(("name", "method", "target", "data"), [p for p in ORGANISER_PAGES if p[1] == "get"])
def test_organiser_opens_every_page(organiser_client, event, targets, name, method, target, data):
    _, response = call(organiser_client, event, targets, name, method, target, data)

    assert response.status_code == 200


@pytest.mark.parametrize(("name", "method", "target", "data"), [p for p in ORGANISER_PAGES if p[1] == "get"])
def test_organisation_organiser_opens_every_page(client, event, targets, name, method, target, data):
    user = UserFactory()
    event.organisation.organisers.add(user)
    client.force_login(user)

    _, response = call(client, event, targets, name, method, target, data)

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["events:phase", "events:role_remove"])
def test_post_only_pages_refuse_get(organiser_client, event, targets, name):
    args = [event.slug] if name == "events:phase" else [event.slug, targets["membership"].pk]

    response = organiser_client.get(reverse(name, args=args))

    assert response.status_code == 405


# Public pages -----------------------------------------------------------------------------

PUBLIC_PAGES = ["events:detail", "events:programme", "events:programme_ics"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_published_event_is_public(client, event, name):
    ProgrammeItemFactory(event=event)

    response = client.get(reverse(name, args=[event.slug]))

    assert response.status_code == 200


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_draft_event_is_hidden_from_anonymous(client, name, db):
    draft = EventFactory(phase=Phase.DRAFT)

    response = client.get(reverse(name, args=[draft.slug]))

    assert response.status_code == 403
    assert draft.title not in response.content.decode()


@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize("who", ["participant", "other_event_organiser"])
def test_draft_event_is_hidden_from_people_who_do_not_run_it(client, request, event, name, who):
    client.force_login(request.getfixturevalue(who))
    event.phase = Phase.DRAFT
    event.save()

    response = client.get(reverse(name, args=[event.slug]))

    assert response.status_code == 403


@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize("who", ["organiser", "juror"])
def test_draft_event_is_visible_to_its_organisers_and_staff(client, request, event, name, who):
    client.force_login(request.getfixturevalue(who))
    event.phase = Phase.DRAFT
    event.save()

    response = client.get(reverse(name, args=[event.slug]))

    assert response.status_code == 200


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_unknown_event_is_404(client, name, db):
    assert client.get(reverse(name, args=["nope"])).status_code == 404


def test_manage_link_shows_only_to_organisers(client, event, organiser, participant):
    manage = reverse("events:manage", args=[event.slug])

    client.force_login(participant)
    assert manage not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(organiser)
    assert manage in client.get(event.get_absolute_url()).content.decode()


# Dashboard and creation -------------------------------------------------------------------


def test_dashboard_needs_sign_in(client, db):
    response = client.get(reverse("events:dashboard"))

    assert response["Location"] == sign_in_url(reverse("events:dashboard"))


@pytest.mark.parametrize("who", ["participant", "juror", "other_event_organiser"])
def test_dashboard_lists_only_events_one_organises(client, request, event, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("events:dashboard"))

    assert response.status_code == 200
    assert event not in list(response.context["events"])
    assert event.title not in response.content.decode()


def test_dashboard_lists_the_organisers_events(client, organiser, event, other_event_organiser):
    mine_too = EventFactory()
    MembershipFactory(event=mine_too, user=organiser, role=Role.ORGANISER)
    MembershipFactory(event=mine_too, user=organiser, role=Role.JUROR)
    through_organisation = EventFactory()
    through_organisation.organisation.organisers.add(organiser)
    client.force_login(organiser)

    response = client.get(reverse("events:dashboard"))

    assert response.status_code == 200
    assert sorted(e.pk for e in response.context["events"]) == sorted([event.pk, mine_too.pk, through_organisation.pk])


def test_create_needs_sign_in(client, db):
    response = client.get(reverse("events:create"))

    assert response["Location"] == sign_in_url(reverse("events:create"))


@pytest.mark.parametrize("who", ["participant", "juror", "user"])
def test_people_who_organise_nothing_cannot_create_events(client, request, event, who, db):
    client.force_login(request.getfixturevalue(who))
    before = database_state()

    get = client.get(reverse("events:create"))
    post = client.post(reverse("events:create"), {"new_organisation": "X", "title": "T", "slug": "t",
                                                  "starts_at": "2031-01-01T09:00", "ends_at": "2031-01-01T18:00"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert database_state() == before


@pytest.mark.parametrize("who", ["organiser", "other_event_organiser"])
def test_organisers_may_create_events(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("events:create")).status_code == 200


def test_staff_may_create_events(client, db):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("events:create")).status_code == 200
