import re

import pytest

from citehack.events.models import Membership, Role
from citehack.registrations.models import RegistrationState
from tests.factories import RegistrationFactory, UserFactory, WaitlistedRegistrationFactory

PROFILE = {
    "status": "job_seeker", "skills": ["digital", "field"], "neighbourhood": "Etouvie",
    "age_band": "18-25", "themes": ["employment"],
}


def confirmed_registration(event, **kwargs):
    """A confirmed registration with its participant role, as register_participant leaves it."""
    registration = RegistrationFactory(event=event, state=RegistrationState.CONFIRMED, **kwargs)
    Membership.objects.get_or_create(event=event, user=registration.user, role=Role.PARTICIPANT)
    return registration


def waitlisted_registration(event, **kwargs):
    return WaitlistedRegistrationFactory(event=event, **kwargs)


def link_in(message):
    """The path of the personal sign-in link in a mail body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def registration(event):
    return confirmed_registration(event)


@pytest.fixture
def participant_client(client, registration):
    client.force_login(registration.user)
    return client


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The user factory hashes a password per person; these tests create many people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
