"""The audience vote on the screens: how many have voted, within a second.

The live state is public (every phone following the event receives it), so it carries the
number of voters and never the count per team: phones must not see who is ahead.

Rebuilding the live state costs a handful of queries, too many for each of several hundred
votes a second. A vote only asks for a refresh (`note_vote`); the first request in a quiet
period, across all processes (a cache key), schedules one refresh SCREEN_DELAY seconds later
in this process. The refresh deletes the key before counting, so a vote committed after the
count asks again: every vote reaches the screens within about SCREEN_DELAY plus one rebuild,
and the screens get at most a few rebuilds a second however fast the votes come.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.urls import reverse

from .models import Poll, PollStatus

logger = logging.getLogger(__name__)
SCREEN_DELAY = 0.3  # seconds between a vote and the refresh that shows it (at most)
PENDING_SECONDS = 5  # lifetime of the "refresh scheduled" key if its process died meanwhile


def screen_provider(event):
    """The `audience` part of the live state: the status and the number of voters."""
    from django.db.models import Count

    poll = (
        Poll.objects.filter(event=event).annotate(total=Count("votes"))
        .values("status", "title", "total", "eligibility").first()
    )
    if poll is None:
        return {"status": None}
    return {
        "status": poll["status"],
        "title": poll["title"],
        "total": poll["total"] if poll["status"] != PollStatus.NOT_OPEN else 0,
        "url": reverse("audience:vote", kwargs={"slug": event.slug}),
    }


def _pending_key(event_pk):
    return f"audience:screen:{event_pk}"


def note_vote(event_pk):
    """A vote was stored: make sure the screens show it soon."""
    delay = getattr(settings, "AUDIENCE_SCREEN_DELAY", SCREEN_DELAY)
    if delay <= 0:  # tests: refresh at once, after the vote's transaction
        transaction.on_commit(lambda: refresh(event_pk))
        return
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _schedule(event_pk, delay))
    else:
        _schedule(event_pk, delay)


def _schedule(event_pk, delay):
    # A refresh already due in this process counts after this vote: no need to ask the cache.
    if _scheduler.pending(event_pk):
        return
    if cache.add(_pending_key(event_pk), 1, PENDING_SECONDS):
        _scheduler.schedule(event_pk, time.monotonic() + delay)


def refresh(event_pk):
    """Republish the event's live state (which recounts the voters)."""
    from citehack.events.models import Event
    from citehack.live.services import bump

    cache.delete(_pending_key(event_pk))
    event = Event.objects.filter(pk=event_pk).first()
    if event is not None:
        bump(event)


class _Scheduler:
    """One thread per process running the refreshes when due; started on first use."""

    def __init__(self):
        self._due = {}
        self._condition = threading.Condition()
        self._thread = None

    def pending(self, event_pk):
        with self._condition:
            return event_pk in self._due

    def schedule(self, event_pk, when):
        with self._condition:
            if event_pk not in self._due:
                self._due[event_pk] = when
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audience-screen", daemon=True)
                self._thread.start()
            self._condition.notify()

    def _next(self):
        with self._condition:
            while True:
                if self._due:
                    event_pk, when = min(self._due.items(), key=lambda item: item[1])
                    wait = when - time.monotonic()
                    if wait <= 0:
                        del self._due[event_pk]
                        return event_pk
                    self._condition.wait(wait)
                else:
                    self._condition.wait(60)

    def _run(self):
        while True:
            event_pk = self._next()
            try:
                close_old_connections()
                refresh(event_pk)
            except Exception:  # the next vote asks again; the screens keep the last count meanwhile
                logger.exception("audience: could not refresh the screens")
                cache.delete(_pending_key(event_pk))
                connection.close()


_scheduler = _Scheduler()
