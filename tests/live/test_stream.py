"""The event stream in one process: the real ASGI application (citehack.asgi) driven in-process.

Pages go through a2wsgi's threads and the stream through the raw ASGI app, as under
`citehack serve`; the tests commit (transaction=True) so that those threads see the data.
"""

import asyncio
import json
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from citehack.asgi import application
from citehack.events.models import Phase
from citehack.live import services, state, stream
from citehack.live.broker import hub
from tests.factories import EventFactory

from .asgi_harness import Exchange, request, scope_for, sse_events
from .helpers import run_async, version_of

pytestmark = pytest.mark.django_db(transaction=True)


def stream_path(event_pk):
    return reverse("live:stream", args=[event_pk])


def connect(event_pk, *, last_event_id=None):
    headers = [("accept", "text/event-stream")]
    if last_event_id is not None:
        headers.append(("last-event-id", str(last_event_id)))
    return Exchange(application, scope_for("GET", stream_path(event_pk), headers=headers))


def run(scenario):
    return run_async(scenario)


@pytest.fixture
def started(event, organiser):
    services.start_timer(actor=organiser, event=event, minutes=30, label="Sprint")
    return event


def test_client_receives_the_snapshot_on_connect(started):
    expected = state.build(started)

    async def scenario():
        client = connect(started.pk)
        assert await client.start() == 200
        await client.read_until(b"event: state", timeout=5)
        await client.disconnect()
        return client

    client = run(scenario)
    assert client.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert client.headers["cache-control"] == "no-cache, no-transform"
    assert client.headers["x-accel-buffering"] == "no"
    retry = re.match(rb"retry: (\d+)\n\n", client.body)
    assert retry and stream.RETRY_MS[0] <= int(retry.group(1)) <= stream.RETRY_MS[1]
    ((event_id, name, data),) = sse_events(client.body)
    assert (event_id, name) == (expected["version"], "state")
    assert json.loads(data) == expected


def test_control_room_action_reaches_a_connected_client(started, organiser):
    """The organiser's POST goes through the pages (a2wsgi threads), the state through the hub."""
    browser = Client()
    browser.force_login(organiser)
    session = {"sessionid": browser.cookies["sessionid"].value}
    control = reverse("live:control", args=[started.slug])
    announce = reverse("live:action", args=[started.slug, "announce"])
    version = version_of(started)

    async def scenario():
        page = await request(application, "GET", control, cookies=session)
        assert page.status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
        cookies = {**session, "csrftoken": page.cookies["csrftoken"].value}

        screen = connect(started.pk)
        await screen.start()
        await screen.read_until(b"event: state", timeout=5)

        loop = asyncio.get_running_loop()
        sent = loop.time()
        posted = await request(application, "POST", announce, cookies=cookies, data={
            "csrfmiddlewaretoken": token, "text": "Rendez-vous en salle 2", "minutes": ""})
        assert posted.status == 302, posted.body[:500]
        assert posted.headers["location"] == control
        frame = await screen.read_until(b"\n\n", timeout=1)
        elapsed = loop.time() - sent
        await screen.disconnect()
        return frame, elapsed

    frame, elapsed = run(scenario)
    ((event_id, _name, data),) = sse_events(frame)
    assert event_id == version + 1
    assert [a["text"] for a in json.loads(data)["announcements"]] == ["Rendez-vous en salle 2"]
    assert elapsed < 1


def test_service_call_from_another_thread_reaches_every_client(started, organiser):
    version = version_of(started)

    async def scenario():
        screens = [connect(started.pk) for _ in range(20)]
        for screen in screens:
            await screen.start()
            await screen.read_until(b"event: state")
        assert hub.count(started.pk) == 20
        await asyncio.to_thread(services.pause_timer, actor=organiser, event=started)
        frames = [await screen.read_until(b"\n\n", timeout=2) for screen in screens]
        for screen in screens:
            await screen.disconnect()
        return frames

    frames = run(scenario)
    assert len(set(frames)) == 1  # one frame, encoded once, the same bytes for every client
    ((event_id, _name, data),) = sse_events(frames[0])
    assert event_id == version + 1
    assert json.loads(data)["timer"]["paused"] is True


def test_last_event_id_equal_to_the_current_version_gets_no_snapshot(started, organiser):
    version = version_of(started)

    async def scenario():
        up_to_date = connect(started.pk, last_event_id=version)
        behind = connect(started.pk, last_event_id=version - 1)
        await up_to_date.start()
        await behind.start()
        opening = await up_to_date.read_chunk()
        await behind.read_until(b"event: state")
        # Nothing more comes until the state changes.
        with pytest.raises(asyncio.TimeoutError):
            await up_to_date.read_chunk(timeout=0.3)
        await asyncio.to_thread(services.extend_timer, actor=organiser, event=started, minutes=5)
        update = await up_to_date.read_until(b"\n\n", timeout=2)
        await up_to_date.disconnect()
        await behind.disconnect()
        return opening, update, behind.body

    opening, update, behind = run(scenario)
    assert re.fullmatch(rb"retry: \d+\n\n", opening)
    assert [e[0] for e in sse_events(update)] == [version + 1]
    assert sse_events(behind)[0][0] == version


def test_unknown_and_draft_events_get_404(event):
    draft = EventFactory(phase=Phase.DRAFT)
    services.start_timer(actor=None, event=draft, minutes=5)

    async def scenario():
        statuses = []
        for pk in (draft.pk, event.pk + 1000):
            exchange = connect(pk)
            await exchange.read_all()
            statuses.append((exchange.status, exchange.body))
        return statuses

    for status, body in run(scenario):
        assert status == 404
        assert draft.title.encode() not in body
    assert hub.count() == 0


def test_stream_path_answers_only_get():
    async def scenario():
        exchange = Exchange(application, scope_for("POST", "/live/1/stream/"))
        await exchange.read_all()
        return exchange.status

    assert run(scenario) == 404


def test_keep_alive_comment_arrives(started, monkeypatch):
    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 0.05)

    async def scenario():
        client = connect(started.pk)
        await client.start()
        await client.read_until(b"event: state")
        chunk = await client.read_until(b": keep-alive\n\n", timeout=2)
        await client.disconnect()
        return chunk

    assert b": keep-alive\n\n" in run(scenario)


def test_disconnection_unsubscribes(started):
    async def scenario():
        clients = [connect(started.pk) for _ in range(50)]
        for client in clients:
            await client.start()
            await client.read_until(b"event: state")
        connected = hub.count(started.pk)
        for client in clients[:25]:
            await client.disconnect()
        half = hub.count(started.pk)
        for client in clients[25:]:
            await client.disconnect()
        return connected, half, [client.task.done() for client in clients]

    connected, half, done = run(scenario)
    assert (connected, half) == (50, 25)
    assert all(done)
    assert hub.count(started.pk) == 0
    assert hub.count() == 0


def test_event_moved_back_to_draft_ends_its_streams(started):
    async def scenario():
        client = connect(started.pk)
        await client.start()
        await client.read_until(b"event: state")

        def to_draft():
            started.phase = Phase.DRAFT
            started.save()

        await asyncio.to_thread(to_draft)
        await client.read_all(timeout=2)
        again = connect(started.pk)
        await again.read_all()
        return client, again.status

    client, status = run(scenario)
    assert client.ended
    assert status == 404
    assert hub.count() == 0


def test_lifespan_starts_and_stops_without_redis(settings):
    settings.REDIS_URL = ""

    async def scenario():
        incoming = asyncio.Queue()
        sent = []

        async def send(message):
            sent.append(message["type"])

        task = asyncio.ensure_future(application({"type": "lifespan"}, incoming.get, send))
        await incoming.put({"type": "lifespan.startup"})
        await incoming.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(task, 2)
        return sent

    assert run(scenario) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_other_paths_go_to_the_pages(event):
    async def scenario():
        return await request(application, "GET", reverse("live:state", args=[event.pk]))

    response = run(scenario)
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.body)["event"]["id"] == event.pk


def test_streams_beyond_the_cap_are_refused_so_pages_keep_their_slots(started, monkeypatch):
    monkeypatch.setattr(stream, "MAX_STREAMS", 2)

    async def scenario():
        first, second = connect(started.pk), connect(started.pk)
        for client in (first, second):
            assert await client.start() == 200
        third = connect(started.pk)
        await third.read_all()
        # The pages are still served meanwhile.
        page = await request(application, "GET", reverse("live:state", args=[started.pk]))
        await first.disconnect()
        fourth = connect(started.pk)
        status = await fourth.start()
        await second.disconnect()
        await fourth.disconnect()
        return third, page.status, status

    third, page_status, fourth_status = run(scenario)
    assert third.status == 503
    assert third.headers["retry-after"] == "30"
    assert (page_status, fourth_status) == (200, 200)
    assert stream._open_streams == 0


def test_relay_catches_up_from_the_cache_after_a_redis_outage(started, organiser, monkeypatch):
    """States published while the relay was away reach the streams when it subscribes again."""
    from citehack.live import broker

    version = version_of(started)
    hub.latest[started.pk] = (version, b"held before the outage")
    # Published by another process while this one heard nothing: only the shared cache has it.
    with monkeypatch.context() as patch:
        patch.setattr(broker.InProcessBroker, "publish", lambda self, *args: None)
        services.extend_timer(actor=organiser, event=started, minutes=5)
    assert hub.latest[started.pk][0] == version

    async def scenario():
        client = connect(started.pk, last_event_id=version)
        await client.start()
        await client.read_chunk()
        await broker.catch_up()
        frame = await client.read_until(b"\n\n", timeout=2)
        await client.disconnect()
        return frame

    ((event_id, _name, data),) = sse_events(run(scenario))
    assert event_id == version + 1
    assert json.loads(data)["timer"]["duration_ms"] == 35 * 60 * 1000
    assert hub.latest[started.pk][0] == version + 1


# --- the polling fallback, state.json, served by the raw ASGI application -----------------------


def poll(path, method="GET"):
    async def scenario():
        return await request(application, method, path)

    return run(scenario)


def test_state_json_is_the_streams_document_without_django(started, organiser, monkeypatch):
    import citehack.asgi

    async def no_django(scope, receive, send):
        raise AssertionError("state.json went through Django")

    django_view = Client().get(reverse("live:state", args=[started.pk]))
    monkeypatch.setattr(citehack.asgi, "pages", no_django)
    before_ms = int(time.time() * 1000)

    answer = poll(reverse("live:state", args=[started.pk]))

    assert answer.status == 200
    assert json.loads(answer.body) == json.loads(django_view.content) == state.build(started)
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert int(answer.headers["content-length"]) == len(answer.body)
    assert before_ms <= int(answer.headers["x-server-now"]) <= before_ms + 5000


def test_state_json_follows_each_action(started, organiser):
    path = reverse("live:state", args=[started.pk])
    first = json.loads(poll(path).body)
    services.pause_timer(actor=organiser, event=started)
    second = json.loads(poll(path).body)
    services.announce(actor=organiser, event=started, text="Pause déjeuner")

    third = json.loads(poll(path).body)

    assert second["version"] == first["version"] + 1 and second["timer"]["paused"] is True
    assert third["version"] == first["version"] + 2
    assert [a["text"] for a in third["announcements"]] == ["Pause déjeuner"]
    assert third == state.build(started)


def test_state_json_refuses_drafts_unknown_events_and_other_methods(started, organiser):
    draft = EventFactory(phase=Phase.DRAFT)
    services.start_timer(actor=None, event=draft, minutes=5)

    for pk in (draft.pk, started.pk + 1000):
        answer = poll(reverse("live:state", args=[pk]))
        assert answer.status == 404 and draft.title.encode() not in answer.body
    posted = poll(reverse("live:state", args=[started.pk]), method="POST")
    assert posted.status == 405 and posted.headers["allow"] == "GET, HEAD"
    head = poll(reverse("live:state", args=[started.pk]), method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 0


def test_state_json_of_an_event_sent_back_to_draft_is_gone(started, organiser):
    path = reverse("live:state", args=[started.pk])
    assert poll(path).status == 200
    started.phase = Phase.DRAFT
    started.save()  # the live.signals receiver withdraws its state from the hub once committed

    assert poll(path).status == 404


@pytest.mark.postgres  # SQLite's in-memory test database never closes its connections
def test_the_streams_worker_threads_close_their_database_connection(started, monkeypatch):
    """No request ends in the threads that read the state for the ASGI streams: the read
    closes the thread's connection once stale (here at once), as Django does after a request."""
    import threading

    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    seen = {}

    def read(reader, key):
        payload = reader(started.pk)
        seen[key] = (payload, connection.connection is not None)
        connection.close()

    for key, reader in (("plain", state.get_payload), ("outside", state.get_payload_outside_requests)):
        from django.core.cache import cache

        cache.clear()  # make the read reach the database
        thread = threading.Thread(target=read, args=(reader, key))
        thread.start()
        thread.join()

    assert json.loads(seen["outside"][0]) == json.loads(seen["plain"][0]) == state.build(started)
    assert seen["plain"][1] is True  # the plain read leaves the thread's connection open
    assert seen["outside"][1] is False


def test_a_line_separator_in_an_announcement_keeps_the_stream_and_the_poll_valid_json(started, organiser):
    """U+2028 is a line end for str.splitlines but not for the SSE format, and JSON keeps it raw."""
    text = "Pause\u2028café\u2029puis\x85pitchs"
    services.announce(actor=organiser, event=started, text=text)

    async def scenario():
        client = connect(started.pk)
        await client.start()
        await client.read_until(b"event: state", timeout=5)
        await client.disconnect()
        polled = await request(application, "GET", reverse("live:state", args=[started.pk]))
        return client.body, polled

    body, polled = run(scenario)
    ((_id, _name, data),) = sse_events(body)
    assert [a["text"] for a in json.loads(data)["announcements"]] == [text]
    assert [a["text"] for a in json.loads(polled.body)["announcements"]] == [text]


def test_an_event_sent_back_to_draft_during_the_first_read_is_not_brought_back(started, monkeypatch):
    """The first poll after a restart reads the state in a thread; if the event is withdrawn
    meanwhile, the state read before must not be kept (it would serve a draft event)."""
    hub.latest.pop(started.pk, None)
    real = state.get_payload_outside_requests

    def read_then_withdrawn(event_pk):
        payload = real(event_pk)
        hub.withdraw(event_pk)  # the organiser's "back to draft" lands while the read returns
        return payload

    monkeypatch.setattr(state, "get_payload_outside_requests", read_then_withdrawn)
    answer = poll(reverse("live:state", args=[started.pk]))

    assert answer.status == 404
    assert started.pk not in hub.latest


def test_remember_keeps_the_newest_state_and_respects_withdrawals():
    hub.latest.pop(999_001, None)
    assert hub.remember(999_001, 3, b"three", withdrawals=hub.withdrawals.get(999_001, 0)) == (3, b"three")
    assert hub.remember(999_001, 2, b"two", withdrawals=hub.withdrawals.get(999_001, 0)) == (3, b"three")
    before = hub.withdrawals.get(999_001, 0)
    hub.withdraw(999_001)
    assert hub.remember(999_001, 4, b"four", withdrawals=before) is None
    assert 999_001 not in hub.latest
