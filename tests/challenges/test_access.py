"""Every challenge page refuses the wrong people: anonymous, a participant on organiser pages,
another event's organiser, another event's participant, and people not confirmed."""

import pytest
from django.urls import reverse

from citehack.challenges import services
from citehack.challenges.models import Ballot, Challenge, ChallengeVote, VoterRecord
from citehack.core.models import AuditEntry
from citehack.events.models import Phase
from tests.factories import EventFactory, MembershipFactory

from .conftest import add_challenges, confirmed_participant, open_vote, set_phase

pytestmark = pytest.mark.django_db


def database_state():
    return {
        "challenges": list(Challenge.objects.order_by("pk").values_list("pk", "status", "merged_into", "code", "number")),
        "votes": list(ChallengeVote.objects.order_by("pk").values_list("pk", "status", "seats", "rule", "result")),
        "ballots": sorted(Ballot.objects.values_list("content", "count")),
        "voters": VoterRecord.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def prepare(event, organiser, state):
    """Put `event` in `state`; return the objects pages act on."""
    targets = {}
    if state in ("setup", "ready"):
        add_challenges(event, 4)
        targets["challenge"], targets["other"] = add_challenges(event, 2, status="proposed", prefix="Proposition")
        services.configure_vote(actor=organiser, event=event, seats=2, ballot_kind="approval", rule="av")
        if state == "ready":
            set_phase(event, Phase.CHALLENGE_VOTE)
    else:
        open_vote(event, organiser)
        (targets["paper"],) = services.add_paper_ballots(actor=organiser, event=event, rows=[(["C1"], 2)])
        if state == "closed":
            services.close_vote(actor=organiser, event=event)
    return targets


SETUP = {"seats": "3", "ballot_kind": "approval", "max_approvals": "", "rule": "seqphragmen"}

# (name, method, target, POST data, state the organiser would succeed in)
ORGANISER_PAGES = [
    ("challenges:manage", "get", None, None, "setup"),
    ("challenges:accept", "post", "challenge", {}, "setup"),
    ("challenges:reject", "get", "challenge", None, "setup"),
    ("challenges:reject", "post", "challenge", {"reason": "Hors sujet"}, "setup"),
    ("challenges:merge", "get", "challenge", None, "setup"),
    ("challenges:merge", "post", "challenge", "merge", "setup"),
    ("challenges:vote_setup", "get", None, None, "setup"),
    ("challenges:vote_setup", "post", None, SETUP, "setup"),
    ("challenges:vote_open", "get", None, None, "ready"),
    ("challenges:vote_open", "post", None, {}, "ready"),
    ("challenges:vote_close", "get", None, None, "open"),
    ("challenges:vote_close", "post", None, {}, "open"),
    ("challenges:turnout", "get", None, None, "open"),
    ("challenges:paper", "get", None, None, "open"),
    ("challenges:paper", "post", None, {"choices": ["C2"], "count": "3"}, "open"),
    ("challenges:paper_remove", "post", "paper", {}, "open"),
]
PAGE_IDS = [f"{name}-{method}" for name, method, *_ in ORGANISER_PAGES]


def call(client, event, targets, name, method, target, data):
    args = [event.slug] if target is None else [event.slug, targets[target].pk]
    path = reverse(name, args=args)
    if method == "get":
        return path, client.get(path)
    if data == "merge":
        data = {"into": targets["other"].pk}
    return path, client.post(path, data)


@pytest.mark.parametrize(("name", "method", "target", "data", "state"), ORGANISER_PAGES, ids=PAGE_IDS)
def test_anonymous_is_sent_to_sign_in(client, event, organiser, name, method, target, data, state):
    targets = prepare(event, organiser, state)
    before = database_state()

    path, response = call(client, event, targets, name, method, target, data)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next={path}"
    assert database_state() == before


@pytest.mark.parametrize("who", ["participant", "other_event_organiser", "other_event_participant", "stranger"])
@pytest.mark.parametrize(("name", "method", "target", "data", "state"), ORGANISER_PAGES, ids=PAGE_IDS)
def test_wrong_role_is_refused(client, request, event, organiser, who, name, method, target, data, state):
    targets = prepare(event, organiser, state)
    client.force_login(request.getfixturevalue(who))
    before = database_state()

    _, response = call(client, event, targets, name, method, target, data)

    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize(("name", "method", "target", "data", "state"), ORGANISER_PAGES, ids=PAGE_IDS)
def test_organiser_succeeds_on_every_page(organiser_client, event, organiser, name, method, target, data, state):
    """The positive control: the same requests work for the event's organiser."""
    targets = prepare(event, organiser, state)
    before = database_state()

    _, response = call(organiser_client, event, targets, name, method, target, data)

    if method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert database_state() != before


def test_organisation_organiser_manages_challenges(client, event):
    user = MembershipFactory(role="juror").user
    event.organisation.organisers.add(user)
    client.force_login(user)

    assert client.get(reverse("challenges:manage", args=[event.slug])).status_code == 200


# Participant pages --------------------------------------------------------------------------------

PARTICIPANT_PAGES = [
    ("challenges:propose", "get", None),
    ("challenges:propose", "post", {"title": "T", "problem": "P", "affected": "A", "outcome": "O", "theme": ""}),
    ("challenges:ballot", "get", None),
    ("challenges:ballot", "post", {"choices": ["C1"]}),
]


@pytest.fixture
def both_windows(event, organiser):
    """Proposals are refused by phase once the vote is open, so each page gets its own window."""

    def make(name):
        if name == "challenges:ballot":
            open_vote(event, organiser)
    return make


@pytest.mark.parametrize(("name", "method", "data"), PARTICIPANT_PAGES)
def test_participant_pages_send_anonymous_to_sign_in(client, event, both_windows, name, method, data):
    both_windows(name)
    before = database_state()
    path = reverse(name, args=[event.slug])

    response = client.get(path) if method == "get" else client.post(path, data)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next={path}"
    assert database_state() == before


@pytest.mark.parametrize("who", ["waitlisted", "cancelled", "stranger", "other_event_organiser", "other_event_participant"])
@pytest.mark.parametrize(("name", "method", "data"), PARTICIPANT_PAGES)
def test_participant_pages_refuse_people_not_confirmed_here(client, request, event, both_windows, who, name, method, data):
    both_windows(name)
    client.force_login(request.getfixturevalue(who))
    before = database_state()
    path = reverse(name, args=[event.slug])

    response = client.get(path) if method == "get" else client.post(path, data)

    assert response.status_code == 403
    assert database_state() == before


def test_organiser_who_is_not_a_participant_cannot_vote(organiser_client, event, organiser):
    open_vote(event, organiser)

    response = organiser_client.post(reverse("challenges:ballot", args=[event.slug]), {"choices": ["C1"]})

    assert response.status_code == 403
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(("name", "method", "data"), PARTICIPANT_PAGES)
def test_confirmed_participant_succeeds(participant_client, event, both_windows, name, method, data):
    both_windows(name)
    path = reverse(name, args=[event.slug])

    response = participant_client.get(path) if method == "get" else participant_client.post(path, data)

    assert response.status_code == (200 if method == "get" else 302)


# Public pages -------------------------------------------------------------------------------------

PUBLIC_PAGES = ["challenges:list", "challenges:results", "challenges:ballots_csv"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_are_public_once_the_vote_closed(client, event, organiser, name):
    prepare(event, organiser, "closed")

    assert client.get(reverse(name, args=[event.slug])).status_code == 200


@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize("who", [None, "participant", "other_event_organiser"])
def test_draft_event_challenges_are_hidden(client, request, name, who, db):
    draft = EventFactory(phase=Phase.DRAFT)
    add_challenges(draft, 2)
    if who:
        client.force_login(request.getfixturevalue(who))

    response = client.get(reverse(name, args=[draft.slug]))

    assert response.status_code == 403
    assert "Défi 1" not in response.content.decode()


@pytest.mark.parametrize("name", [*PUBLIC_PAGES, "challenges:manage", "challenges:ballot"])
def test_unknown_event_is_404(client, name, db):
    assert client.get(reverse(name, args=["nope"])).status_code == 404


def test_another_events_challenge_is_404_for_an_organiser(organiser_client, event, organiser):
    (foreign,) = add_challenges(EventFactory(), 1, status="proposed")

    for name in ("challenges:accept", "challenges:reject", "challenges:merge"):
        response = organiser_client.post(reverse(name, args=[event.slug, foreign.pk]), {"reason": "x"})
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "proposed"


def test_get_on_post_only_pages_is_405(organiser_client, event, organiser):
    targets = prepare(event, organiser, "open")

    assert organiser_client.get(reverse("challenges:accept", args=[event.slug, 1])).status_code == 405
    assert organiser_client.get(reverse("challenges:paper_remove", args=[event.slug, targets["paper"].pk])).status_code == 405


def test_participant_of_another_event_cannot_read_its_ballot_page_even_with_an_open_vote_there(client, event, organiser):
    other = EventFactory()
    person = confirmed_participant(other)
    open_vote(event, organiser)
    client.force_login(person)

    assert client.get(reverse("challenges:ballot", args=[event.slug])).status_code == 403
