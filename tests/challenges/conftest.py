import pytest
from django.utils import translation

from citehack.challenges import services
from citehack.challenges.models import Challenge, ChallengeStatus
from citehack.events.models import Event, Membership, Phase, Role
from citehack.registrations.models import RegistrationState
from tests.factories import EventFactory, RegistrationFactory, UserFactory, WaitlistedRegistrationFactory


def confirmed_participant(event):
    """A person with a confirmed registration and the participant role, as registering leaves them."""
    registration = RegistrationFactory(event=event, state=RegistrationState.CONFIRMED)
    Membership.objects.get_or_create(event=event, user=registration.user, role=Role.PARTICIPANT)
    return registration.user


def add_challenges(event, count, *, status=ChallengeStatus.ACCEPTED, prefix="Défi"):
    start = Challenge.objects.filter(event=event).count()
    return [
        Challenge.objects.create(
            event=event, title=f"{prefix} {start + i + 1}", problem="Un problème du quartier.",
            affected="Les habitants.", outcome="Une idée qui marche.", theme="neighbourhoods", status=status,
        )
        for i in range(count)
    ]


def set_phase(event, phase):
    Event.objects.filter(pk=event.pk).update(phase=phase)
    event.phase = phase


def open_vote(event, organiser, *, seats=2, candidates=4, ballot_kind="approval", rule="av", max_approvals=None):
    """Accepted challenges, the vote configured and opened; return the vote and its candidates by code."""
    add_challenges(event, candidates)
    services.configure_vote(
        actor=organiser, event=event, seats=seats, ballot_kind=ballot_kind, rule=rule, max_approvals=max_approvals,
    )
    set_phase(event, Phase.CHALLENGE_VOTE)
    vote = services.open_vote(actor=organiser, event=event)
    return vote


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions here read the English source strings; test_french.py checks the French pages."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def participant(event):
    return confirmed_participant(event)


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client


@pytest.fixture
def other_event_participant(db):
    """A confirmed participant of another event: nobody in `event`."""
    return confirmed_participant(EventFactory())


@pytest.fixture
def waitlisted(event):
    return WaitlistedRegistrationFactory(event=event).user


@pytest.fixture
def cancelled(event):
    return RegistrationFactory(event=event, state=RegistrationState.CANCELLED).user


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def open_approval_vote(event, organiser):
    return open_vote(event, organiser)


@pytest.fixture
def closed_vote(event, organiser):
    """A vote with 4 candidates, k = 2, av, three voters, closed."""
    vote = open_vote(event, organiser)
    voters = [confirmed_participant(event) for _ in range(3)]
    for user, selection in zip(voters, [["C1", "C2"], ["C1"], ["C3"]]):
        services.cast_ballot(actor=user, event=event, selection=selection)
    return services.close_vote(actor=organiser, event=event)
