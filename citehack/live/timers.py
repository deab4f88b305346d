"""Timer arithmetic on instants: a running timer is its end instant, a paused one its remaining time.

Nothing here counts in memory, so a server restart or a page reload shows the right time.
Imports nothing from Django; all instants are aware datetimes, durations timedelta.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

ZERO = timedelta(0)


class TimerError(ValueError):
    pass


@dataclass(frozen=True)
class Timer:
    """`ends_at` is set while running; `remaining` while paused; neither when idle."""

    duration: timedelta = ZERO
    ends_at: datetime | None = None
    remaining: timedelta | None = None

    @property
    def running(self):
        return self.ends_at is not None

    @property
    def paused(self):
        return self.ends_at is None and self.remaining is not None

    @property
    def idle(self):
        return self.ends_at is None and self.remaining is None

    def remaining_at(self, now):
        """Time left at `now`, never negative."""
        if self.running:
            return max(self.ends_at - now, ZERO)
        if self.paused:
            return self.remaining
        return ZERO

    def finished_at(self, now):
        return self.running and self.ends_at <= now

    def overrun_at(self, now):
        """How long past the end a running timer is (for 'time is up' displays)."""
        if self.running and now > self.ends_at:
            return now - self.ends_at
        return ZERO


def start(now, duration):
    if duration <= ZERO:
        raise TimerError("A timer needs a positive duration.")
    return Timer(duration=duration, ends_at=now + duration)


def pause(timer, now):
    if not timer.running:
        raise TimerError("Only a running timer can be paused.")
    return Timer(duration=timer.duration, remaining=timer.remaining_at(now))


def resume(timer, now):
    if not timer.paused:
        raise TimerError("Only a paused timer can be resumed.")
    return Timer(duration=timer.duration, ends_at=now + timer.remaining)


def extend(timer, now, delta):
    """Add (or, with a negative delta, remove) time; a running timer past its end restarts from now.

    Removing time never ends a timer before now, nor moves the end of a finished one later.
    """
    if timer.idle:
        raise TimerError("Start the timer before extending it.")
    if delta == ZERO:
        raise TimerError("Extend by a non-zero amount.")
    if timer.running:
        if delta > ZERO:
            ends_at = max(timer.ends_at, now) + delta
        else:
            ends_at = max(timer.ends_at + delta, min(timer.ends_at, now))
        return replace(timer, ends_at=ends_at, duration=timer.duration + delta)
    remaining = max(timer.remaining + delta, ZERO)
    return replace(timer, remaining=remaining, duration=timer.duration + delta)


def stop(timer, now):
    return Timer()


def client_offset_ms(*, server_now_ms, client_sent_ms, client_received_ms):
    """Estimate of (server clock - client clock) in ms, NTP style, from one round trip.

    The server's instant is assumed to fall in the middle of the round trip. The browser
    script applies the same formula; this is the reference it is tested against.
    """
    midpoint = (client_sent_ms + client_received_ms) / 2
    return server_now_ms - midpoint
