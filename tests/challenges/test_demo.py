"""The reference day's vote in the demo: twelve proposals, about sixty ballots, the seed's seven retained in order."""

import json

import pytest
from django.urls import reverse

from citehack import demo
from citehack.challenges import selectors
from citehack.challenges.models import Ballot, Challenge, VoterRecord
from citehack.challenges.tally_cli import main as tally_main
from citehack.demo.challenges import INVENTED, PROPOSALS, SEED_ORDER

pytestmark = pytest.mark.django_db

SEED_TITLES = [
    "Redynamisation des quartiers",
    "Démocratisation du numérique",
    "chômage de longue durée",
    "Accompagnement des jeunes",
    "territoires cosmopolites",
    "écosystème favorable à l’émergence de projets",
    "espaces publics",
]


@pytest.fixture
def demo_event(db, monkeypatch):
    """The reference day with the challenges part alone (the later parts build on it)."""
    monkeypatch.setattr(demo, "PARTS", ["citehack.demo.challenges"])
    return demo.load()


def test_demo_retains_the_seeds_seven_in_the_seeds_order(demo_event):
    vote = selectors.get_vote(demo_event)
    retained = list(selectors.retained_challenges(demo_event))

    assert vote.status == "closed" and vote.rule == "equal-shares" and vote.seats == 7
    assert [c.number for c in retained] == [1, 2, 3, 4, 5, 6, 7]
    for challenge, words in zip(retained, SEED_TITLES):
        assert words in challenge.title
    assert vote.result["ties"] == []
    assert vote.voter_key_secret == ""


def test_demo_has_twelve_proposals_five_of_them_marked_invented(demo_event):
    challenges = list(Challenge.objects.filter(event=demo_event))

    assert len(challenges) == 12 and all(c.status == "accepted" for c in challenges)
    invented = [c for c in challenges if INVENTED.strip() in c.problem]
    assert len(invented) == 5 and not any(c.retained for c in invented)
    assert sorted(key for key, *_ in PROPOSALS if key not in SEED_ORDER) == ["X1", "X2", "X3", "X4", "X5"]


def test_demo_ballots_and_phase(demo_event):
    vote = selectors.get_vote(demo_event)

    assert 55 <= Ballot.objects.filter(vote=vote).count() <= 65
    assert VoterRecord.objects.filter(vote=vote).count() == vote.result["ballots"]
    assert demo_event.phase == "registration"
    demo_event.refresh_from_db()
    assert demo_event.phase == "registration"
    assert vote.opened_at < vote.closed_at < demo_event.starts_at


def test_demo_results_recount_from_the_download(client, demo_event, tmp_path, capsys):
    vote = selectors.get_vote(demo_event)
    content = client.get(reverse("challenges:ballots_csv", args=[demo_event.slug])).content
    (tmp_path / "b.csv").write_bytes(content)
    capsys.readouterr()

    tally_main([str(tmp_path / "b.csv"), "--seats", "7", "--rule", "equal-shares", "--seed", vote.seed, "--json"])

    assert json.loads(capsys.readouterr().out)["winners"] == vote.result["winners"]
    assert client.get(reverse("challenges:results", args=[demo_event.slug])).status_code == 200
