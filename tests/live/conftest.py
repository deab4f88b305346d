import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections

from citehack.events.models import Role
from citehack.live import broker
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_hub():
    """The hub is process-wide: forget the frames of events (and primary keys) of earlier tests."""
    broker.hub.latest.clear()
    broker.reset_broker()
    yield
    broker.hub.latest.clear()
    broker.reset_broker()


@pytest.fixture
def participant(event):
    return MembershipFactory(event=event, role=Role.PARTICIPANT).user


# --- a real `citehack serve` in a subprocess, sharing this test's database ---------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_database(transactional_db, tmp_path, settings):
    """Environment for a subprocess that sees this test's database; this process switches to it.

    PostgreSQL: the test database is real and the test commits, the subprocess is only told its
    name. SQLite: the test database lives in this process's memory, so both use a file database
    migrated by the subprocess. Objects must be created after this fixture has run.
    """
    original = connections["default"]
    settings_dict = original.settings_dict
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    # The same secret: sessions made here are valid there.
    env.update(CITEHACK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="citehack.settings", LOG_LEVEL="WARNING",
               SECRET_KEY=settings.SECRET_KEY)
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        auth = quote(settings_dict["USER"] or "")
        if settings_dict["PASSWORD"]:
            auth += ":" + quote(settings_dict["PASSWORD"])
        host, port = settings_dict["HOST"] or "localhost", settings_dict["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"
        yield env
        return
    subprocess.run([sys.executable, "-m", "citehack.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=180)
    shared = original.__class__({**settings_dict, "NAME": str(data_dir / "db.sqlite3")}, "default")
    connections["default"] = shared
    try:
        yield env
    finally:
        shared.close()
        connections["default"] = original


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve(shared_database):
    """Start `citehack serve` (granian, the ASGI application) with extra environment; returns its port."""
    processes = []

    def start(**extra_env):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "citehack.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--quiet"],
            env={**shared_database, **extra_env}, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(process)
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return port
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
                    raise AssertionError(f"citehack serve did not start: {output}") from None
                time.sleep(0.1)

    yield start
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


def pytest_terminal_summary(terminalreporter):
    """Say it when the Redis tests were skipped: CI greps for NEEDS-REDIS."""
    count = sum("NEEDS-REDIS" in str(report.longrepr) for report in terminalreporter.stats.get("skipped", []))
    if count:
        terminalreporter.write_line(f"NOTICE: {count} test(s) skipped: NEEDS-REDIS (see the skip reasons above)", yellow=True)
