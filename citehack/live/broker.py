"""Live events between the process that changes the state and the processes holding streams.

One process (the venue laptop): an in-process broker hands each message to the mailboxes
of the streams open in this process. Several processes: with REDIS_URL set, messages
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
    """Encode one Server-Sent Events frame (bytes).

    Lines split on the line ends of the SSE format only (CR, LF): str.splitlines would also
    split on U+2028, U+2029 or U+0085, which JSON keeps raw inside strings (an announcement
    pasted from a word processor), and the browser would rejoin the parts with a newline.
    """
    lines = [f"id: {event_id}", f"event: {event}"]
    lines += [f"data: {line}" for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


class Hub:
    """The streams open in this process, per event, and the latest message of each event.

    Streams served by the ASGI application wait on a Subscription each; streams served
    through WSGI (tests, the pages-only server) wait on thread queues. A frame can be
    delivered from any thread: the asyncio side is reached through the loop.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._async = {}
        self._sync = {}
        self.latest = {}
        self.withdrawals = {}  # event pk -> how many times withdrawn (see remember)
        self.loop = None

    def subscribe(self, event_pk):
        """A mailbox for a stream served in this process's event loop."""
        subscription = Subscription()
        with self._lock:
            self.loop = asyncio.get_running_loop()
            self._async.setdefault(event_pk, set()).add(subscription)
        return subscription

    def subscribe_sync(self, event_pk):
        q = queue_module.Queue(maxsize=8)
        with self._lock:
            self._sync.setdefault(event_pk, set()).add(q)
        return q

    def unsubscribe(self, event_pk, queue):
        if isinstance(queue, Subscription):
            queue.close()  # stops its keep-alive timer
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

    def withdraw(self, event_pk):
        """Forget the event's state and end its streams (it went back to draft)."""
        with self._lock:
            self.latest.pop(event_pk, None)
            self.withdrawals[event_pk] = self.withdrawals.get(event_pk, 0) + 1
            targets = self._targets(event_pk)
        self._hand_out(WITHDRAWN, *targets)

    def remember(self, event_pk, version, frame, *, withdrawals):
        """Keep a state read from the cache or the database, unless a newer one arrived or the
        event was withdrawn since the read began (`withdrawals` as counted then); return the
        newest (version, frame) held, or None if the event is withdrawn."""
        with self._lock:
            if self.withdrawals.get(event_pk, 0) != withdrawals:
                return self.latest.get(event_pk)
            current = self.latest.get(event_pk)
            if current is None or current[0] < version:
                self.latest[event_pk] = current = (version, frame)
            return current

    def deliver(self, event_pk, version, frame):
        """Record the event's newest frame and hand it to every stream of the event."""
        item = (version, frame)
        with self._lock:
            current = self.latest.get(event_pk)
            if current is not None and current[0] >= version:
                return
            self.latest[event_pk] = item
            targets = self._targets(event_pk)
        self._hand_out(item, *targets)

    def _targets(self, event_pk):
        return list(self._async.get(event_pk, ())), list(self._sync.get(event_pk, ())), self.loop

    @staticmethod
    def _hand_out(item, async_queues, sync_queues, loop):
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


# What a stream receives when its event is withdrawn: it ends.
WITHDRAWN = (None, None)


KEEPALIVE = object()


class Subscription:
    """An asyncio stream's mailbox: only the newest (version, frame), as each frame is a whole state.

    Used from the event loop's thread only. With thousands of streams a fan-out must stay
    cheap: waking a stream costs one future, and the keep-alive timer is not re-armed per
    message but ticks on its own and asks for a keep-alive after a silent period.
    """

    __slots__ = ("item", "waiter", "closed", "idle", "nudged", "_timer")

    def __init__(self):
        self.item = None
        self.waiter = None
        self.closed = False
        self.idle = False
        self.nudged = False
        self._timer = None

    def put(self, item):
        self.item = item
        self._wake()

    def close(self):
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._wake()

    def keep_alive(self, seconds):
        """Ask for a keep-alive (get() returns KEEPALIVE) when nothing came for `seconds`."""

        def tick():
            if self.closed:
                return
            if self.idle:
                self.nudged = True
                self._wake()
            self.idle = True
            self._timer = loop.call_later(seconds, tick)

        loop = asyncio.get_running_loop()
        self.idle = False
        self._timer = loop.call_later(seconds, tick)

    def _wake(self):
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self):
        """The newest item not yet taken, KEEPALIVE after a silence, or None once closed."""
        if self.item is None and not self.closed and not self.nudged:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        item, self.item = self.item, None
        if item is None:
            if self.nudged and not self.closed:
                self.nudged = False
                return KEEPALIVE
            return None
        self.nudged = False
        self.idle = False
        return item


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


def _fan_out(subscriptions, item):
    for subscription in subscriptions:
        subscription.put(item)


hub = Hub()


class InProcessBroker:
    def publish(self, event_pk, version, payload):
        hub.deliver(event_pk, version, sse_frame(event_id=version, data=payload))

    def withdraw(self, event_pk):
        hub.withdraw(event_pk)


def _relay_message(data):
    if data.get("withdraw"):
        hub.withdraw(data["event"])
    else:
        hub.deliver(data["event"], data["version"], sse_frame(event_id=data["version"], data=data["payload"]))


class RedisBroker:
    def __init__(self, url):
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url)
        # Pub/sub channels ignore the database number: put it in the channel name, so that
        # sites (or test runs) sharing a Redis server by database do not hear each other.
        db = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"{CHANNEL_PREFIX}{db}:"

    def _send(self, event_pk, message):
        try:
            self.client.publish(f"{self.prefix}{event_pk}", json.dumps(message))
        except Exception:  # the state is also in the cache: streams catch up on reconnect
            logger.exception("live: could not publish to Redis")

    def publish(self, event_pk, version, payload):
        self._send(event_pk, {"event": event_pk, "version": version, "payload": payload})

    def withdraw(self, event_pk):
        self._send(event_pk, {"event": event_pk, "withdraw": True})

    async def relay(self, stop: asyncio.Event | None = None):
        """Forward Redis messages to this process's hub until `stop` is set; reconnect on errors."""
        import redis.asyncio as aioredis

        while stop is None or not stop.is_set():
            client = aioredis.Redis.from_url(self.url)
            try:
                pubsub = client.pubsub()
                await pubsub.psubscribe(f"{self.prefix}*")
                await catch_up()
                while stop is None or not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None:
                        continue
                    _relay_message(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live: Redis relay lost, reconnecting")
                await asyncio.sleep(1)
            finally:
                await client.aclose()


async def catch_up():
    """Bring the states held here up to date from the shared cache (or the database).

    Messages published while the relay was not subscribed (Redis restarted, network cut)
    are lost: without this, new streams would get a stale snapshot until the next action.
    """
    from asgiref.sync import sync_to_async

    from . import state

    for event_pk in list(hub.latest):
        withdrawals = hub.withdrawals.get(event_pk, 0)
        payload = await sync_to_async(state.get_payload_outside_requests, thread_sensitive=False)(event_pk)
        if payload is None:
            hub.withdraw(event_pk)
            continue
        if hub.withdrawals.get(event_pk, 0) != withdrawals:
            continue  # withdrawn while this was read: the old state must not come back
        version = json.loads(payload)["version"]
        hub.deliver(event_pk, version, sse_frame(event_id=version, data=payload))


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
