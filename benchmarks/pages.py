"""Server time and transferred size of the participant pages.

Loads the reference day into a throw-away SQLite database, then
- times each page in-process through Django's WSGI handler (server time, no network), and
- serves it with `citehack serve` (granian) and fetches each page with the stylesheet and
  scripts it references, as a phone would (gzip accepted), to count transferred bytes.

Usage: .venv/bin/python benchmarks/pages.py [--repeat 200]
The last line is one JSON object with at least max_page_kb and median_server_ms.
"""

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "event": "/e/creativite-citoyenne-amiens-2018/",
    "programme": "/e/creativite-citoyenne-amiens-2018/programme/",
    "registration_form": "/e/creativite-citoyenne-amiens-2018/register/",
}


def fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        body = gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw
        return raw, body


def transferred(base, path):
    """Bytes on the wire for the page and every same-origin stylesheet and script it loads."""
    raw, body = fetch(base + path)
    total = len(raw)
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', body)
    for asset in sorted(set(assets)):
        total += len(fetch(base + asset.decode())[0])
    return total, len(assets)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="citehack-bench-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(CITEHACK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="citehack.settings")
    citehack = [sys.executable, "-m", "citehack.cli"]
    subprocess.run([*citehack, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    subprocess.run([*citehack, "collectstatic", "--noinput", "-v0"], env=env, check=True)

    # In-process server time.
    os.environ.update(CITEHACK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="citehack.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.test import Client

    client = Client()
    server_ms = {}
    for name, path in PAGES.items():
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        server_ms[name] = statistics.median(times)

    # Transferred size through the real server.
    server = subprocess.Popen(
        [*citehack, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--quiet", "--no-collectstatic"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        sizes = {name: transferred(base, path) for name, path in PAGES.items()}
    finally:
        server.terminate()
        server.wait(10)

    print(f"{'page':<20}{'server ms (median)':>20}{'transferred KB':>16}{'assets':>8}")
    for name in PAGES:
        print(f"{name:<20}{server_ms[name]:>20.2f}{sizes[name][0] / 1024:>16.1f}{sizes[name][1]:>8}")
    result = {
        "max_page_kb": round(max(size for size, _ in sizes.values()) / 1024, 1),
        "median_server_ms": round(statistics.median(server_ms.values()), 2),
        "pages": {name: {"server_ms": round(server_ms[name], 2), "kb": round(sizes[name][0] / 1024, 1)} for name in PAGES},
        "repeat": args.repeat,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
