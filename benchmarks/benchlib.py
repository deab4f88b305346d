"""What the load benchmarks share: percentiles, ports, file limits, a `citehack serve` process."""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import http.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# Runs `citehack serve` with the file-descriptor limit raised (one descriptor per client).
SERVER_WRAPPER = """
import resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
from citehack.cli import main
sys.exit(main(["citehack", "serve", "--host", "127.0.0.1", "--no-collectstatic", "--quiet", *sys.argv[1:]]))
"""


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(values):
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 1) if values else None,
        "p95_ms": round(percentile(values, 95), 1) if values else None,
        "p99_ms": round(percentile(values, 99), 1) if values else None,
        "max_ms": round(max(values), 1) if values else None,
    }


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Server:
    """A `citehack serve` process group with `args`, its output in `log_path`."""

    def __init__(self, name, env, args, log_path):
        self.name, self.env, self.args, self.log_path = name, env, list(args), log_path
        self.port = int(self.args[self.args.index("--port") + 1])
        self.process = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER_WRAPPER, *self.args],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{self.name} did not start; see {self.log_path}") from None
                time.sleep(0.2)

    def stop(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        self.log.close()
        self.process = None
