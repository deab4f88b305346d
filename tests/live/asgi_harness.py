"""Drive an ASGI application in-process: one HTTP request at a time, as a server would.

`Exchange` holds a running request: read what the application sends, or disconnect.
"""

import asyncio
from http.cookies import SimpleCookie
from urllib.parse import urlencode


def scope_for(method, path, *, headers=(), query=""):
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *[(k.lower().encode(), v.encode()) for k, v in headers]],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


class _Awaitable:
    def __init__(self, factory):
        self.factory = factory

    def __await__(self):
        return self.factory().__await__()


class Exchange:
    """A request in flight against `app`."""

    def __init__(self, app, scope, body=b""):
        self.messages = asyncio.Queue()
        self._incoming = asyncio.Queue()
        self._incoming.put_nowait({"type": "http.request", "body": body, "more_body": False})
        self.status = None
        self.headers = {}
        self.cookies = SimpleCookie()
        self.body = b""
        self.ended = False
        self.task = asyncio.ensure_future(app(scope, self._receive, self._send))

    def _receive(self):
        # Like granian's, `receive()` returns an awaitable that is not a coroutine.
        return _Awaitable(self._incoming.get)

    async def _send(self, message):
        await self.messages.put(message)

    async def start(self, timeout=5):
        """Wait for the status line and headers."""
        message = await asyncio.wait_for(self.messages.get(), timeout)
        assert message["type"] == "http.response.start", message
        self.status = message["status"]
        for key, value in message.get("headers", ()):
            name, text = key.decode().lower(), value.decode("latin-1")
            if name == "set-cookie":
                self.cookies.load(text)
            self.headers[name] = text
        return self.status

    async def read_chunk(self, timeout=5):
        """The next body chunk (b"" once the response has ended)."""
        if self.ended:
            return b""
        message = await asyncio.wait_for(self.messages.get(), timeout)
        assert message["type"] == "http.response.body", message
        chunk = message.get("body", b"")
        self.body += chunk
        if not message.get("more_body", False):
            self.ended = True
        return chunk

    async def read_until(self, marker, timeout=5):
        """Read until the body holds `marker` after what was read so far; return the new part."""
        start = len(self.body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while marker not in self.body[start:]:
            if self.ended:
                raise AssertionError(f"the response ended before {marker!r}: {self.body[start:]!r}")
            await self.read_chunk(timeout=max(0.01, deadline - loop.time()))
        return self.body[start:]

    async def read_all(self, timeout=10):
        if self.status is None:
            await self.start(timeout)
        while not self.ended:
            await self.read_chunk(timeout)
        await asyncio.wait_for(self.task, timeout)
        return self.body

    async def disconnect(self, timeout=5):
        """The client goes away; wait until the application has finished."""
        self._incoming.put_nowait({"type": "http.disconnect"})
        await asyncio.wait_for(self.task, timeout)


def sse_events(body):
    """The (id, event, data) of each complete Server-Sent Events frame in `body`."""
    events = []
    for block in body.decode().split("\n\n")[:-1]:
        fields = {"data": []}
        for line in block.split("\n"):
            if line.startswith(":") or not line:
                continue
            name, _, value = line.partition(": ")
            if name == "data":
                fields["data"].append(value)
            else:
                fields[name] = value
        if "event" in fields:
            events.append((int(fields["id"]), fields["event"], "\n".join(fields["data"])))
    return events


async def request(app, method, path, *, cookies=None, data=None, headers=()):
    """A whole request; returns the finished Exchange."""
    headers = list(headers)
    if cookies:
        headers.append(("cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())))
    body = b""
    if data is not None:
        body = urlencode(data).encode()
        headers += [("content-type", "application/x-www-form-urlencoded"), ("content-length", str(len(body)))]
    exchange = Exchange(app, scope_for(method, path, headers=headers), body)
    await exchange.read_all()
    return exchange
