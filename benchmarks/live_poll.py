"""The polling fallback under load: state.json from the raw ASGI application, and through Django.

A phone whose event stream fails (a proxy that buffers, an old browser, a stream process at its
connection limit) polls /live/<event>/state.json every 2-3 s: 2,000 such phones make 700-1,000
requests a second. One `citehack serve` process (granian, ASGI, one worker) on SQLite serves an
event in its live phase with a running countdown; --connections keep-alive connections poll
back to back for --seconds (closed loop). Two runs in a row, side by side, same server:
  raw     as shipped: citehack.asgi hands the path to citehack.live.stream.state_app, which
          answers from the state the process holds in memory;
  django  the same server with that route switched off (STATE_PATH patched to match nothing
          in the server process), so the path goes through a2wsgi's threads and the Django
          view `live:state`, as it did before the raw route existed.
Figures: answered requests a second, latency p50/p99, server CPU milliseconds per request,
and every answer checked (status 200, the event's state document). The load generator is this
process (asyncio, raw HTTP/1.1) and shares the 2 cores with the server: a server faster than the
generator shows as the generator's ceiling, so the raw figure is a floor.

Usage: .venv/bin/python benchmarks/live_poll.py [--seconds 15] [--connections 100]
The last line is one JSON object.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import ROOT, Connection, Server, free_port, summary

BASELINE_WRAPPER = benchlib.SERVER_WRAPPER.replace(
    "from citehack.cli import main",
    "import re\nimport citehack.live.stream as stream\nstream.STATE_PATH = re.compile(r'(?!)')\n"
    "from citehack.cli import main",
)


def environment(tmp):
    env = {
        **os.environ,
        "SECRET_KEY": "benchmark-live-poll-" + "k" * 40,
        "CITEHACK_DATA_DIR": str(tmp / "data"),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "citehack.settings",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CITEHACK_HTTPS"):
        env.pop(name, None)
    return env


def create_event(env):
    """An event in its live phase with a running countdown; returns its primary key and state."""
    subprocess.run([sys.executable, "-m", "citehack.cli", "migrate", "--no-input"], env=env, cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    for name in ("SECRET_KEY", "CITEHACK_DATA_DIR", "STATIC_ROOT", "MEDIA_ROOT", "ALLOWED_HOSTS",
                 "DJANGO_SETTINGS_MODULE", "LOG_LEVEL"):
        os.environ[name] = env[name]
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from citehack.events.models import Event, Organisation, Phase
    from citehack.live import services, state

    now = timezone.now()
    organisation = Organisation.objects.create(slug="bench", name="Bench")
    event = Event.objects.create(organisation=organisation, slug="bench-live", title="Journée de test",
                                 starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=4),
                                 phase=Phase.LIVE)
    services.start_timer(actor=None, event=event, minutes=180, label="Sprint")
    services.announce(actor=None, event=event, text="Les pitchs commencent à 16 h en salle 2.")
    return event.pk, state.build(event)


async def load(port, path, connections, seconds, expected_version):
    latencies, wrong = [], []
    stop = time.perf_counter() + seconds

    async def poller():
        connection = Connection(port)
        try:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                status, _cookies, body = await connection.request("GET", path, {"Accept": "application/json"})
                latencies.append((time.perf_counter() - start) * 1000)
                if status != 200 or json.loads(body)["version"] != expected_version:
                    wrong.append(status)
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(poller() for _ in range(connections)))
    return latencies, wrong, time.perf_counter() - started


def measure(name, env, wrapper, tmp, path, args, expected_version):
    port = free_port()
    server = Server(name, env, ["--port", str(port), "--workers", "1"], tmp / f"{name}.log", wrapper=wrapper).start()
    try:
        asyncio.run(load(port, path, 10, 1, expected_version))  # warm up: the state cached, threads started
        cpu_before = server.cpu_seconds()
        latencies, wrong, elapsed = asyncio.run(load(port, path, args.connections, args.seconds, expected_version))
        cpu = server.cpu_seconds() - cpu_before
    finally:
        server.stop()
    answered = len(latencies) - len(wrong)
    return {
        "requests_per_second": round(answered / elapsed, 1),
        "wrong": len(wrong),
        "server_cpu_ms_per_request": round(1000 * cpu / max(answered, 1), 3),
        **summary(latencies),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    benchlib.raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="citehack-poll-") as tmp:
        tmp = Path(tmp)
        env = environment(tmp)
        event_pk, document = create_event(env)
        path = f"/live/{event_pk}/state.json"
        results = {}
        for name, wrapper in (("raw", benchlib.SERVER_WRAPPER), ("django", BASELINE_WRAPPER)):
            results[name] = measure(name, env, wrapper, tmp, path, args, document["version"])
    print(f"state.json, {args.connections} keep-alive connections polling for {args.seconds:g} s, one process")
    print(f"{'path':<8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}{'wrong':>7}")
    for name, r in results.items():
        print(f"{name:<8}{r['requests_per_second']:>10}{r['p50_ms']:>9}{r['p99_ms']:>9}"
              f"{r['server_cpu_ms_per_request']:>12}{r['wrong']:>7}")
    ratio = results["raw"]["requests_per_second"] / max(results["django"]["requests_per_second"], 1e-9)
    cpu_ratio = results["django"]["server_cpu_ms_per_request"] / max(results["raw"]["server_cpu_ms_per_request"], 1e-9)
    print(f"raw / django: {ratio:.1f}x the requests a second, {cpu_ratio:.1f}x less server CPU a request")
    print(json.dumps({
        "raw": results["raw"], "django": results["django"],
        "throughput_ratio": round(ratio, 2), "cpu_per_request_ratio": round(cpu_ratio, 2),
        "connections": args.connections, "seconds": args.seconds,
    }))


if __name__ == "__main__":
    main()
