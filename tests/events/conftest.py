import pytest

from citehack.events.models import Role
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The factories hash a password for every user; the default hasher takes 0.25 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def participant(event):
    return MembershipFactory(event=event, role=Role.PARTICIPANT).user


@pytest.fixture
def juror(event):
    return MembershipFactory(event=event, role=Role.JUROR).user
