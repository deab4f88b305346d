"""The Server-Sent Events stream: a raw ASGI application, outside Django's request handling.

Django's ASGI handler costs several milliseconds per request in thread hops; a stream
held open by a thousand phones needs none of it (shared/SERVING.md). Each connection gets
the latest state at once (unless its Last-Event-ID says it has it), then every new state,
and a comment after 15 to 30 s of silence to keep proxies from closing it. `retry:` carries a random delay so
that phones dropped together do not reconnect together.
"""

import asyncio
import os
import random
import re
import time

from .broker import KEEPALIVE, hub, sse_frame

PATH = re.compile(r"^/live/(\d+)/stream/?$")
STATE_PATH = re.compile(r"^/live/(\d+)/state\.json$")
KEEPALIVE_SECONDS = 15
RETRY_MS = (1000, 6000)
# granian serves at most `backpressure` requests at once per worker (4,096 with `citehack
# serve`'s defaults) and every open stream holds one: past that, the organiser's own form
# posts would wait behind the phones' streams. Beyond MAX_STREAMS this process answers 503:
# EventSource gives up and live.js polls instead.
MAX_STREAMS = int(os.environ.get("LIVE_MAX_STREAMS", "4000"))
_open_streams = 0


async def _latest(event_pk):
    current = hub.latest.get(event_pk)
    if current is not None:
        return current
    from asgiref.sync import sync_to_async

    from . import state

    withdrawals = hub.withdrawals.get(event_pk, 0)
    payload = await sync_to_async(state.get_payload_outside_requests, thread_sensitive=False)(event_pk)
    if payload is None:
        return None
    import json

    version = json.loads(payload)["version"]
    # Sent back to draft while this was read: the hub says so, and the old state is dropped.
    return hub.remember(event_pk, version, sse_frame(event_id=version, data=payload), withdrawals=withdrawals)


def _header(scope, name):
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _send_404(send):
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Not found"})


async def _send_busy(send):
    await send({
        "type": "http.response.start", "status": 503,
        "headers": [(b"content-type", b"text/plain"), (b"retry-after", b"30")],
    })
    await send({"type": "http.response.body", "body": b"Too many live connections: poll the state instead."})


async def app(scope, receive, send):
    global _open_streams

    match = PATH.match(scope["path"])
    if scope["type"] != "http" or match is None or scope["method"] != "GET":
        await _send_404(send)
        return
    if _open_streams >= MAX_STREAMS:
        await _send_busy(send)
        return
    _open_streams += 1
    try:
        await _stream(int(match.group(1)), scope, receive, send)
    finally:
        _open_streams -= 1


# event pk -> (version, the state's JSON as bytes), taken once from the hub's newest frame.
_documents = {}


def _document(event_pk, version, frame):
    """The JSON inside an SSE frame (sse_frame's inverse), kept until the next version."""
    held = _documents.get(event_pk)
    if held is not None and held[0] == version:
        return held[1]
    body = b"\n".join(line[6:] for line in frame.split(b"\n") if line.startswith(b"data: "))
    _documents[event_pk] = (version, body)
    return body


async def state_app(scope, receive, send):
    """The polling fallback (live.js polls every 2-3 s when the stream fails), without Django.

    The same document as the stream and as the `live:state` view, from the hub this
    process keeps current (publications here, or relayed from Redis), so that thousands of
    polling phones cost a dictionary lookup each rather than a trip through Django.
    """
    match = STATE_PATH.match(scope["path"])
    if match is None or scope["method"] not in ("GET", "HEAD"):
        await send({"type": "http.response.start", "status": 405 if match else 404,
                    "headers": [(b"content-type", b"text/plain"), (b"allow", b"GET, HEAD")]})
        await send({"type": "http.response.body", "body": b"Method not allowed" if match else b"Not found"})
        return
    event_pk = int(match.group(1))
    latest = await _latest(event_pk)
    if latest is None:
        await _send_404(send)
        return
    body = _document(event_pk, *latest)
    await send({
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-cache"),
            (b"x-content-type-options", b"nosniff"),
            (b"x-server-now", str(int(time.time() * 1000)).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


async def _stream(event_pk, scope, receive, send):
    try:
        last_seen = int(_header(scope, b"last-event-id") or -1)
    except ValueError:
        last_seen = -1
    # Subscribe before reading the latest state: a state published in between is not missed.
    subscription = hub.subscribe(event_pk)
    watcher = None
    try:
        latest = await _latest(event_pk)
        if latest is None:
            await _send_404(send)
            return

        async def watch_disconnect():
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    subscription.close()
                    return

        watcher = asyncio.ensure_future(watch_disconnect())
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
        sent, frame = latest
        if sent != last_seen:
            opening += frame
        await send({"type": "http.response.body", "body": opening, "more_body": True})
        subscription.keep_alive(KEEPALIVE_SECONDS)
        while True:
            item = await subscription.get()
            if subscription.closed:
                return
            if item is KEEPALIVE:
                await send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
                continue
            version, frame = item
            if frame is None:  # the event went back to draft
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if version > sent:
                await send({"type": "http.response.body", "body": frame, "more_body": True})
                sent = version
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(event_pk, subscription)
        if watcher is not None:
            watcher.cancel()
