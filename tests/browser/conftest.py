"""Real-browser tests: Playwright driving Debian's Chromium against Django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (shared/BROWSER-TESTS.md).
"""

from urllib.parse import urlparse

import pytest

from tests.conftest import CHROMIUM

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def foreign_requests(context):
    """Every request the browser makes to a host other than the live server's."""
    seen = []

    def on_request(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in ("127.0.0.1", "localhost"):
            seen.append(request.url)

    context.on("request", on_request)
    return seen


@pytest.fixture
def audit():
    """Run axe-core on the page; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert not bad, f"axe-core on {page.url}:\n" + "\n".join(bad)

    return check


@pytest.fixture
def sign_in_as(page, live_server):
    """Sign a person in through a fresh single-use link, as the mail would."""
    from citehack.accounts.services import create_sign_in_link, sign_in_path

    def sign_in(user):
        page.goto(live_server.url + sign_in_path(create_sign_in_link(user=user)))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

    return sign_in
