"""The Content-Security-Policy: on every response, and pages that need nothing inline."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from citehack.events.models import Phase
from tests.factories import EventFactory, MembershipFactory, ProgrammeItemFactory


def directives(header):
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_policy_forbids_inline_script_and_style_and_other_hosts():
    policy = directives(settings.CONTENT_SECURITY_POLICY)

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in settings.CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in settings.CONTENT_SECURITY_POLICY


@pytest.fixture
def published_event(db):
    event = EventFactory(phase=Phase.REGISTRATION)
    ProgrammeItemFactory(event=event)
    return event


@pytest.mark.parametrize(
    ("method", "path_for", "status"),
    [
        ("get", lambda e: reverse("home"), 200),
        ("get", lambda e: reverse("accounts:sign_in"), 200),
        ("get", lambda e: reverse("events:detail", args=[e.slug]), 200),
        ("get", lambda e: reverse("events:programme_ics", args=[e.slug]), 200),
        ("get", lambda e: reverse("events:manage", args=[e.slug]), 302),
        ("get", lambda e: reverse("events:create"), 302),
        ("get", lambda e: "/e/no-such-event/", 404),
        ("get", lambda e: reverse("accounts:sign_out"), 405),
        ("post", lambda e: reverse("accounts:use_link", args=["not-a-token"]), 400),
        ("post", lambda e: reverse("set_language"), 302),
    ],
)
def test_every_response_carries_the_policy(client, published_event, method, path_for, status):
    response = getattr(client, method)(path_for(published_event), {"language": "en", "next": "/"} if method == "post" else None)

    assert response.status_code == status
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_forbidden_page_carries_the_policy(client, published_event):
    client.force_login(MembershipFactory(event=published_event, role="participant").user)

    response = client.get(reverse("events:create"))

    assert response.status_code == 403
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


class InlineFinder(HTMLParser):
    """Collect what the policy would block: inline scripts, style attributes and elements, handlers."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not attrs.get("src"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline script text")


def inline_content(html):
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_public_and_organiser_pages_need_nothing_inline(client, published_event):
    organiser = MembershipFactory(event=published_event, role="organiser").user
    item = published_event.programme.get()
    public = [
        reverse("home"),
        reverse("accounts:sign_in"),
        reverse("accounts:password_sign_in"),
        reverse("events:detail", args=[published_event.slug]),
        reverse("events:programme", args=[published_event.slug]),
    ]
    private = [
        reverse("accounts:home"),
        reverse("events:dashboard"),
        reverse("events:create"),
        reverse("events:manage", args=[published_event.slug]),
        reverse("events:edit", args=[published_event.slug]),
        reverse("events:clone", args=[published_event.slug]),
        reverse("events:programme_manage", args=[published_event.slug]),
        reverse("events:item_create", args=[published_event.slug]),
        reverse("events:item_edit", args=[published_event.slug, item.pk]),
        reverse("events:item_delete", args=[published_event.slug, item.pk]),
        reverse("events:roles", args=[published_event.slug]),
        reverse("events:audit", args=[published_event.slug]),
    ]
    problems = {}
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
        problems[path] = inline_content(response.content.decode())
    client.force_login(organiser)
    for path in private:
        response = client.get(path)
        assert response.status_code == 200, path
        problems[path] = inline_content(response.content.decode())

    assert {path: found for path, found in problems.items() if found} == {}


def test_inline_finder_sees_what_the_policy_blocks():
    html = '<p style="color:red" onclick="x()">a</p><script>alert(1)</script><a href="javascript:x()">b</a>'

    assert inline_content(html) == [
        "style attribute on <p>",
        "onclick handler on <p>",
        "<script> without src",
        "inline script text",
        "javascript: URL on <a>",
    ]
