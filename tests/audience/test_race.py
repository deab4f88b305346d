"""Votes under concurrency, on PostgreSQL.

1. The same voter sends two votes at once from two threads released by a barrier: the upsert
   against the unique (poll, voter) constraint leaves one row, every round, and both requests
   are answered as recorded. The negative control runs the naive check-then-insert without the
   constraint, with a pause after the check, and must see two rows: the test can see the race.
2. Votes and the close at once: every vote answered as recorded is in the count taken at the
   close, and none answered as refused is stored.
"""

import time

import pytest

from citehack.audience import identity, services
from citehack.audience.models import Poll, Vote, VoterKind
from tests.factories import EventFactory, MembershipFactory
from tests.race import constraint_dropped, fire_at_once

from .conftest import make_teams, open_poll

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10
WINDOW = 0.1  # seconds between the naive path's check and its insert


def new_poll():
    event = EventFactory(phase="live")
    organiser = MembershipFactory(event=event, role="organiser").user
    teams = make_teams(event, 3)
    return event, organiser, open_poll(event, organiser), teams


def cast(poll, team, voter):
    return lambda: services.cast_vote(poll_id=poll.pk, team_id=team.pk, voter=voter, kind=VoterKind.DEVICE)


def test_the_same_voter_twice_at_once_leaves_one_vote():
    for _round in range(ROUNDS):
        _event, _organiser, poll, teams = new_poll()
        voter = identity.device_key(identity.new_token())

        results, errors = fire_at_once([(cast(poll, teams[0], voter), 0), (cast(poll, teams[1], voter), 0)])

        assert errors == [] and results == [True, True]
        rows = list(Vote.objects.filter(poll=poll).values_list("voter", "team_id"))
        assert len(rows) == 1 and rows[0][0] == voter and rows[0][1] in (teams[0].pk, teams[1].pk)


def test_the_same_phone_twice_at_once_over_http_leaves_one_vote(settings):
    from django.test import Client

    settings.AUDIENCE_SCREEN_DELAY = 0
    for _round in range(3):
        event, _organiser, poll, teams = new_poll()
        first = Client()
        first.get(f"/e/{event.slug}/vote/")
        token = first.cookies[identity.COOKIE_NAME].value
        csrf = first.cookies["csrftoken"].value
        second = Client()
        second.cookies[identity.COOKIE_NAME] = token
        second.cookies["csrftoken"] = csrf

        def post(client, team):
            return lambda: client.post(f"/e/{event.slug}/vote/", {"team": team.pk, "csrfmiddlewaretoken": csrf}).status_code

        results, errors = fire_at_once([(post(first, teams[0]), 0), (post(second, teams[1]), 0)])
        assert errors == [] and results == [200, 200]
        assert Vote.objects.filter(poll=poll).count() == 1


@pytest.fixture
def unsafe_without_constraint(settings, monkeypatch):
    settings.AUDIENCE_UNSAFE_CHECK_THEN_INSERT = True
    update = services._update_existing

    def slow_update(**kwargs):
        updated = update(**kwargs)
        time.sleep(WINDOW)
        return updated

    monkeypatch.setattr(services, "_update_existing", slow_update)
    with constraint_dropped(Vote, "audience_vote_one_per_voter"):
        yield


def test_negative_control_check_then_insert_without_the_constraint_counts_a_voter_twice(unsafe_without_constraint):
    worst = 0
    for _round in range(ROUNDS):
        _event, _organiser, poll, teams = new_poll()
        voter = identity.device_key(identity.new_token())
        fire_at_once([(cast(poll, teams[0], voter), 0), (cast(poll, teams[1], voter), 0)])
        worst = max(worst, Vote.objects.filter(poll=poll, voter=voter).count())
        if worst > 1:
            break
    assert worst > 1, "the race was never seen: the test cannot tell the constraint from none"


def test_every_vote_answered_as_recorded_is_in_the_count_taken_at_the_close():
    for _round in range(ROUNDS):
        event, organiser, poll, teams = new_poll()
        voters = [identity.device_key(identity.new_token()) for _ in range(8)]
        actions = [(cast(poll, teams[i % 3], voter), 0.0005 * i) for i, voter in enumerate(voters)]
        actions.append((lambda: services.close_poll(actor=organiser, event=event), 0.002))

        results, errors = fire_at_once(actions)

        assert errors == []
        recorded = sum(1 for result in results[:-1] if result is True)
        closed = Poll.objects.get(pk=poll.pk)
        counted = sum(row["votes"] for row in closed.results)
        assert counted == recorded == Vote.objects.filter(poll=poll).count()
