"""The audience vote under a burst: many distinct phones voting at once, 1,000 screens watching.

Against the real server on PostgreSQL, as shared/SERVING.md suggests: a scratch database
(`citehack_bench`, dropped and migrated), an event with seven published teams and an open
poll; votes through `citehack serve --pages-only --workers 2` (granian, WSGI) and the live
stream through one `citehack serve` process (ASGI), with REDIS_URL=redis://127.0.0.1:6379/13
so that the screens' count crosses processes. Everything on loopback, bounded in time.

The load generator is this process: asyncio and raw HTTP/1.1 on keep-alive connections, no
dependency. Each simulated phone arrives on an open-loop schedule (--rate a second, so a slow
server cannot slow the arrivals down), GETs the vote page for its voter cookie and its CSRF
token, then POSTs its vote, from one of 256 addresses behind a trusted proxy
(X-Forwarded-For; the per-address limit stays in force). 5 % of the phones send their vote
twice at once on two connections (a retry in flight); 3 % change their vote afterwards.

Measured:
- votes_per_second: phones whose vote was acknowledged (200 and "recorded" for their team),
  per second of the run; p99_ms: latency of the vote POSTs (all of them);
- screen_lag_ms: for the k-th acknowledged phone, the time until a screen shows at least k
  voters; the worst over all k and 50 screens sampled among the 1,000 (p50 and p99 beside);
- reconciliation from the database: lost (acknowledged, no row), counted_twice (rows beyond
  one per voter), unknown (rows of no phone sent), wrong_choice (row's team is not the last
  acknowledged choice), and acknowledged <= rows <= distinct phones sent, the difference
  being the votes still in flight when the load stopped;
- negative control: the same reconciliation after a burst where every phone sends its vote
  twice at once, against the naive check-then-insert path
  (settings.AUDIENCE_UNSAFE_CHECK_THEN_INSERT, in a settings module written to a temporary
  directory) on the table with its unique constraint dropped: it must report counted_twice > 0.

Usage: .venv/bin/python benchmarks/audience_vote.py [--seconds 60] [--rate 330] [--screens 1000]
Targets (2-core machine, load generator included): >= 300 votes/s for 60 s, p99 < 300 ms,
0 lost, 0 counted twice, screens at most 1 s behind. The last line is one JSON object.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import benchlib
from benchlib import HOST, ROOT, Connection, Server, free_port, raise_fd_limit, summary
PG_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE = "citehack_bench"
REDIS_URL = "redis://127.0.0.1:6379/13"
SLUG, NEGATIVE_SLUG = "bench-audience", "bench-audience-naive"
TARGET_RATE, TARGET_P99_MS, TARGET_LAG_MS = 300, 300, 1000
ADDRESSES = [f"10.{20 + i // 250}.{i % 250}.7" for i in range(256)]
RETRY_SHARE, CHANGE_SHARE = 0.05, 0.03
SAMPLED_SCREENS = 50


def log(text):
    print(text, file=sys.stderr, flush=True)


# --- the database, the environment, the event ----------------------------------------------------


def environment(tmp):
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_URL}/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "benchmark-audience-vote-" + "k" * 40,
        "CITEHACK_DATA_DIR": str(tmp / "data"),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUST_X_FORWARDED_FOR": "1",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "citehack.settings",
    }
    env.pop("CITEHACK_HTTPS", None)
    return env


def fresh_database():
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def drop_database():
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def citehack(env, *args):
    subprocess.run([sys.executable, "-m", "citehack.cli", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def setup_django(env):
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CITEHACK_DATA_DIR",
                                                  "STATIC_ROOT", "MEDIA_ROOT", "ALLOWED_HOSTS", "TRUST_X_FORWARDED_FOR",
                                                  "DJANGO_SETTINGS_MODULE", "LOG_LEVEL")})
    import django

    django.setup()


def create_event(slug, title):
    """An event in its live phase, seven published teams, the audience poll open on the screens."""
    from datetime import timedelta

    from django.utils import timezone

    from citehack.accounts.models import User
    from citehack.audience import services
    from citehack.events.models import Event, Membership, Organisation, Phase
    from citehack.teams.models import Team

    now = timezone.now()
    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    organiser = User.objects.filter(email="bench@example.org").first() or User.objects.create_user(
        email="bench@example.org", name="Bench", password=None)
    event = Event.objects.create(organisation=organisation, slug=slug, title=title, starts_at=now - timedelta(hours=6),
                                 ends_at=now + timedelta(hours=2), phase=Phase.LIVE)
    Membership.objects.create(event=event, user=organiser, role="organiser")
    teams = [Team.objects.create(event=event, number=n, published_at=now) for n in range(1, 8)]
    services.configure_poll(actor=organiser, event=event, title="Prix du public", eligibility="device")
    poll = services.open_poll(actor=organiser, event=event, show_on_screen=True)
    return event, poll, [team.pk for team in teams]


# --- the servers ---------------------------------------------------------------------------------




CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Load:
    """Phones voting on an open-loop schedule; what was sent and acknowledged, per phone."""

    def __init__(self, port, slug, teams, connections, *, retry_share=RETRY_SHARE, change_share=CHANGE_SHARE):
        self.port, self.path, self.teams = port, f"/e/{slug}/vote/", teams
        self.pool = asyncio.Queue()
        for _ in range(connections):
            self.pool.put_nowait(Connection(port))
        self.retry_share, self.change_share = retry_share, change_share
        self.tokens = {}  # phone -> voter token (a POST was sent with it)
        self.first_ack = {}  # phone -> instant of its first acknowledged vote
        self.last_team = {}  # phone -> team of its last acknowledged vote
        self.unsettled = set()  # phones with a vote sent but not answered as recorded
        self.post_ms, self.get_ms, self.session_ms = [], [], []
        self.failures = Counter()
        self.posts = 0

    async def _post(self, phone, team, cookies, csrf, address):
        connection = await self.pool.get()
        try:
            body = f"team={team}&csrfmiddlewaretoken={csrf}".encode()
            headers = {"Cookie": cookies, "X-Forwarded-For": address}
            self.unsettled.add(phone)
            self.posts += 1
            sent = time.monotonic()
            status, _, data = await connection.request("POST", self.path, headers, body)
            now = time.monotonic()
            self.post_ms.append((now - sent) * 1000)
            if status == 200 and f'data-vote-recorded="{team}"'.encode() in data:
                return now
            self.failures[f"post {status}"] += 1
            return None
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            self.failures[f"post {type(error).__name__}"] += 1
            return None
        finally:
            self.pool.put_nowait(connection)

    async def phone(self, phone, scheduled, rng):
        address = ADDRESSES[phone % len(ADDRESSES)]
        connection = await self.pool.get()
        try:
            sent = time.monotonic()
            status, cookies, page = await connection.request("GET", self.path, {"X-Forwarded-For": address})
            self.get_ms.append((time.monotonic() - sent) * 1000)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            self.failures[f"get {type(error).__name__}"] += 1
            return
        finally:
            self.pool.put_nowait(connection)
        token = cookies.get("citehack-voter")
        match = CSRF.search(page)
        if status != 200 or not token or "csrftoken" not in cookies or not match:
            self.failures[f"get {status}"] += 1
            return
        self.tokens[phone] = token
        cookie = f"citehack-voter={token}; csrftoken={cookies['csrftoken']}"
        csrf = match.group(1).decode()
        team = rng.choice(self.teams)
        twice = rng.random() < self.retry_share
        attempts = [self._post(phone, team, cookie, csrf, address) for _ in range(2 if twice else 1)]
        acks = [ack for ack in await asyncio.gather(*attempts) if ack is not None]
        if len(acks) == len(attempts):
            self.first_ack[phone] = min(acks)
            self.last_team[phone] = team
            self.session_ms.append((max(acks) - scheduled) * 1000)
            self.unsettled.discard(phone)
        if phone in self.first_ack and rng.random() < self.change_share:
            other = rng.choice([t for t in self.teams if t != team])
            if await self._post(phone, other, cookie, csrf, address) is not None:
                self.last_team[phone] = other
                self.unsettled.discard(phone)

    async def run(self, seconds, rate, seed):
        rng = random.Random(seed)
        tasks = set()
        started = time.monotonic()
        phone = 0
        while True:
            scheduled = started + phone / rate
            if scheduled - started >= seconds:
                break
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.ensure_future(self.phone(phone, scheduled, random.Random(rng.random())))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            phone += 1
        stopped = time.monotonic()
        if tasks:
            await asyncio.wait(list(tasks), timeout=20)
        in_flight = len(tasks)
        for task in list(tasks):
            task.cancel()
        return started, stopped, phone, in_flight


# --- the screens ---------------------------------------------------------------------------------

TOTAL = re.compile(rb'"audience":\{[^{}]*?"total":(\d+)')


class ScreenProtocol(asyncio.Protocol):
    """One screen holding the stream; reads as little as possible: the count on it, when it changes."""

    def __init__(self, screen):
        self.screen, self.head, self.tail = screen, b"", b""

    def connection_made(self, transport):
        self.transport = transport
        transport.write(f"GET /live/{self.screen.pk}/stream/ HTTP/1.1\r\nHost: {HOST}:{self.screen.port}\r\n"
                        "Accept: text/event-stream\r\n\r\n".encode())

    def data_received(self, data):
        now = time.monotonic()
        if self.head is not None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.head.startswith(b"HTTP/1.1 200"):
                self.transport.abort()
                return
            data, self.head = self.head[end + 4:], None
            self.screen.opened = True
        text = self.tail + data
        for match in TOTAL.finditer(text):
            total = int(match.group(1))
            if total > self.screen.total:
                self.screen.total = total
                if self.screen.series is not None:
                    self.screen.series.append((now, total))
        self.tail = text[-200:]

    def connection_lost(self, exc):
        self.screen.closed += 1


class Screen:
    def __init__(self, port, pk, sampled):
        self.port, self.pk = port, pk
        self.total, self.opened, self.closed = -1, False, 0
        self.series = [] if sampled else None

    async def connect(self):
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_connection(lambda: ScreenProtocol(self), HOST, self.port)


async def connect_screens(port, pk, count):
    step = max(1, count // SAMPLED_SCREENS)
    screens = [Screen(port, pk, sampled=(i % step == step - 1)) for i in range(count)]
    for index, screen in enumerate(screens):
        await screen.connect()
        if index % 100 == 99:
            await asyncio.sleep(0.05)
    deadline = time.monotonic() + 60
    while not all(screen.total >= 0 for screen in screens) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return screens


def screen_lags(screens, first_acks):
    """For the k-th acknowledged phone: ms until each sampled screen showed at least k voters."""
    acks = sorted(first_acks)
    lags, never = [], 0
    for screen in screens:
        if screen.series is None:
            continue
        series, position = screen.series, 0
        for k, acknowledged in enumerate(acks, start=1):
            while position < len(series) and series[position][1] < k:
                position += 1
            if position == len(series):
                never += len(acks) - k + 1
                break
            lags.append(max(0.0, series[position][0] - acknowledged) * 1000)
    return lags, never


# --- reconciliation ------------------------------------------------------------------------------


def reconcile(slug, load, in_flight_at_stop):
    """What the database holds for the event's poll, against what the phones sent and were told."""
    from citehack.audience import identity
    from citehack.audience.models import Vote

    rows = list(Vote.objects.filter(poll__event__slug=slug).values_list("voter", "team_id"))
    per_voter = Counter(voter for voter, _team in rows)
    stored_team = {voter: team for voter, team in rows}
    key_of = {phone: identity.device_key(token) for phone, token in load.tokens.items()}
    sent_keys = set(key_of.values())
    acknowledged = {key_of[phone] for phone in load.first_ack}
    wrong = sum(
        1 for phone, team in load.last_team.items()
        if phone not in load.unsettled and stored_team.get(key_of[phone]) not in (None, team)
    )
    result = {
        "phones_sent": len(sent_keys),
        "acknowledged": len(acknowledged),
        "rows": len(rows),
        "lost": len(acknowledged - set(per_voter)),
        "counted_twice": sum(count - 1 for count in per_voter.values() if count > 1),
        "unknown": len(set(per_voter) - sent_keys),
        "wrong_choice": wrong,
        "stored_not_acknowledged": len(set(per_voter) - acknowledged),
        "in_flight_at_stop": in_flight_at_stop,
    }
    result["bounds_hold"] = result["acknowledged"] <= len(set(per_voter)) <= result["phones_sent"]
    return result


# --- the runs ------------------------------------------------------------------------------------


async def main_run(args, pages_port, stream_port, event_pk, teams):
    log(f"connecting {args.screens} screens to the stream")
    screens = await connect_screens(stream_port, event_pk, args.screens)
    connected = sum(screen.opened for screen in screens)
    log(f"  {connected} screens hold the stream")
    # Warm up: every connection, every worker thread and its database connection.
    warm = Load(pages_port, SLUG, teams, args.connections, retry_share=0, change_share=0)
    await asyncio.gather(*[warm.phone(-1 - i, time.monotonic(), random.Random(i)) for i in range(args.connections)])
    warm_failures = dict(warm.failures)
    await asyncio.sleep(1.5)

    load = Load(pages_port, SLUG, teams, args.connections)
    load.tokens.update(warm.tokens)
    load.first_ack.update(warm.first_ack)
    load.last_team.update(warm.last_team)
    log(f"voting: {args.rate} phones a second for {args.seconds} s")
    started, stopped, arrivals, in_flight = await load.run(args.seconds, args.rate, seed=20181008)
    finished = time.monotonic()
    # Let the screens catch up with the last votes, then read them.
    await asyncio.sleep(2.5)
    run_acks = [instant for phone, instant in load.first_ack.items() if phone >= 0]
    all_acks = list(load.first_ack.values())
    lags, never = screen_lags(screens, all_acks)
    final_totals = Counter(screen.total for screen in screens)
    for screen in screens:
        screen.transport.abort()
    last_ack = max(run_acks) if run_acks else stopped
    duration = max(args.seconds, last_ack - started)
    return load, {
        "arrivals": arrivals,
        "duration_s": round(duration, 2),
        "drain_s": round(finished - stopped, 2),
        "votes_acknowledged": len(run_acks),
        "votes_per_second": round(len(run_acks) / duration, 1),
        "posts": load.posts,
        "post": summary(load.post_ms),
        "get": summary(load.get_ms),
        "phone_session": summary(load.session_ms),
        "failures": dict(load.failures),
        "warm_up_failures": warm_failures,
        "screens_connected": connected,
        "screen_lag": {**summary(lags), "never_shown": never},
        "screens_final_totals": {str(total): count for total, count in final_totals.most_common(3)},
    }, in_flight


async def negative_run(args, pages_port, teams):
    load = Load(pages_port, NEGATIVE_SLUG, teams, args.connections, retry_share=1.0, change_share=0)
    _started, _stopped, arrivals, in_flight = await load.run(args.negative_seconds, args.negative_rate, seed=7)
    return load, arrivals, in_flight


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=330, help="phones arriving per second (open loop)")
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections of the phones")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--negative-seconds", type=float, default=5)
    parser.add_argument("--negative-rate", type=float, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and the servers' logs")
    args = parser.parse_args()
    raise_fd_limit()

    tmp = Path(tempfile.mkdtemp(prefix="citehack-bench-audience-"))
    env = environment(tmp)
    log(f"scratch database {DATABASE}, Redis {REDIS_URL}, logs in {tmp}")
    fresh_database()
    flush_redis()
    citehack(env, "migrate", "--verbosity", "0")
    citehack(env, "collectstatic", "--noinput", "--verbosity", "0")
    setup_django(env)
    event, _poll, teams = create_event(SLUG, "Banc d'essai du vote du public")
    load_before = os.getloadavg()

    pages_port, stream_port = free_port(), free_port()
    pages = Server("pages", env, ["--pages-only", "--workers", str(args.workers), "--threads", str(args.threads),
                                  "--port", str(pages_port)], tmp / "pages.log").start()
    stream = Server("stream", env, ["--port", str(stream_port)], tmp / "stream.log").start()
    report = {}
    try:
        cpu = {"pages": pages.cpu_seconds(), "stream": stream.cpu_seconds(), "load_generator": time.process_time()}
        load, measured, in_flight = asyncio.run(main_run(args, pages_port, stream_port, event.pk, teams))
        cpu = {
            "pages": pages.cpu_seconds() - cpu["pages"], "stream": stream.cpu_seconds() - cpu["stream"],
            "load_generator": time.process_time() - cpu["load_generator"],
        }
        reconciliation = reconcile(SLUG, load, in_flight)
        report.update(measured)
        report["cpu_seconds"] = {name: round(value, 1) for name, value in cpu.items()}
        report["reconciliation"] = reconciliation

        # Negative control: the naive path on the table without its constraint.
        log("negative control: check-then-insert without the unique constraint, every vote sent twice at once")
        pages.stop()
        from django.db import connection

        from citehack.audience.models import Vote

        with connection.schema_editor() as editor:
            editor.remove_constraint(Vote, next(c for c in Vote._meta.constraints if c.name == "audience_vote_one_per_voter"))
        _negative_event, _negative_poll, negative_teams = create_event(NEGATIVE_SLUG, "Banc d'essai : contrôle négatif")
        (tmp / "bench_unsafe_settings.py").write_text(
            "from citehack.settings import *  # noqa: F401,F403\n"
            "# The benchmark's negative control only: the naive vote path, on a scratch database.\n"
            "AUDIENCE_UNSAFE_CHECK_THEN_INSERT = True\n"
        )
        unsafe_env = {**env, "DJANGO_SETTINGS_MODULE": "bench_unsafe_settings",
                      "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT), env.get("PYTHONPATH", "")])}
        pages = Server("pages (naive)", unsafe_env, ["--pages-only", "--workers", str(args.workers), "--threads",
                                                     str(args.threads), "--port", str(pages_port)], tmp / "pages-naive.log").start()
        negative_load, _arrivals, negative_in_flight = asyncio.run(negative_run(args, pages_port, negative_teams))
        negative = reconcile(NEGATIVE_SLUG, negative_load, negative_in_flight)
        negative["caught"] = negative["counted_twice"] > 0
        report["negative_control"] = negative
    finally:
        pages.stop()
        stream.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()
            shutil.rmtree(tmp, ignore_errors=True)
        flush_redis()

    report["server"] = (
        f"votes: citehack serve --pages-only --workers {args.workers} --threads {args.threads} (granian WSGI); "
        "stream: citehack serve (granian ASGI, 1 process); PostgreSQL, Redis db 13 between processes"
    )
    report["load_average_before"] = [round(value, 2) for value in load_before]
    report["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    r = report["reconciliation"]
    result = {
        "votes_per_second": report["votes_per_second"],
        "p99_ms": report["post"]["p99_ms"],
        "lost": r["lost"],
        "counted_twice": r["counted_twice"],
        "screen_lag_ms": report["screen_lag"]["max_ms"],
        "screen_lag_p50_ms": report["screen_lag"]["p50_ms"],
        "screen_lag_p99_ms": report["screen_lag"]["p99_ms"],
        "acknowledged": r["acknowledged"],
        "rows": r["rows"],
        "phones_sent": r["phones_sent"],
        "in_flight_at_stop": r["in_flight_at_stop"],
        "wrong_choice": r["wrong_choice"],
        "negative_control_counted_twice": report["negative_control"]["counted_twice"],
        "negative_control_caught": report["negative_control"]["caught"],
        "seconds": args.seconds,
        "screens": args.screens,
    }
    targets = {
        "votes_per_second": result["votes_per_second"] >= TARGET_RATE,
        "p99_ms": (result["p99_ms"] or 1e9) < TARGET_P99_MS,
        "lost": result["lost"] == 0,
        "counted_twice": result["counted_twice"] == 0,
        "screen_lag_ms": (result["screen_lag_ms"] or 1e9) <= TARGET_LAG_MS,
        "reconciliation_bounds": r["bounds_hold"] and r["unknown"] == 0 and r["wrong_choice"] == 0,
        "negative_control_caught": result["negative_control_caught"],
    }
    result["targets_met"] = targets
    print(json.dumps(report, indent=2))
    print(json.dumps(result))
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
