import pytest
from django.utils import translation

from citehack.challenges.models import Challenge, ChallengeStatus
from citehack.events.models import Membership, Phase, Role
from citehack.registrations.models import RegistrationState
from citehack.teams import services
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory, UserFactory

TITLES = ["Démocratisation du numérique", "Mobilité dans les quartiers", "Emploi des jeunes"]


def retained(event, titles=TITLES):
    return [
        Challenge.objects.create(
            event=event, title=title, problem=f"Le problème de {title}.", affected="Les habitants.",
            outcome="Un prototype.", status=ChallengeStatus.ACCEPTED, code=f"C{number}", retained=True, number=number,
        )
        for number, title in enumerate(titles, start=1)
    ]


def participant(event, *, skills=("field",), **kwargs):
    """A confirmed participant with their role, as register_participant leaves them; returns the person."""
    registration = RegistrationFactory(event=event, state=RegistrationState.CONFIRMED, skills=list(skills), **kwargs)
    Membership.objects.get_or_create(event=event, user=registration.user, role=Role.PARTICIPANT)
    return registration.user


def rank(event, user, ranking, skills=("field",)):
    return services.save_preferences(actor=user, event=event, ranking=list(ranking), skills=list(skills))


def choices(challenges, *, min_size=1, max_size=4, per_challenge=1, **kwargs):
    return services.Choices(
        min_size=min_size, max_size=max_size,
        teams_per_challenge={c.pk: per_challenge for c in challenges} if per_challenge is not None else {},
        **kwargs,
    )


def form_and_publish(event, organiser, challenges, **kwargs):
    run = services.run_formation(actor=organiser, event=event, choices=choices(challenges, **kwargs))
    assert run.status == "formed", run.message
    return services.publish_teams(actor=organiser, event=event)


@pytest.fixture
def challenges(event):
    event.phase = Phase.TEAM_FORMATION
    event.save(update_fields=["phase"])
    return retained(event)


@pytest.fixture
def people(event, challenges):
    """Six participants: two want each challenge first."""
    users = []
    for index in range(6):
        user = participant(event, skills=[["digital"], ["design"], ["field"]][index % 3])
        first = challenges[index // 2]
        rank(event, user, [first, *[c for c in challenges if c != first]], skills=[["digital"], ["design"], ["field"]][index % 3])
        users.append(user)
    return users


@pytest.fixture
def published(event, organiser, challenges, people):
    """The six people in three published teams of two, one per challenge."""
    return form_and_publish(event, organiser, challenges, min_size=2, max_size=2)


@pytest.fixture
def team(published):
    return published[0]


@pytest.fixture
def member(team):
    return team.members.all()[0].user


@pytest.fixture
def other_member(published):
    """A member of another team of the same event."""
    return published[1].members.all()[0].user


@pytest.fixture
def outsider_participant(db):
    """A participant of another event."""
    other = EventFactory()
    return participant(other)


@pytest.fixture
def mentor(event):
    return MembershipFactory(event=event, role=Role.MENTOR).user


@pytest.fixture
def juror(event):
    return MembershipFactory(event=event, role=Role.JUROR).user


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def english(client):
    """Pages and messages in English, the source language, whatever the translations say."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
