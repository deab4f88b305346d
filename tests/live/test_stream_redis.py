"""The stream across two processes through Redis, as in production.

A `citehack serve` subprocess (granian, the ASGI application, REDIS_URL set) holds the
stream; this test process acts as a pages-only worker would: its control-room action is
published to Redis and relayed by the server to its streams. Both processes share the
database: a file SQLite database (migrated by the subprocess), or the PostgreSQL test
database when DATABASE_URL points at PostgreSQL.

Skipped, with a reason starting "NEEDS-REDIS", where no Redis answers.
"""

import http.client
import json
import os
import time

import pytest

from citehack.live import broker, services
from tests.factories import EventFactory, MembershipFactory
from tests.live.helpers import run_async

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_url():
    import redis

    url = os.environ.get("REDIS_TEST_URL") or DEFAULT_REDIS
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"NEEDS-REDIS: no Redis at {url} ({error}); start redis-server or set REDIS_TEST_URL")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def server(redis_url, serve):
    """`citehack serve` in a subprocess, with REDIS_URL."""
    return serve(REDIS_URL=redis_url)


@pytest.fixture
def publish_through_redis(settings, redis_url):
    """This process publishes to Redis and caches there, as a pages-only worker does."""
    settings.REDIS_URL = redis_url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    broker.reset_broker()
    assert isinstance(broker.get_broker(), broker.RedisBroker)
    yield
    broker.reset_broker()


class SSEReader:
    """A stream opened with http.client, read block by block."""

    def __init__(self, port, path, headers=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.connection.getresponse()
        self.body = b""
        self.cursor = 0

    def block(self, timeout=5):
        """The next block ending with a blank line (a frame, `retry:` or a comment)."""
        deadline = time.monotonic() + timeout
        while (end := self.body.find(b"\n\n", self.cursor)) < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing arrived in {timeout} s; got {self.body[self.cursor:]!r}")
            self.connection.sock.settimeout(left)
            chunk = self.response.read1(65536)
            if not chunk:
                raise AssertionError("the stream ended")
            self.body += chunk
        block, self.cursor = self.body[self.cursor:end], end + 2
        return block.decode()

    def state(self, timeout=5):
        """The (version, document) of the next state frame."""
        deadline = time.monotonic() + timeout
        while True:
            lines = dict(line.split(": ", 1) for line in self.block(deadline - time.monotonic()).split("\n") if ": " in line)
            if lines.get("event") == "state":
                return int(lines["id"]), json.loads(lines["data"])

    def close(self):
        self.connection.close()


def wait_for_relay(redis_url, timeout=10):
    """Until the server's relay has subscribed to the live channels."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while client.pubsub_numpat() < 1:
        assert time.monotonic() < deadline, "the server never subscribed to Redis"
        time.sleep(0.05)
    client.close()


def test_action_in_one_process_reaches_a_stream_served_by_another_through_redis(server, redis_url, publish_through_redis):
    event = EventFactory(title="Journée à deux processus")
    organiser = MembershipFactory(event=event, role="organiser").user
    services.start_timer(actor=organiser, event=event, minutes=30)
    version = services.LiveState.objects.get(event=event).version
    wait_for_relay(redis_url)

    screen = SSEReader(server, f"/live/{event.pk}/stream/")
    assert screen.response.status == 200
    assert screen.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    assert screen.block().startswith("retry: ")
    snapshot_version, snapshot = screen.state()
    assert snapshot_version == version
    assert snapshot["event"]["title"] == "Journée à deux processus"

    sent = time.monotonic()
    services.announce(actor=organiser, event=event, text="Publié par un autre processus")
    update_version, update = screen.state(timeout=1.5)
    elapsed = time.monotonic() - sent
    assert update_version == version + 1
    assert [a["text"] for a in update["announcements"]] == ["Publié par un autre processus"]
    assert elapsed < 1
    screen.close()

    # A screen connecting now gets the new state at once, and polling sees it too.
    late = SSEReader(server, f"/live/{event.pk}/stream/", headers={"Last-Event-ID": str(version)})
    assert late.state()[0] == version + 1
    late.close()
    polling = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    polling.request("GET", f"/live/{event.pk}/state.json")
    assert json.loads(polling.getresponse().read())["version"] == version + 1
    polling.close()


def test_relay_catches_up_when_it_subscribes(redis_url, publish_through_redis):
    """A relay (re)subscribing after an outage brings held states up to date from the cache."""
    import asyncio

    event = EventFactory()
    services.start_timer(actor=None, event=event, minutes=30)
    version = services.LiveState.objects.get(event=event).version
    broker.hub.latest[event.pk] = (version - 1, b"held before the outage")

    async def scenario():
        subscription = broker.hub.subscribe(event.pk)
        stop = asyncio.Event()
        relay = asyncio.ensure_future(broker.get_broker().relay(stop))
        try:
            item = await asyncio.wait_for(subscription.get(), 5)
        finally:
            stop.set()
            await asyncio.wait_for(relay, 5)
            broker.hub.unsubscribe(event.pk, subscription)
        return item

    # The state was published to Redis before the relay listened: only the cache has it.
    version_seen, frame = run_async(scenario)
    assert version_seen == version
    assert frame.startswith(f"id: {version}\nevent: state\n".encode())


def test_channels_are_separate_per_redis_database(redis_url):
    """Two sites on one Redis server, by database number, do not hear each other."""
    base = redis_url.rsplit("/", 1)[0]
    assert broker.RedisBroker(f"{base}/14").prefix != broker.RedisBroker(f"{base}/13").prefix
