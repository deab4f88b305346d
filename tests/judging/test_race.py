"""Scores under concurrency, on PostgreSQL.

Every judging write first locks the event's judging session. A pause is injected after the
checks and before the writes, to widen the window.

1. A phone resends the same scores while the first request is still running: both requests
   succeed, one card and one row per criterion stay. The negative control skips the lock and
   drops the unique index on (juror, team): it must see two cards, proving the test can see
   the race.
2. A score and the close of scoring at once: the close waits for the score in flight, so no
   score is ever written after the close. The negative control skips the lock and must see a
   score land after the close.
"""

import time

import pytest

from citehack.events.models import Phase
from citehack.judging import services
from citehack.judging.models import Criterion, JudgingSession, Score, Scorecard
from citehack.judging.services import scoring
from tests.factories import EventFactory, MembershipFactory
from tests.race import constraint_dropped, fire_at_once
from tests.judging.conftest import make_juror, make_teams

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5
WINDOW = 0.15


@pytest.fixture
def widened_window(monkeypatch):
    check = scoring._check_values

    def slow_check(event, values):
        checked = check(event, values)
        time.sleep(WINDOW)
        return checked

    monkeypatch.setattr(scoring, "_check_values", slow_check)


@pytest.fixture
def without_lock(monkeypatch):
    monkeypatch.setattr(scoring, "locked_session", lambda event: JudgingSession.objects.get_or_create(event=event)[0])


def open_event():
    event = EventFactory(phase=Phase.JUDGING)
    organiser = MembershipFactory(event=event, role="organiser").user
    team = make_teams(event, [f"Défi {event.pk}"])[0]
    services.create_default_rubric(actor=organiser, event=event)
    services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")
    return event, organiser, team, make_juror(event)


def resend(event, team, juror):
    values = {c.pk: 4 for c in Criterion.objects.filter(event=event)}
    return lambda: services.save_scorecard(actor=juror, event=event, team=team, values=values, comment="Bien")


def test_the_same_scores_sent_twice_at_once_leave_one_card(widened_window):
    for _ in range(ROUNDS):
        event, _organiser, team, juror = open_event()

        _, errors = fire_at_once([resend(event, team, juror), resend(event, team, juror)])

        assert errors == []
        assert Scorecard.objects.filter(team=team).count() == 1
        assert Score.objects.filter(card__team=team).count() == 5


@pytest.fixture
def without_unique_card():
    with constraint_dropped(Scorecard, "scorecard_once"):
        yield


def test_negative_control_without_lock_or_index_the_resend_makes_two_cards(widened_window, without_lock, without_unique_card):
    doubled = 0
    for _ in range(ROUNDS):
        event, _organiser, team, juror = open_event()
        fire_at_once([resend(event, team, juror), resend(event, team, juror)])
        doubled += Scorecard.objects.filter(team=team).count() > 1
    assert doubled > 0


def score_and_close(event, organiser, team, juror):
    def close():
        time.sleep(WINDOW / 3)  # let the score take the lock first
        services.close_scoring(actor=organiser, event=event)

    fire_at_once([resend(event, team, juror), close])
    closed_at = JudgingSession.objects.get(event=event).closed_at
    return Score.objects.filter(card__team=team, updated_at__gt=closed_at).count()


def test_no_score_is_written_after_the_close(widened_window):
    for _ in range(ROUNDS):
        event, organiser, team, juror = open_event()
        assert score_and_close(event, organiser, team, juror) == 0


def test_negative_control_without_the_lock_a_score_lands_after_the_close(widened_window, without_lock):
    late = 0
    for _ in range(ROUNDS):
        event, organiser, team, juror = open_event()
        late += score_and_close(event, organiser, team, juror)
    assert late > 0
