"""List pages: the number of queries does not grow with the number of challenges or ballots."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citehack.challenges import services
from citehack.challenges.models import Challenge

from .conftest import add_challenges, confirmed_participant, open_vote

pytestmark = pytest.mark.django_db


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def grows(client, path, add_rows):
    """Return the query counts with 3 rows and with 30."""
    add_rows(3)
    client.get(path)
    small = count_queries(client, path)
    add_rows(27)
    large = count_queries(client, path)
    return small, large


def add_mixed_proposals(event, organiser):
    def add(n):
        for i, challenge in enumerate(add_challenges(event, n, status="proposed")):
            challenge.proposed_by = confirmed_participant(event)
            challenge.save()
            if i % 3 == 1:
                services.reject_challenge(actor=organiser, challenge=challenge, reason="Hors sujet")
            elif i % 3 == 2:
                services.merge_challenge(actor=organiser, challenge=challenge, into=Challenge.objects.filter(event=event).first())
    return add


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_list_of_proposals(client, event, organiser, signed_in):
    if signed_in:
        client.force_login(organiser)

    small, large = grows(client, reverse("challenges:list", args=[event.slug]), add_mixed_proposals(event, organiser))

    assert small == large


def test_moderation_page(organiser_client, event, organiser):
    small, large = grows(organiser_client, reverse("challenges:manage", args=[event.slug]), add_mixed_proposals(event, organiser))

    assert small == large


def _closed_vote_with(event, organiser, challenges, voters):
    open_vote(event, organiser, seats=2, candidates=challenges, rule="equal-shares")
    for i in range(voters):
        selection = {f"C{1 + i % challenges}", f"C{1 + (i * 7) % challenges}"}
        services.cast_ballot(actor=confirmed_participant(event), event=event, selection=sorted(selection))
    services.close_vote(actor=organiser, event=event)


@pytest.mark.parametrize("page", ["results", "list", "ballots_csv"])
def test_results_pages_do_not_grow_with_challenges_or_ballots(client, organiser, page, db):
    from tests.factories import EventFactory, MembershipFactory

    counts = []
    for challenges, voters in ((4, 3), (30, 40)):
        event = EventFactory()
        organiser = MembershipFactory(event=event, role="organiser").user
        _closed_vote_with(event, organiser, challenges, voters)
        path = reverse(f"challenges:{page}", args=[event.slug])
        client.get(path)
        counts.append(count_queries(client, path))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("kind", ["approval", "ranking"])
def test_ballot_page_does_not_grow_with_challenges(client, kind, db):
    from tests.factories import EventFactory, MembershipFactory

    counts = []
    for challenges in (4, 24):
        event = EventFactory()
        open_vote(event, MembershipFactory(event=event, role="organiser").user, candidates=challenges, ballot_kind=kind,
                  rule="av" if kind == "approval" else "schulze")
        participant = confirmed_participant(event)
        services.cast_ballot(actor=participant, event=event, selection=["C1", "C2"])
        client.force_login(participant)
        path = reverse("challenges:ballot", args=[event.slug])
        client.get(path)
        counts.append(count_queries(client, path))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("page", ["vote_setup", "turnout", "paper"])
def test_organiser_vote_pages_do_not_grow_with_ballots(organiser_client, event, organiser, page):
    open_vote(event, organiser, candidates=6)
    path = reverse(f"challenges:{page}", args=[event.slug])

    def add(n):
        for i in range(n):
            services.cast_ballot(actor=confirmed_participant(event), event=event, selection=[f"C{1 + i % 6}"])
            services.add_paper_ballots(actor=organiser, event=event, rows=[([f"C{1 + i % 5}", "C6"], 2)])

    small, large = grows(organiser_client, path, add)

    assert small == large
