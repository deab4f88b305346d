import pytest
from django.utils import timezone, translation

from citehack.challenges.models import Challenge, ChallengeStatus
from citehack.events.models import Membership, Phase, Role
from citehack.judging import services
from citehack.judging.models import Criterion
from citehack.teams.models import Team, TeamMember
from tests.factories import EventFactory, MembershipFactory, UserFactory

TITLES = ["Redynamisation des quartiers", "Démocratisation du numérique", "Emploi", "Jeunesse"]


def make_teams(event, titles=TITLES, *, published=True, start=1):
    """Published teams numbered like their challenges (as team formation leaves them)."""
    teams = []
    for number, title in enumerate(titles, start=start):
        challenge = Challenge.objects.create(
            event=event, title=title, problem="Un problème.", affected="Les habitants.", outcome="Un prototype.",
            status=ChallengeStatus.ACCEPTED, code=f"C{number}", retained=True, number=number,
        )
        teams.append(Team.objects.create(
            event=event, number=number, challenge=challenge, published_at=timezone.now() if published else None,
        ))
    return teams


def add_member(team, user=None):
    user = user or UserFactory()
    Membership.objects.get_or_create(event=team.event, user=user, role=Role.PARTICIPANT)
    TeamMember.objects.create(team=team, event=team.event, user=user)
    return user


def make_juror(event, **kwargs):
    return MembershipFactory(event=event, role=Role.JUROR, **kwargs).user


def score_all(juror, event, team, values, comment=None):
    """Score `team` on every criterion of the rubric, in its order."""
    rubric = list(Criterion.objects.filter(event=event))
    return services.save_scorecard(
        actor=juror, event=event, team=team, values={c.pk: v for c, v in zip(rubric, values)}, comment=comment,
    )


@pytest.fixture
def event(db):
    return EventFactory(phase=Phase.JUDGING)


@pytest.fixture
def teams(event):
    return make_teams(event)


@pytest.fixture
def team(teams):
    return teams[0]


@pytest.fixture
def rubric(event, organiser):
    return services.create_default_rubric(actor=organiser, event=event)


@pytest.fixture
def jurors(event):
    return [make_juror(event) for _ in range(3)]


@pytest.fixture
def juror(jurors):
    return jurors[0]


@pytest.fixture
def opened(event, organiser, rubric, teams, jurors):
    return services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")


@pytest.fixture
def mentor(event):
    return MembershipFactory(event=event, role=Role.MENTOR).user


@pytest.fixture
def participant(event, teams):
    return add_member(teams[1])


@pytest.fixture
def other_event_juror(db):
    return MembershipFactory(role=Role.JUROR).user


@pytest.fixture
def other_event():
    return EventFactory(phase=Phase.JUDGING)


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def english(client):
    """Pages and messages in English, the source language, whatever the translations say."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
