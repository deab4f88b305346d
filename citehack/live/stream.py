"""The Server-Sent Events stream: a raw ASGI application, outside Django's request handling.

Django's ASGI handler costs several milliseconds per request in thread hops; a stream
held open by a thousand phones needs none of it (shared/SERVING.md). Each connection gets
the latest state at once (unless its Last-Event-ID says it has it), then every new state,
and a comment every 15 s to keep proxies from closing it. `retry:` carries a random delay so
that phones dropped together do not reconnect together.
"""

import asyncio
import random
import re

from .broker import hub, sse_frame

PATH = re.compile(r"^/live/(\d+)/stream/?$")
KEEPALIVE_SECONDS = 15
RETRY_MS = (1000, 6000)


async def _latest(event_pk):
    current = hub.latest.get(event_pk)
    if current is not None:
        return current
    from asgiref.sync import sync_to_async

    from . import state

    payload = await sync_to_async(state.get_payload, thread_sensitive=False)(event_pk)
    if payload is None:
        return None
    import json

    version = json.loads(payload)["version"]
    frame = sse_frame(event_id=version, data=payload)
    current = hub.latest.get(event_pk)
    if current is None or current[0] < version:
        hub.latest[event_pk] = (version, frame)
    return hub.latest[event_pk]


def _header(scope, name):
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _send_404(send):
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Not found"})


async def app(scope, receive, send):
    match = PATH.match(scope["path"])
    if scope["type"] != "http" or match is None or scope["method"] != "GET":
        await _send_404(send)
        return
    event_pk = int(match.group(1))
    latest = await _latest(event_pk)
    if latest is None:
        await _send_404(send)
        return
    try:
        last_seen = int(_header(scope, b"last-event-id") or -1)
    except ValueError:
        last_seen = -1

    queue = hub.subscribe(event_pk)
    disconnected = asyncio.Event()

    async def watch_disconnect():
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected.set()
                return

    watcher = asyncio.ensure_future(watch_disconnect())
    try:
        await send({
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache, no-transform"),
                (b"x-accel-buffering", b"no"),
            ],
        })
        opening = f"retry: {random.randint(*RETRY_MS)}\n\n".encode()
        version, frame = latest
        if version != last_seen:
            opening += frame
        sent = version
        await send({"type": "http.response.body", "body": opening, "more_body": True})
        while not disconnected.is_set():
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, watcher}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                version, frame = getter.result()
                if version > sent:
                    await send({"type": "http.response.body", "body": frame, "more_body": True})
                    sent = version
            else:
                getter.cancel()
                if not disconnected.is_set():
                    await send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(event_pk, queue)
        watcher.cancel()
