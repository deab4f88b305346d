"""Live events between the process that changes the state and the processes holding streams.

One process (the venue laptop): an in-process broker hands each message to the asyncio
queues of the streams open in this process. Several processes: with REDIS_URL set, messages
go through Redis pub/sub and every stream process relays them to its own streams.

A message is the event's whole state, already encoded once as an SSE frame; the state is
small (a few kB), so a client that missed messages only needs the latest one.
"""

import asyncio
import json
import logging
import queue as queue_module
import threading

logger = logging.getLogger(__name__)
CHANNEL_PREFIX = "citehack:live:"


def sse_frame(*, event_id, data, event="state"):
    """Encode one Server-Sent Events frame (bytes)."""
    lines = [f"id: {event_id}", f"event: {event}"]
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return ("\n".join(lines) + "\n\n").encode()


class Hub:
    """The streams open in this process, per event, and the latest message of each event.

    Streams served by the ASGI application wait on asyncio queues; streams served through
    WSGI (tests, the pages-only server) wait on thread queues. A frame can be delivered
    from any thread.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._async = {}
        self._sync = {}
        self.latest = {}
        self.loop = None

    def subscribe(self, event_pk):
        queue = asyncio.Queue(maxsize=8)
        with self._lock:
            self.loop = asyncio.get_running_loop()
            self._async.setdefault(event_pk, set()).add(queue)
        return queue

    def subscribe_sync(self, event_pk):
        q = queue_module.Queue(maxsize=8)
        with self._lock:
            self._sync.setdefault(event_pk, set()).add(q)
        return q

    def unsubscribe(self, event_pk, queue):
        with self._lock:
            for table in (self._async, self._sync):
                queues = table.get(event_pk)
                if queues and queue in queues:
                    queues.discard(queue)
                    if not queues:
                        del table[event_pk]

    def count(self, event_pk=None):
        with self._lock:
            tables = (self._async, self._sync)
            if event_pk is None:
                return sum(len(q) for table in tables for q in table.values())
            return sum(len(table.get(event_pk, ())) for table in tables)

    def deliver(self, event_pk, version, frame):
        """Record the event's newest frame and hand it to every stream of the event."""
        item = (version, frame)
        with self._lock:
            current = self.latest.get(event_pk)
            if current is not None and current[0] >= version:
                return
            self.latest[event_pk] = item
            async_queues = list(self._async.get(event_pk, ()))
            sync_queues = list(self._sync.get(event_pk, ()))
            loop = self.loop
        for q in sync_queues:
            _put_newest(q, item, queue_module.Empty, queue_module.Full)
        if async_queues and loop is not None and not loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                _fan_out(async_queues, item)
            else:
                loop.call_soon_threadsafe(_fan_out, async_queues, item)


def _put_newest(q, item, empty, full):
    """Queue `item`; a stream too slow to keep up only needs the newest state: drop the oldest."""
    while True:
        try:
            q.put_nowait(item)
            return
        except full:
            try:
                q.get_nowait()
            except empty:
                pass


def _fan_out(queues, item):
    for q in queues:
        _put_newest(q, item, asyncio.QueueEmpty, asyncio.QueueFull)


hub = Hub()


class InProcessBroker:
    def publish(self, event_pk, version, payload):
        hub.deliver(event_pk, version, sse_frame(event_id=version, data=payload))


class RedisBroker:
    def __init__(self, url):
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url)

    def publish(self, event_pk, version, payload):
        message = json.dumps({"event": event_pk, "version": version, "payload": payload})
        try:
            self.client.publish(f"{CHANNEL_PREFIX}{event_pk}", message)
        except Exception:  # the state is also in the cache: streams catch up on reconnect
            logger.exception("live: could not publish to Redis")

    async def relay(self, stop: asyncio.Event | None = None):
        """Forward Redis messages to this process's hub until `stop` is set; reconnect on errors."""
        import redis.asyncio as aioredis

        while stop is None or not stop.is_set():
            client = aioredis.Redis.from_url(self.url)
            try:
                pubsub = client.pubsub()
                await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                while stop is None or not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None:
                        continue
                    data = json.loads(message["data"])
                    hub.deliver(
                        data["event"], data["version"], sse_frame(event_id=data["version"], data=data["payload"])
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live: Redis relay lost, reconnecting")
                await asyncio.sleep(1)
            finally:
                await client.aclose()


_broker = None


def get_broker():
    global _broker
    if _broker is None:
        from django.conf import settings

        _broker = RedisBroker(settings.REDIS_URL) if settings.REDIS_URL else InProcessBroker()
    return _broker


def reset_broker():
    global _broker
    _broker = None
