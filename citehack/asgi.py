"""ASGI entry point: the live stream, and every other page through the WSGI application.

`citehack serve` runs this in one process for the venue laptop: the event stream and its
polling fallback (state.json) are raw ASGI applications (citehack.live.stream) and pages go
to Django's WSGI handler in a thread pool, which is faster than Django's own ASGI handler
(shared/SERVING.md). With REDIS_URL set,
live events published by other processes are relayed to the streams held here.
"""

import asyncio
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citehack.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402

from citehack.live import stream  # noqa: E402
from citehack.wsgi import application as wsgi_application  # noqa: E402

pages = WSGIMiddleware(wsgi_application, workers=int(os.environ.get("THREADS", "8")))


async def lifespan(receive, send):
    stop = asyncio.Event()
    relay = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if settings.REDIS_URL:
                from citehack.live.broker import get_broker

                relay = asyncio.ensure_future(get_broker().relay(stop))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            stop.set()
            if relay is not None:
                relay.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
    elif scope["type"] == "http" and stream.PATH.match(scope["path"]):
        await stream.app(scope, receive, send)
    elif scope["type"] == "http" and stream.STATE_PATH.match(scope["path"]):
        await stream.state_app(scope, receive, send)
    else:
        # a2wsgi reads the request body from its threads with run_coroutine_threadsafe, which
        # needs a coroutine; granian's receive() returns another kind of awaitable.
        async def receive_coroutine():
            return await receive()

        await pages(scope, receive_coroutine, send)
