"""`citehack serve` as the venue laptop runs it: one granian process, no Redis.

The organiser's form posts go through a2wsgi under granian, and the screens' stream through
the raw ASGI application of the same process.
"""

import http.client
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from citehack.live.models import LiveState
from tests.factories import EventFactory, MembershipFactory

from .test_stream_redis import SSEReader

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """An organiser's browser: cookies kept, forms posted with their CSRF token."""

    def __init__(self, port, cookies):
        self.port, self.cookies = port, dict(cookies)

    def request(self, method, path, data=None, headers=None):
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response, content


def test_form_post_and_live_push_through_citehack_serve(serve):
    port = serve()
    event = EventFactory(title="Journée au labo")
    organiser = MembershipFactory(event=event, role="organiser").user
    client = Client()
    client.force_login(organiser)
    browser = Browser(port, {"sessionid": client.cookies["sessionid"].value})

    response, page = browser.request("GET", reverse("live:control", args=[event.slug]))
    assert response.status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    version = LiveState.objects.get(event=event).version

    screen = SSEReader(port, reverse("live:stream", args=[event.pk]))
    assert screen.state()[0] == version

    sent = time.monotonic()
    response, panel = browser.request(
        "POST", reverse("live:action", args=[event.slug, "timer-start"]),
        {"csrfmiddlewaretoken": token, "minutes": "90", "label": "Sprint"}, headers={"HX-Request": "true"},
    )
    assert response.status == 200, panel[:300]
    update_version, update = screen.state(timeout=1)
    elapsed = time.monotonic() - sent
    assert update_version == version + 1
    assert update["timer"]["running"] is True
    assert update["timer"]["duration_ms"] == 90 * 60 * 1000
    assert elapsed < 1
    screen.close()
    assert LiveState.objects.get(event=event).timer.running
