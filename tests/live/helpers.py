import json

from django.core.cache import cache
from django.utils import translation

from citehack.core.models import AuditEntry
from citehack.live import state
from citehack.live.broker import hub
from citehack.live.models import LiveState


def fr(text, **values):
    """`text` as a French visitor reads it (the source string until it is translated)."""
    with translation.override("fr"):
        translated = translation.gettext(text)
    return translated % values if values else translated


def version_of(event):
    return LiveState.objects.get_or_create(event=event)[0].version


def audit_count(event):
    return AuditEntry.objects.filter(event=event).count()


def cached_state(event):
    payload = cache.get(state.cache_key(event.pk))
    return None if payload is None else json.loads(payload)


def hub_version(event):
    latest = hub.latest.get(event.pk)
    return None if latest is None else latest[0]


def hub_state(event):
    """The state document inside the newest SSE frame the hub holds for `event`."""
    version, frame = hub.latest[event.pk]
    lines = frame.decode().split("\n")
    assert lines[0] == f"id: {version}"
    assert lines[1] == "event: state"
    data = "\n".join(line[len("data: "):] for line in lines if line.startswith("data: "))
    return json.loads(data)


def make_teams(event, count):
    """The primary keys of `count` teams of `event` (plain numbers where the teams app is absent)."""
    from django.apps import apps

    if not apps.is_installed("citehack.teams"):
        return list(range(1, count + 1))
    from citehack.teams.models import Team

    return [Team.objects.create(event=event, number=n).pk for n in range(1, count + 1)]


def run_async(coroutine_factory, timeout=30):
    """Run an asyncio scenario to completion, from any test.

    Playwright's sync API leaves an event loop running in the main thread once a browser
    test has run, and asyncio.run() refuses to start inside it; a thread of its own has none.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def scenario():
        return await asyncio.wait_for(coroutine_factory(), timeout)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()
