"""poll_results(event): what the jury app reads, exactly."""

import pytest

from citehack.audience import identity, services
from citehack.audience.models import VoterKind
from citehack.audience.selectors import poll_results

from .conftest import checked_in_participant, fake_vote, open_poll

pytestmark = pytest.mark.django_db


def test_no_results_without_a_closed_vote(event, organiser, teams):
    assert poll_results(event) == []
    poll = open_poll(event, organiser)
    fake_vote(poll, teams[0])
    assert poll_results(event) == []


def test_the_results_are_best_first_with_every_team(event, organiser, poll, teams):
    for team, n in ((teams[0], 1), (teams[1], 3), (teams[2], 2)):
        for _ in range(n):
            fake_vote(poll, team)
    services.close_poll(actor=organiser, event=event)
    assert poll_results(event) == [
        {"team_id": teams[1].pk, "votes": 3, "weight": 3},
        {"team_id": teams[2].pk, "votes": 2, "weight": 2},
        {"team_id": teams[0].pk, "votes": 1, "weight": 1},
    ]


def test_teams_without_votes_come_last_and_ties_by_number(event, organiser, poll, teams):
    fake_vote(poll, teams[2])
    services.close_poll(actor=organiser, event=event)
    assert [row["team_id"] for row in poll_results(event)] == [teams[2].pk, teams[0].pk, teams[1].pk]
    assert poll_results(event)[1:] == [
        {"team_id": teams[0].pk, "votes": 0, "weight": 0}, {"team_id": teams[1].pk, "votes": 0, "weight": 0},
    ]


def test_with_both_the_weight_ranks_and_the_votes_are_shown(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="both", device_weight=1, participant_weight=3)
    for _ in range(2):
        fake_vote(poll, teams[0])
    registration = checked_in_participant(event)
    services.cast_vote(poll_id=poll.pk, team_id=teams[1].pk, voter=identity.participant_key(registration.pk), kind=VoterKind.PARTICIPANT)
    services.close_poll(actor=organiser, event=event)
    assert poll_results(event)[:2] == [
        {"team_id": teams[1].pk, "votes": 1, "weight": 3},
        {"team_id": teams[0].pk, "votes": 2, "weight": 2},
    ]


def test_the_results_are_the_count_frozen_at_the_close(event, organiser, poll, teams):
    fake_vote(poll, teams[0])
    services.close_poll(actor=organiser, event=event)
    # Nothing can be added after the close, even straight through the service.
    voter = identity.device_key(identity.new_token())
    assert services.cast_vote(poll_id=poll.pk, team_id=teams[1].pk, voter=voter, kind=VoterKind.DEVICE) is False
    assert poll_results(event)[0] == {"team_id": teams[0].pk, "votes": 1, "weight": 1}


def test_a_team_with_votes_cannot_be_deleted_but_the_event_can(event, organiser, poll, teams):
    from django.db.models import RestrictedError

    from citehack.audience.models import Poll, Vote

    fake_vote(poll, teams[0])
    with pytest.raises(RestrictedError):
        teams[0].delete()
    event.delete()
    assert not Vote.objects.exists() and not Poll.objects.exists()
