"""What the load benchmarks share: percentiles, ports, file limits, a `citehack serve` process,
a keep-alive HTTP/1.1 connection written by hand."""

import asyncio
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import time
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

    def __init__(self, name, env, args, log_path, wrapper=SERVER_WRAPPER):
        self.name, self.env, self.args, self.log_path = name, env, list(args), log_path
        self.wrapper = wrapper
        self.port = int(self.args[self.args.index("--port") + 1])
        self.process = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.wrapper, *self.args],
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

    def cpu_seconds(self):
        """CPU time of the server's processes so far (the wrapper and its workers)."""
        ticks = os.sysconf("SC_CLK_TCK")
        children = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    children.setdefault(int(fields[1]), []).append(int(entry.name))
                except (OSError, IndexError):
                    continue
        total, todo = 0, [self.process.pid]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError):
                continue
        return total / ticks


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method, path, headers, body=b""):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        for name, value in headers.items():
            head += f"{name}: {value}\r\n"
        if body:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode("latin-1") + b"\r\n" + body)
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            cookies, length, chunked, close = {}, None, False, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "content-length":
                    length = int(value)
                elif name == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    cookies[cookie_name] = rest.split(";", 1)[0]
                elif name == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True
                elif name == "connection" and value.lower() == "close":
                    close = True
            if chunked:
                data = b""
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    if size == 0:
                        await self.reader.readuntil(b"\r\n")
                        break
                    data += await self.reader.readexactly(size + 2)
                    data = data[:-2]
            else:
                data = await self.reader.readexactly(length or 0)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, cookies, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
