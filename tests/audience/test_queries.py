"""Query counts: the organiser's page does not grow with teams or votes; the phone's path stays minimal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import Phone, fake_vote, make_teams

pytestmark = pytest.mark.django_db


def queries(call):
    with CaptureQueriesContext(connection) as context:
        response = call()
    assert response.status_code in (200, 302)
    return len(context.captured_queries)


def test_the_organiser_page_does_not_grow_with_teams_or_votes(organiser_client, event, poll, teams):
    url = reverse("audience:manage", args=[event.slug])
    fake_vote(poll, teams[0])
    organiser_client.get(url)
    small = queries(lambda: organiser_client.get(url))
    for team in make_teams(event, 12):
        for _ in range(5):
            fake_vote(poll, team)
    large = queries(lambda: organiser_client.get(url))
    assert small == large
    assert large <= 12


def test_the_organiser_page_before_opening(organiser_client, event, teams):
    url = reverse("audience:manage", args=[event.slug])
    organiser_client.get(url)
    small = queries(lambda: organiser_client.get(url))
    make_teams(event, 10)
    assert queries(lambda: organiser_client.get(url)) == small


def test_the_phones_path_is_one_query_at_most(event, poll, teams):
    """With the ballot in memory: the phone's current choice (reading) or the upsert (voting),
    nothing else. A phone seen for the first time needs no query at all."""
    phone = Phone(event)
    phone.open()  # loads the ballot, gets a token
    assert queries(phone.open) == 1  # current choice
    assert queries(lambda: phone.vote(teams[0])) == 1  # the upsert
    assert queries(Phone(event).open) == 0
