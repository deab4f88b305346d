"""Live push to many screens: Server-Sent Events against the polling fallback, side by side.

Loads the reference day into a throw-away SQLite directory, serves it with `citehack serve`
(granian, the ASGI application, one process: the stream as raw ASGI, pages through a2wsgi),
then from this process, over loopback:

1. push: N simulated screens hold `/live/<pk>/stream/` (HTTP/1.1 by hand on asyncio
   sockets). The demo organiser, signed in with a session, acts from the control room
   every second (an htmx POST, alternately an announcement and a one-minute extension of the
   countdown), as a person at the régie would. Latency is each action's send instant (before
   the POST, so it includes the service and its commit) to each screen's receipt of the frame
   carrying it (wall clock, same machine). The screens read with asyncio protocols and a
   regular expression, so that the client process is not the bottleneck it measures.
2. memory: RSS of the granian worker before and after the N streams are connected.
3. reconnect storm: every screen's connection is cut at once and the state changes; screens
   reconnect after the `retry:` delay the server gave each of them, with Last-Event-ID, as
   EventSource does. Measured: time until all N hold the new state again.
4. polling: the same N screens GET `/live/<pk>/state.json` every 2-3 s (live.js's fallback)
   on keep-alive connections, with the same actions: requests per second served, request
   latency, and action-to-screen latency.

Past stream.MAX_STREAMS (4,000 per process) the server answers 503 and the screens count as
refused (a browser would poll instead).

Usage: .venv/bin/python benchmarks/live_push.py [--clients 1000] [--seconds 20] [--max] [--no-polling]
Targets (2-core machine): p95 < 1 s and p99 < 1.5 s at 2,000 clients, all back within 20 s.
The last line is one JSON object.
"""

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import benchlib
from benchlib import HOST, ROOT, free_port, raise_fd_limit, summary
TARGET_P95_MS, TARGET_P99_MS, TARGET_RECONNECT_S = 1000, 1500, 20
SLUG = "creativite-citoyenne-amiens-2018"


# --- the server ------------------------------------------------------------------------------




class Server(benchlib.Server):
    def __init__(self, env, port, log_path):
        super().__init__("citehack serve", env, ["--port", str(port)], log_path)

    def processes(self):
        """(pid, rss kB, command) of the server process and its descendants."""
        children = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        result = []
        for pid in found:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
                result.append((pid, rss, command))
            except (OSError, AttributeError):
                continue
        return result

    def worker_rss_kb(self):
        """RSS of the granian worker(s): every descendant of the wrapper process."""
        return sum(rss for pid, rss, _ in self.processes() if pid != self.process.pid)

    def total_rss_kb(self):
        return sum(rss for _, rss, _ in self.processes())


# --- the organiser at the control room -------------------------------------------------------

class Organiser:
    """Signed in with the demo password; acts with htmx POSTs like the control room page."""

    def __init__(self, port, email, password):
        self.port = port
        self.cookies = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        sign_in = "/accounts/sign-in/password/"
        status, page = self.request("GET", sign_in)
        if status != 200:
            raise SystemExit(f"the sign-in page answered {status}")
        token = self.token(page)
        status, _ = self.request("POST", sign_in, {"csrfmiddlewaretoken": token, "email": email, "username": email, "password": password})
        if "sessionid" not in self.cookies:
            raise SystemExit(f"could not sign in as {email} (status {status})")
        status, page = self.request("GET", f"/manage/{SLUG}/live/")
        if status != 200:
            raise SystemExit(f"the control room answered {status}")
        self.csrf = self.token(page)

    @staticmethod
    def token(page):
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()

    def request(self, method, path, data=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def act(self, n):
        """One control-room action; returns (send instant, status)."""
        if n % 2:
            path, data = f"/manage/{SLUG}/live/timer-extend/", {"minutes": "1"}
        else:
            path, data = f"/manage/{SLUG}/live/announce/", {"text": f"Annonce {n}", "minutes": "5"}
        sent = time.time()
        try:
            status, _ = self.request("POST", path, {"csrfmiddlewaretoken": self.csrf, **data}, {"HX-Request": "true"})
        except (OSError, http.client.HTTPException) as error:
            print(f"  action {n} failed: {error!r} after {time.time() - sent:.1f} s", file=sys.stderr)
            status = None
        return sent, status

    def start_countdown(self):
        status, _ = self.request("POST", f"/manage/{SLUG}/live/timer-start/", {"csrfmiddlewaretoken": self.csrf, "minutes": "180", "label": "Sprint"}, {"HX-Request": "true"})
        return status


def current_version(port, pk):
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    connection.request("GET", f"/live/{pk}/state.json")
    version = json.loads(connection.getresponse().read())["version"]
    connection.close()
    return version


# --- simulated screens -----------------------------------------------------------------------

class ChunkedParser:
    """Incremental HTTP/1.1 chunked body decoder: feed bytes, get body pieces (None at the end)."""

    def __init__(self):
        self.buffer = b""
        self.left = 0  # data bytes left in the current chunk
        self.skip = 0  # bytes of the CRLF after a chunk still to drop

    def feed(self, data):
        self.buffer += data
        out = []
        while self.buffer:
            if self.skip:
                n = min(self.skip, len(self.buffer))
                self.buffer, self.skip = self.buffer[n:], self.skip - n
            elif self.left:
                take = self.buffer[: self.left]
                self.buffer, self.left = self.buffer[len(take):], self.left - len(take)
                out.append(take)
                if not self.left:
                    self.skip = 2
            else:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                size = int(self.buffer[:end].split(b";", 1)[0], 16)
                self.buffer = self.buffer[end + 2:]
                if size == 0:
                    out.append(None)
                    break
                self.left = size
        return out


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


FRAME_ID = re.compile(rb"\nid: (\d+)\n")
RETRY = re.compile(rb"\nretry: (\d+)\n")


class ScreenProtocol(asyncio.Protocol):
    """Reads a stream with as little work per byte as possible: the client must not be the
    bottleneck it measures. Frames go out as one chunk each, so each arrives whole or starts
    with its `id:` line; the receipt instant is that of the bytes holding the `id:` line."""

    def __init__(self, screen):
        self.screen = screen
        self.head = b""
        self.tail = b"\n"
        self.transport = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        screen = self.screen
        request = (f"GET /live/{screen.pk}/stream/ HTTP/1.1\r\nHost: {HOST}:{screen.port}\r\n"
                   "Accept: text/event-stream\r\nCache-Control: no-cache\r\n")
        if screen.last_id is not None:
            request += f"Last-Event-ID: {screen.last_id}\r\n"
        transport.write((request + "\r\n").encode())

    def data_received(self, data):
        now = time.time()
        if self.head is not None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
                # EventSource gives up on any other status (live.js then polls).
                self.screen.refused = True
                self.transport.abort()
                return
            data, self.head = self.head[end + 4:], None
            self.screen.opened += 1
        text = self.tail + data
        screen = self.screen
        if b"retry: " in text and (match := RETRY.search(text)):
            screen.retry_ms = int(match.group(1))
        for match in FRAME_ID.finditer(text):
            version = int(match.group(1))
            if version not in screen.received:
                screen.received[version] = now
            screen.last_id = version
        self.tail = text[-24:]

    def connection_lost(self, exc):
        if not self.closed.done():
            self.closed.set_result(None)


class Screen:
    """One screen holding the stream, as EventSource does: reconnect after `retry:` ms."""

    def __init__(self, port, pk):
        self.port, self.pk = port, pk
        self.received = {}  # version -> receipt instant
        self.retry_ms = 3000
        self.last_id = None
        self.protocol = None
        self.failures = 0
        self.opened = 0  # streams answered 200
        self.refused = False

    async def run(self, stop):
        loop = asyncio.get_running_loop()
        while not stop.is_set() and not self.refused:
            try:
                _, self.protocol = await loop.create_connection(lambda: ScreenProtocol(self), HOST, self.port)
                await self.protocol.closed
            except OSError:
                pass
            self.failures += 1
            self.protocol = None
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(stop.wait(), self.retry_ms / 1000)
            except asyncio.TimeoutError:
                pass

    def cut(self):
        if self.protocol is not None and self.protocol.transport is not None:
            self.protocol.transport.abort()


async def connect_screens(port, pk, count, stop):
    screens = [Screen(port, pk) for _ in range(count)]
    tasks = []
    started = time.monotonic()
    for index, screen in enumerate(screens):
        tasks.append(asyncio.ensure_future(screen.run(stop)))
        if index % 100 == 99:
            await asyncio.sleep(0.05)  # phones do not all arrive in the same millisecond
    return screens, tasks, started


async def wait_until(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


async def push_run(server, pk, organiser, count, seconds):
    stop = asyncio.Event()
    before_kb = server.worker_rss_kb()
    base = current_version(server.port, pk)
    screens, tasks, started = await connect_screens(server.port, pk, count, stop)
    all_in = await wait_until(lambda: all(base in s.received or s.refused for s in screens), 60)
    connect_seconds = time.monotonic() - started
    refused = sum(s.refused for s in screens)
    if refused:
        print(f"  {refused} screens refused (503): the server's stream cap", file=sys.stderr)
    if not all_in:
        missing = sum(base not in s.received and not s.refused for s in screens)
        print(f"  {missing} screens never got the snapshot", file=sys.stderr)
    screens = [s for s in screens if not s.refused]
    await asyncio.sleep(1)
    after_kb = server.worker_rss_kb()
    kb_per_connection = (after_kb - before_kb) / max(1, len(screens))
    print(f"  {count} screens connected in {connect_seconds:.1f} s; worker RSS {before_kb / 1024:.0f} -> {after_kb / 1024:.0f} MB "
          f"({kb_per_connection:.1f} kB per connection)", file=sys.stderr)

    # Actions every second, from a thread (the organiser's own browser, in effect).
    sends, failed_actions = {}, 0
    for n in range(seconds):
        tick = time.monotonic()
        sent, status = await asyncio.to_thread(organiser.act, n)
        if status != 200:
            failed_actions += 1
            print(f"  action {n} answered {status}", file=sys.stderr)
        sends[base + n + 1] = sent
        await asyncio.sleep(max(0, 1 - (time.monotonic() - tick)))
    last = current_version(server.port, pk)
    if last != base + seconds:
        print(f"  warning: version {last}, expected {base + seconds}", file=sys.stderr)
        sends = {v: t for v, t in sends.items() if v <= last}
    await wait_until(lambda: all(last in s.received for s in screens), 15)
    latencies, lost = [], 0
    for screen in screens:
        for version, sent in sends.items():
            if version in screen.received:
                latencies.append((screen.received[version] - sent) * 1000)
            elif not any(v > version for v in screen.received):
                lost += 1  # never saw it nor anything newer
    push = summary(latencies)
    push["lost"] = lost
    print(f"  push: {json.dumps(push)}", file=sys.stderr)

    # Reconnect storm: cut every connection at once; the state changes meanwhile.
    failures_before = sum(s.failures for s in screens)
    opened_before = {id(s): s.opened for s in screens}
    cut_at = time.monotonic()
    for screen in screens:
        screen.cut()
    sent, _ = await asyncio.to_thread(organiser.act, seconds)
    storm_version = current_version(server.port, pk)

    def is_back(screen):
        return screen.opened > opened_before[id(screen)] and storm_version in screen.received

    back = await wait_until(lambda: all(is_back(s) for s in screens), 90, step=0.02)
    reconnect_seconds = time.monotonic() - cut_at if back else None
    behind = sum(not is_back(s) for s in screens)
    retries = sorted(s.retry_ms for s in screens)
    print(f"  storm: all back in {reconnect_seconds and round(reconnect_seconds, 2)} s (retry {retries[0]}-{retries[-1]} ms; "
          f"{behind} not back; {sum(s.failures for s in screens) - failures_before - len(screens)} failed reconnects)", file=sys.stderr)

    stop.set()
    for screen in screens:
        screen.cut()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "clients": count,
        "refused": refused,
        "connect_seconds": round(connect_seconds, 2),
        **{k: v for k, v in push.items() if k != "n"},
        "samples": push["n"],
        "failed_actions": failed_actions,
        "reconnect_seconds": reconnect_seconds and round(reconnect_seconds, 2),
        "not_back": behind,
        "worker_rss_mb_before": round(before_kb / 1024, 1),
        "worker_rss_mb_after": round(after_kb / 1024, 1),
        "kb_per_connection": round(kb_per_connection, 1),
    }


# --- polling -----------------------------------------------------------------------------------

class Poller:
    def __init__(self, port, pk):
        self.port, self.pk = port, pk
        self.latencies = []
        self.first_seen = {}
        self.errors = 0
        self.version = None

    async def run(self, stop, until_measuring):
        reader = writer = None
        request = f"GET /live/{self.pk}/state.json HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept: application/json\r\n\r\n".encode()
        await asyncio.sleep(random.uniform(0, 3))
        while not stop.is_set():
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, self.port)
                sent = time.time()
                writer.write(request)
                status, headers = await read_head(reader)
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                else:
                    parser, body, done = ChunkedParser(), b"", False
                    while not done:
                        for piece in parser.feed(await reader.read(65536)):
                            if piece is None:
                                done = True
                            else:
                                body += piece
                received = time.time()
                if status != 200:
                    self.errors += 1
                elif until_measuring():
                    self.latencies.append((received - sent) * 1000)
                    version = int(body[11:body.index(b",")])  # {"version":N,...
                    self.first_seen.setdefault(version, received)
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.errors += 1
                if writer is not None:
                    writer.transport.abort()
                writer = None
            try:
                await asyncio.wait_for(stop.wait(), random.uniform(2, 3))
            except asyncio.TimeoutError:
                pass
        if writer is not None:
            writer.transport.abort()


async def polling_run(server, pk, organiser, count, seconds):
    stop = asyncio.Event()
    measuring = {"on": False}
    pollers = [Poller(server.port, pk) for _ in range(count)]
    tasks = [asyncio.ensure_future(p.run(stop, lambda: measuring["on"])) for p in pollers]
    await asyncio.sleep(4)  # every poller has started
    base = current_version(server.port, pk)
    measuring["on"] = True
    started = time.monotonic()
    sends = {}
    for n in range(seconds):
        tick = time.monotonic()
        sent, _ = await asyncio.to_thread(organiser.act, 100 + n)
        sends[base + n + 1] = sent
        await asyncio.sleep(max(0, 1 - (time.monotonic() - tick)))
    await asyncio.sleep(3)  # one more poll each
    measuring["on"] = False
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    requests = [latency for p in pollers for latency in p.latencies]
    to_screen = []
    for poller in pollers:
        seen = sorted(poller.first_seen.items())
        for version, sent in sends.items():
            after = [instant for v, instant in seen if v >= version]
            if after:
                to_screen.append((after[0] - sent) * 1000)
    request_summary = summary(requests)
    screen_summary = summary(to_screen)
    result = {
        "polling_requests_per_second": round(len(requests) / elapsed, 1),
        "polling_request_p50_ms": request_summary["p50_ms"],
        "polling_request_p95_ms": request_summary["p95_ms"],
        "polling_request_p99_ms": request_summary["p99_ms"],
        "polling_to_screen_p50_ms": screen_summary["p50_ms"],
        "polling_to_screen_p95_ms": screen_summary["p95_ms"],
        "polling_to_screen_p99_ms": screen_summary["p99_ms"],
        "polling_errors": sum(p.errors for p in pollers),
    }
    print(f"  polling: {json.dumps(result)}", file=sys.stderr)
    return result


# --- the whole run ---------------------------------------------------------------------------

def prepare(data_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(CITEHACK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="citehack.settings", LOG_LEVEL="WARNING",
               DJANGO_ALLOW_ASYNC_UNSAFE="")
    for command in (["demo", "--no-serve"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "-m", "citehack.cli", *command], env=env, cwd=ROOT, check=True, capture_output=True)
    os.environ.update(CITEHACK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="citehack.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from citehack import demo
    from citehack.events.models import Event

    organiser = next(a for a in demo.ACCOUNTS if a.role == "organiser")
    return env, Event.objects.get(slug=SLUG).pk, organiser


def run_count(env, pk, account, count, seconds, data_dir, with_polling=True):
    server = Server(env, free_port(), data_dir / "server.log")
    server.start()
    try:
        organiser = Organiser(server.port, account.email, account.password)
        if organiser.start_countdown() != 200:
            raise SystemExit("could not start the countdown")
        print(f"clients={count}", file=sys.stderr)
        result = asyncio.run(push_run(server, pk, organiser, count, seconds))
        if with_polling:
            result.update(asyncio.run(polling_run(server, pk, organiser, count, seconds)))
        result["worker_processes"] = len(server.processes()) - 1
        return result
    finally:
        server.stop()


def held(result):
    return (
        result["p95_ms"] is not None and result["p95_ms"] < TARGET_P95_MS and result["p99_ms"] < TARGET_P99_MS
        and result["reconnect_seconds"] is not None and result["reconnect_seconds"] <= TARGET_RECONNECT_S
        and result["lost"] == 0 and result["not_back"] == 0 and result["failed_actions"] == 0 and result["refused"] == 0
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=20, help="duration of the action phase (one action per second)")
    parser.add_argument("--max", action="store_true", help="try 1000, 2000, 4000, ... clients until the targets fail")
    parser.add_argument("--no-polling", action="store_true")
    args = parser.parse_args()
    limit = raise_fd_limit()
    data_dir = Path(tempfile.mkdtemp(prefix="citehack-live-"))
    try:
        run(args, limit, data_dir)
    except BaseException:
        print(f"kept {data_dir} (server.log) for inspection", file=sys.stderr)
        raise
    shutil.rmtree(data_dir, ignore_errors=True)


def run(args, limit, data_dir):
    env, pk, account = prepare(data_dir)
    if not args.max:
        if args.clients + 100 > limit:
            raise SystemExit(f"the file-descriptor limit ({limit}) is too low for {args.clients} clients")
        result = run_count(env, pk, account, args.clients, args.seconds, data_dir, not args.no_polling)
        result["targets_met"] = held(result)
        print(json.dumps(result))
        return

    count, results, best = 1000, [], None
    while count + 100 <= limit and count <= 16000:
        result = run_count(env, pk, account, count, args.seconds, data_dir, with_polling=False)
        result["targets_met"] = held(result)
        results.append(result)
        if not result["targets_met"]:
            break
        best = result
        count *= 2
    final = dict(best or results[-1])
    if best is not None and not args.no_polling:
        final.update(run_count(env, pk, account, best["clients"], args.seconds, data_dir, True))
        final["targets_met"] = held(final)
    final["max_clients_held"] = best["clients"] if best else 0
    final["tried"] = [{k: r[k] for k in ("clients", "p95_ms", "p99_ms", "reconnect_seconds", "kb_per_connection", "targets_met")} for r in results]
    print(json.dumps(final))


if __name__ == "__main__":
    main()
