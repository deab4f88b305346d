"""Ballots under concurrency, on PostgreSQL.

1. The same participant submits twice at once from two threads released by a barrier; a
   pause is injected after the "is there a ballot to replace?" step, so both submissions
   find none and both try to insert. The unique (vote, voter_key) index makes the second
   wait and turn into an update: one ballot, one voter record, every round. The negative
   control drops that index and must see two ballots, proving the test can see the race.
2. Ballots and the close at once: the close waits for the ballots in flight (they share-lock
   the vote row), so every ballot stored is counted. The negative control reads the vote
   without the lock and must see a ballot land after the count.
"""

import time

import pytest

from citehack.challenges import services
from citehack.challenges.models import Ballot, ChallengeVote, VoterRecord
from citehack.challenges.services import vote as vote_services
from tests.factories import EventFactory, MembershipFactory
from tests.race import constraint_dropped, fire_at_once

from .conftest import confirmed_participant, open_vote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10
NEGATIVE_ROUNDS = 10
WINDOW = 0.1  # seconds between looking for a ballot to replace and inserting one


@pytest.fixture
def widened_window(monkeypatch):
    replace = vote_services._replace_ballot

    def slow_replace(vote, key, content):
        replaced = replace(vote, key, content)
        time.sleep(WINDOW)
        return replaced

    monkeypatch.setattr(vote_services, "_replace_ballot", slow_replace)


@pytest.fixture
def without_unique_index():
    with constraint_dropped(Ballot, "ballot_one_per_voter"):
        yield


def new_vote():
    event = EventFactory()
    organiser = MembershipFactory(event=event, role="organiser").user
    open_vote(event, organiser, seats=2, candidates=4, rule="av")
    return event, organiser


def cast(event, user, selection):
    return lambda: services.cast_ballot(actor=user, event=event, selection=selection)


def test_the_same_participant_submitting_twice_at_once_leaves_one_ballot(widened_window):
    for _round in range(ROUNDS):
        event, _organiser = new_vote()
        participant = confirmed_participant(event)

        _, errors = fire_at_once([cast(event, participant, ["C1"]), cast(event, participant, ["C2", "C3"])])

        assert errors == []
        ballots = list(Ballot.objects.filter(vote__event=event).values_list("content", flat=True))
        assert len(ballots) == 1 and ballots[0] in ('["C1"]', '["C2","C3"]')
        assert VoterRecord.objects.filter(vote__event=event, user=participant).count() == 1


def test_negative_control_without_the_unique_index_the_race_leaves_two_ballots(widened_window, without_unique_index):
    worst = 0
    for _round in range(NEGATIVE_ROUNDS):
        event, _organiser = new_vote()
        participant = confirmed_participant(event)
        fire_at_once([cast(event, participant, ["C1"]), cast(event, participant, ["C2"])])
        worst = max(worst, Ballot.objects.filter(vote__event=event).count())
        if worst > 1:
            break
    assert worst > 1, "the race was never seen: the test cannot tell the index from none"


def close_with_ballots_in_flight(event, organiser, voters):
    """Three ballots and the close at once; the close starts once the ballots are under way."""
    actions = [cast(event, user, ["C1"]) for user in voters]
    actions.append((lambda: services.close_vote(actor=organiser, event=event), WINDOW / 2))
    return fire_at_once(actions)[1]


def counted_and_stored(event):
    vote = ChallengeVote.objects.get(event=event)
    stored = sum(Ballot.objects.filter(vote=vote).values_list("count", flat=True))
    return (vote.result or {}).get("ballots"), stored


def test_every_ballot_stored_is_counted_when_the_close_races_with_ballots(widened_window):
    for _round in range(ROUNDS):
        event, organiser = new_vote()
        services.cast_ballot(actor=confirmed_participant(event), event=event, selection=["C2"])
        voters = [confirmed_participant(event) for _ in range(3)]

        close_with_ballots_in_flight(event, organiser, voters)

        counted, stored = counted_and_stored(event)
        assert counted == stored


def test_negative_control_without_the_shared_lock_a_ballot_lands_after_the_count(widened_window, monkeypatch):
    monkeypatch.setattr(vote_services, "_vote_for_share", lambda event: ChallengeVote.objects.filter(event=event).first())
    seen = False
    for _round in range(NEGATIVE_ROUNDS):
        event, organiser = new_vote()
        services.cast_ballot(actor=confirmed_participant(event), event=event, selection=["C2"])
        close_with_ballots_in_flight(event, organiser, [confirmed_participant(event) for _ in range(3)])
        counted, stored = counted_and_stored(event)
        if counted is not None and stored > counted:
            seen = True
            break
    assert seen, "the race was never seen: the test cannot tell the lock from none"
