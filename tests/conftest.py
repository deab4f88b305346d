import os

import pytest

from tests.factories import EventFactory, MembershipFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from such a thread unless told it is safe (it is: the loop is Playwright's, not ours).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _isolation(settings, tmp_path):
    """Each test gets French, console-free mail (locmem outbox) and its own media folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "fr"
    # The factories hash a password for every user; the default hasher takes 0.25 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def organiser(event):
    return MembershipFactory(event=event, role="organiser").user


@pytest.fixture
def other_event_organiser(db):
    """An organiser of another event: nobody in `event`."""
    return MembershipFactory(role="organiser").user


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


# Tests that need a real browser or PostgreSQL are skipped, visibly, where the machine has
# neither; .ci/run fails if any of them was skipped.
CHROMIUM = "/usr/bin/chromium"


def _on_postgres():
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="NEEDS-POSTGRES: set DATABASE_URL to a PostgreSQL database to run the race tests")
    skip_browser = pytest.mark.skip(reason=f"NEEDS-CHROMIUM: install Debian's chromium ({CHROMIUM}) to run the browser tests")
    on_pg = _on_postgres()
    has_browser = os.path.exists(CHROMIUM)
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_browser:
            item.add_marker(skip_browser)


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = {"NEEDS-POSTGRES": 0, "NEEDS-CHROMIUM": 0}
    for report in skipped:
        text = str(report.longrepr)
        for key in reasons:
            if key in text:
                reasons[key] += 1
    for key, count in reasons.items():
        if count:
            terminalreporter.write_line(f"NOTICE: {count} test(s) skipped: {key} (see the skip reasons above)", yellow=True)
