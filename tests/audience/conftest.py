import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citehack.audience import identity, selectors, services, views
from citehack.audience.models import VoterKind
from citehack.events.models import Membership, Phase, Role
from citehack.live import broker
from citehack.registrations.models import RegistrationState
from citehack.teams.models import Team
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory

RECORDED = re.compile(r'data-vote-recorded="(\d+)"')


@pytest.fixture(autouse=True)
def _screens_at_once(settings):
    """Refresh the screens in the request (after commit) rather than from the scheduler thread,
    and forget the live frames of earlier tests (the hub is process-wide)."""
    settings.AUDIENCE_SCREEN_DELAY = 0
    selectors._memo.clear()
    views._rendered.clear()
    broker.hub.latest.clear()
    broker.reset_broker()
    yield
    broker.hub.latest.clear()
    broker.reset_broker()


def make_teams(event, count=3, *, published=True):
    now = timezone.now()
    start = Team.objects.filter(event=event).count()
    return [
        Team.objects.create(event=event, number=start + i + 1, published_at=now if published else None)
        for i in range(count)
    ]


def open_poll(event, organiser, *, eligibility="device", device_weight=1, participant_weight=2):
    services.configure_poll(
        actor=organiser, event=event, title="Prix du public", eligibility=eligibility,
        device_weight=device_weight, participant_weight=participant_weight,
    )
    return services.open_poll(actor=organiser, event=event)


def checked_in_participant(event, *, checked_in=True):
    registration = RegistrationFactory(
        event=event, state=RegistrationState.CONFIRMED, checked_in_at=timezone.now() if checked_in else None,
    )
    Membership.objects.get_or_create(event=event, user=registration.user, role=Role.PARTICIPANT)
    return registration


def fake_vote(poll, team, n=0):
    """A vote stored straight through the service, by a phone that never loaded the page."""
    voter = identity.device_key(identity.new_token())
    assert services.cast_vote(poll_id=poll.pk, team_id=team.pk, voter=voter, kind=VoterKind.DEVICE)
    return voter


class Phone:
    """A phone in the room: its own cookies, loads the vote page, taps a team."""

    def __init__(self, event, client=None, **defaults):
        self.event = event
        self.client = client or Client(**defaults)
        self.url = reverse("audience:vote", args=[event.slug])

    def open(self):
        return self.client.get(self.url)

    def vote(self, team, **extra):
        return self.client.post(self.url, {"team": team.pk if hasattr(team, "pk") else team}, **extra)

    @property
    def token(self):
        cookie = self.client.cookies.get(identity.COOKIE_NAME)
        return cookie.value if cookie else None


@pytest.fixture
def live_event(db):
    now = timezone.now()
    return EventFactory(phase=Phase.LIVE, starts_at=now - timedelta(hours=3), ends_at=now + timedelta(hours=5))


@pytest.fixture
def event(live_event):
    return live_event


@pytest.fixture
def teams(event):
    return make_teams(event, 3)


@pytest.fixture
def poll(event, organiser, teams):
    return open_poll(event, organiser)


@pytest.fixture
def phone(event):
    return Phone(event)


@pytest.fixture
def participant(event):
    return MembershipFactory(event=event, role=Role.PARTICIPANT).user
