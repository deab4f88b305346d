"""The live state of an event as one small JSON document, cached, shared by the stream and polling.

The document holds no time-dependent value: timers are instants (ms since the epoch), the
programme is listed whole and each client works out "now / next" with its corrected clock.
So it only changes when someone acts, and can be cached until then.
"""

import json

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

CACHE_SECONDS = 60 * 60 * 24


def cache_key(event_pk):
    return f"live:state:{event_pk}"


def ms(instant):
    return None if instant is None else int(instant.timestamp() * 1000)


def timer_json(timer, *, label=""):
    return {
        "label": label,
        "duration_ms": int(timer.duration.total_seconds() * 1000),
        "ends_at": ms(timer.ends_at),
        "remaining_ms": None if timer.remaining is None else int(timer.remaining.total_seconds() * 1000),
        "running": timer.running,
        "paused": timer.paused,
    }


def pitch_entries(event, order):
    """Names of the pitching teams, in order; filled by the teams app when it is installed."""
    from django.apps import apps

    if not order or not apps.is_installed("citehack.teams"):
        return [{"id": entry, "name": str(entry), "challenge": ""} for entry in order]
    from citehack.teams.models import Team

    teams = {team.pk: team for team in Team.objects.filter(event=event, pk__in=order).select_related("challenge")}
    return [
        {"id": pk, "name": teams[pk].display_name, "challenge": teams[pk].challenge.title if teams[pk].challenge_id else ""}
        for pk in order
        if pk in teams
    ]


def active_announcements(event, now, limit=5):
    """The newest announcements shown at `now`: filtered before the limit, so that ended ones
    do not hide an older lasting one."""
    return event.announcements.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), withdrawn_at__isnull=True
    ).order_by("-created_at", "-id")[:limit]


def build(event):
    """Build the state document of `event` from the database."""
    from .models import LiveState

    live, _ = LiveState.objects.get_or_create(event=event)
    announcements = [
        {"id": a.pk, "text": a.text, "ends_at": ms(a.ends_at), "at": ms(a.created_at)}
        for a in active_announcements(event, timezone.now())
    ]
    programme = [
        {"id": item.pk, "title": item.title, "kind": item.kind, "room": item.room,
         "starts_at": ms(item.starts_at), "ends_at": ms(item.ends_at)}
        for item in event.programme.all()
    ]
    entries = pitch_entries(event, live.pitch_order)
    return {
        "version": live.version,
        "event": {"id": event.pk, "slug": event.slug, "title": event.title, "phase": event.phase},
        "mode": live.screen_mode,
        "timer": timer_json(live.timer, label=live.timer_label),
        "current_item": live.current_item_id,
        "programme": programme,
        "announcements": announcements,
        "pitch": {
            "order": entries,
            "index": live.pitch_index,
            "stage": live.pitch_stage,
            "seed": live.pitch_draw_seed,
            "pitch_seconds": live.pitch_seconds,
            "questions_seconds": live.questions_seconds,
            "timer": timer_json(live.pitch_timer),
        },
        "extra": collect_extra(event),
    }


# Other apps add their part of the screen (audience vote progress, podium) by registering a
# function (event) -> dict under a key.
EXTRA_PROVIDERS = {}


def collect_extra(event):
    return {key: provider(event) for key, provider in EXTRA_PROVIDERS.items()}


def get_payload(event_pk):
    """The cached JSON text of the event's state; built on a cache miss only. None if not shown."""
    payload = cache.get(cache_key(event_pk))
    if payload is not None:
        return payload
    from citehack.events.models import Event, Phase

    event = Event.objects.filter(pk=event_pk).exclude(phase=Phase.DRAFT).first()
    if event is None:
        return None
    document = build(event)
    payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    _cache_if_newer(event_pk, document["version"], payload)
    return payload


def get_payload_outside_requests(event_pk):
    """get_payload for the ASGI streams' worker threads, which no request ends: close the
    thread's database connection once stale (CONN_MAX_AGE), as Django does after a request."""
    from django.db import close_old_connections

    close_old_connections()
    try:
        return get_payload(event_pk)
    finally:
        close_old_connections()


def _cache_if_newer(event_pk, version, payload):
    """Cache `payload` unless a newer state is cached already: callbacks of two actions
    committed close together may run in either order."""
    key = cache_key(event_pk)
    current = cache.get(key)
    if current is not None and json.loads(current)["version"] > version:
        return False
    cache.set(key, payload, CACHE_SECONDS)
    return True


def publish(event):
    """After the transaction commits: rebuild the state, cache it and push it to every stream.

    A draft event is shown to nobody: its state is withdrawn from the cache and the streams
    (it may have just been moved back to draft).
    """

    def send():
        from citehack.events.models import Phase

        from .broker import get_broker

        if event.phase == Phase.DRAFT:
            cache.delete(cache_key(event.pk))
            get_broker().withdraw(event.pk)
            return
        document = build(event)
        payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        _cache_if_newer(event.pk, document["version"], payload)
        get_broker().publish(event.pk, document["version"], payload)

    transaction.on_commit(send)
