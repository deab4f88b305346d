"""Timer arithmetic on explicit instants: no clock is read here."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citehack.live import timers
from citehack.live.models import LiveState

T0 = datetime(2018, 10, 8, 13, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def test_start_sets_the_end_instant_and_nothing_else():
    timer = timers.start(T0, 180 * MIN)
    assert timer == timers.Timer(duration=180 * MIN, ends_at=T0 + 180 * MIN, remaining=None)
    assert (timer.running, timer.paused, timer.idle) == (True, False, False)


@pytest.mark.parametrize("duration", [timedelta(0), -MIN])
def test_start_refuses_a_duration_that_is_not_positive(duration):
    with pytest.raises(timers.TimerError, match="positive duration"):
        timers.start(T0, duration)


def test_remaining_counts_down_and_stops_at_zero():
    timer = timers.start(T0, 10 * MIN)
    assert timer.remaining_at(T0) == 10 * MIN
    assert timer.remaining_at(T0 + 4 * MIN) == 6 * MIN
    assert timer.remaining_at(T0 + 10 * MIN) == timedelta(0)
    assert timer.remaining_at(T0 + 25 * MIN) == timedelta(0)
    assert not timer.finished_at(T0 + 9 * MIN)
    assert timer.finished_at(T0 + 10 * MIN)
    assert timer.overrun_at(T0 + 12 * MIN) == 2 * MIN
    assert timer.overrun_at(T0 + 5 * MIN) == timedelta(0)


def test_idle_timer_has_no_time_left():
    assert timers.Timer().remaining_at(T0) == timedelta(0)
    assert timers.Timer().idle


def test_pause_keeps_the_remaining_time_and_forgets_the_end():
    paused = timers.pause(timers.start(T0, 10 * MIN), T0 + 3 * MIN)
    assert paused == timers.Timer(duration=10 * MIN, ends_at=None, remaining=7 * MIN)
    assert paused.paused
    # Time passing does not change a paused timer.
    assert paused.remaining_at(T0 + 60 * MIN) == 7 * MIN


def test_pause_after_the_end_keeps_zero():
    paused = timers.pause(timers.start(T0, 10 * MIN), T0 + 12 * MIN)
    assert paused.remaining == timedelta(0)


def test_resume_ends_the_remaining_time_after_now():
    paused = timers.pause(timers.start(T0, 10 * MIN), T0 + 3 * MIN)
    resumed = timers.resume(paused, T0 + 20 * MIN)
    assert resumed == timers.Timer(duration=10 * MIN, ends_at=T0 + 27 * MIN, remaining=None)


@pytest.mark.parametrize(
    ("operation", "timer", "message"),
    [
        (timers.pause, timers.Timer(), "Only a running timer can be paused."),
        (timers.pause, timers.Timer(duration=MIN, remaining=MIN), "Only a running timer can be paused."),
        (timers.resume, timers.Timer(), "Only a paused timer can be resumed."),
        (timers.resume, timers.Timer(duration=MIN, ends_at=T0), "Only a paused timer can be resumed."),
    ],
)
def test_pause_and_resume_refuse_the_wrong_state(operation, timer, message):
    with pytest.raises(timers.TimerError) as error:
        operation(timer, T0)
    assert str(error.value) == message


def test_extend_a_running_timer_moves_its_end():
    timer = timers.start(T0, 10 * MIN)
    longer = timers.extend(timer, T0 + 2 * MIN, 5 * MIN)
    assert longer.ends_at == T0 + 15 * MIN
    assert longer.duration == 15 * MIN
    shorter = timers.extend(timer, T0 + 2 * MIN, -3 * MIN)
    assert shorter.ends_at == T0 + 7 * MIN
    assert shorter.duration == 7 * MIN


def test_removing_more_time_than_is_left_ends_the_timer_now():
    shorter = timers.extend(timers.start(T0, 10 * MIN), T0 + 2 * MIN, -30 * MIN)
    assert shorter.ends_at == T0 + 2 * MIN
    assert shorter.finished_at(T0 + 2 * MIN)


def test_extending_a_finished_timer_restarts_from_now():
    late = T0 + 14 * MIN  # four minutes past the end
    extended = timers.extend(timers.start(T0, 10 * MIN), late, 5 * MIN)
    assert extended.ends_at == late + 5 * MIN
    assert extended.remaining_at(late) == 5 * MIN


def test_removing_time_from_a_finished_timer_never_moves_its_end_later():
    late = T0 + 14 * MIN
    shorter = timers.extend(timers.start(T0, 10 * MIN), late, -MIN)
    assert shorter.ends_at <= T0 + 10 * MIN
    assert shorter.overrun_at(late) >= 4 * MIN


def test_extend_a_paused_timer_changes_the_remaining_time_never_below_zero():
    paused = timers.pause(timers.start(T0, 10 * MIN), T0 + 3 * MIN)
    assert timers.extend(paused, T0 + 9 * MIN, 5 * MIN).remaining == 12 * MIN
    assert timers.extend(paused, T0 + 9 * MIN, -2 * MIN).remaining == 5 * MIN
    emptied = timers.extend(paused, T0 + 9 * MIN, -20 * MIN)
    assert emptied.remaining == timedelta(0)
    assert emptied.ends_at is None


def test_extend_refuses_an_idle_timer_and_a_zero_delta():
    with pytest.raises(timers.TimerError, match="Start the timer"):
        timers.extend(timers.Timer(), T0, MIN)
    with pytest.raises(timers.TimerError, match="non-zero"):
        timers.extend(timers.start(T0, 10 * MIN), T0, timedelta(0))


def test_stop_makes_the_timer_idle():
    assert timers.stop(timers.start(T0, MIN), T0).idle


@pytest.mark.django_db
def test_running_timer_survives_a_restart(event):
    """A new process rebuilds the timer from the stored fields: the end instant, not a count."""
    live = LiveState.objects.create(event=event)
    live.timer = timers.start(T0, 180 * MIN)
    live.save()
    del live

    reread = LiveState.objects.get(event=event)  # as a restarted server would
    assert reread.timer == timers.Timer(duration=180 * MIN, ends_at=T0 + 180 * MIN)
    assert reread.timer.remaining_at(T0 + 65 * MIN) == 115 * MIN
    assert reread.timer.remaining_at(T0 + timedelta(hours=4)) == timedelta(0)


@pytest.mark.django_db
def test_paused_timer_survives_a_restart_without_losing_time(event):
    live = LiveState.objects.create(event=event)
    live.pitch_timer = timers.pause(timers.start(T0, 3 * MIN), T0 + timedelta(seconds=70, microseconds=250))
    live.save()

    reread = LiveState.objects.get(event=event)
    assert reread.pitch_timer.paused
    assert reread.pitch_timer.remaining_at(T0 + timedelta(hours=2)) == timedelta(seconds=109, microseconds=999750)
    resumed = timers.resume(reread.pitch_timer, T0 + timedelta(hours=2))
    assert resumed.ends_at == T0 + timedelta(hours=2, seconds=109, microseconds=999750)


def test_client_offset_is_the_server_instant_minus_the_midpoint_of_the_round_trip():
    # Sent at 1000, answered at 1300 on the client clock: the server read its clock at ~1150.
    assert timers.client_offset_ms(server_now_ms=6150, client_sent_ms=1000, client_received_ms=1300) == 5000
    assert timers.client_offset_ms(server_now_ms=1000, client_sent_ms=3000, client_received_ms=3100) == -2050
    assert timers.client_offset_ms(server_now_ms=1050, client_sent_ms=1000, client_received_ms=1101) == -0.5


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=2))


@given(start=instants, duration=durations, fraction=st.floats(0, 1), delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_pause_then_resume_after_any_delay_keeps_the_remaining_time_and_shifts_the_end(start, duration, fraction, delay):
    timer = timers.start(start, duration)
    paused_at = start + duration * fraction
    paused = timers.pause(timer, paused_at)
    resumed = timers.resume(paused, paused_at + delay)

    assert resumed.remaining_at(paused_at + delay) == timer.remaining_at(paused_at)
    assert resumed.ends_at - timer.ends_at == delay
    assert resumed.duration == timer.duration
