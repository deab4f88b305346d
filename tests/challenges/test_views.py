"""What the challenge pages show and do, for the people allowed on them."""

import csv
import io
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from citehack.challenges import services
from citehack.challenges.models import Ballot, Challenge, ChallengeVote, VoterRecord
from citehack.challenges.services import vote as vote_services
from citehack.challenges.tally_cli import main as tally_main
from citehack.events.models import Phase

from .conftest import add_challenges, confirmed_participant, open_vote, set_phase

pytestmark = pytest.mark.django_db

PROPOSAL = {"title": "Des bancs", "problem": "Pas de bancs.", "affected": "Les aînés.", "outcome": "Des bancs.", "theme": ""}


def url(name, event, *args):
    return reverse(f"challenges:{name}", args=[event.slug, *args])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Proposals and the public list ---------------------------------------------------------------------


def test_public_list_shows_proposals_in_play_and_hides_rejected_and_merged(client, event, organiser):
    proposed, accepted, rejected, merged = add_challenges(event, 4, status="proposed")
    services.accept_challenge(actor=organiser, challenge=accepted)
    services.reject_challenge(actor=organiser, challenge=rejected, reason="Hors sujet")
    services.merge_challenge(actor=organiser, challenge=merged, into=accepted)

    page = client.get(url("list", event)).content.decode()

    assert proposed.title in page and accepted.title in page
    assert rejected.title not in page and merged.title not in page


def test_proposer_reads_the_fate_of_their_proposals(participant_client, event, organiser, participant):
    challenge = services.propose_challenge(actor=participant, event=event, **PROPOSAL)
    services.reject_challenge(actor=organiser, challenge=challenge, reason="Déjà traité l'an dernier")

    page = participant_client.get(url("list", event)).content.decode()

    assert "Déjà traité l&#x27;an dernier" in page


def test_participant_proposes_through_the_form(participant_client, event, participant):
    response = participant_client.post(url("propose", event), PROPOSAL)

    assert response.status_code == 302 and response["Location"] == url("list", event)
    challenge = Challenge.objects.get()
    assert (challenge.title, challenge.status, challenge.proposed_by) == ("Des bancs", "proposed", participant)


def test_propose_form_says_what_is_missing(participant_client, event):
    response = participant_client.post(url("propose", event), {**PROPOSAL, "problem": ""})

    assert response.status_code == 400
    assert 'href="#id_problem"' in response.content.decode()
    assert not Challenge.objects.exists()


def test_propose_outside_the_window_says_why(participant_client, event):
    set_phase(event, Phase.CHALLENGE_VOTE)

    response = participant_client.get(url("propose", event))

    assert response.status_code == 403
    assert "registration is open" in response.content.decode()


def test_organiser_proposal_goes_back_to_moderation(organiser_client, event):
    response = organiser_client.post(url("propose", event), PROPOSAL)

    assert response["Location"] == url("manage", event)
    assert Challenge.objects.get().status == "accepted"


# Moderation pages ----------------------------------------------------------------------------------


def test_reject_without_reason_is_refused_with_a_message(organiser_client, event):
    (challenge,) = add_challenges(event, 1, status="proposed")

    response = organiser_client.post(url("reject", event, challenge.pk), {"reason": ""})

    assert response.status_code == 400
    challenge.refresh_from_db()
    assert challenge.status == "proposed"


def test_moderation_page_is_read_only_once_the_vote_opened(organiser_client, event, organiser):
    open_vote(event, organiser)
    challenge = Challenge.objects.filter(event=event).first()

    page = organiser_client.get(url("manage", event)).content.decode()
    response = organiser_client.get(url("reject", event, challenge.pk))
    organiser_client.post(url("accept", event, challenge.pk))

    assert url("reject", event, challenge.pk) not in page
    assert response.status_code == 403 and "frozen" in response.content.decode()


# Vote setup --------------------------------------------------------------------------------------


def test_vote_setup_form_refuses_a_rule_for_the_other_ballot(organiser_client, event):
    response = organiser_client.post(url("vote_setup", event), {"seats": "3", "ballot_kind": "approval", "rule": "stv"})

    assert response.status_code == 400
    assert "rankings" in response.content.decode()
    assert not ChallengeVote.objects.exists()


def test_vote_setup_saves(organiser_client, event):
    organiser_client.post(url("vote_setup", event), {"seats": "5", "ballot_kind": "approval", "max_approvals": "3", "rule": "seqphragmen"})

    vote = ChallengeVote.objects.get()
    assert (vote.seats, vote.max_approvals, vote.rule) == (5, 3, "seqphragmen")


def test_vote_settings_cannot_change_once_open(organiser_client, event, organiser):
    open_vote(event, organiser, seats=2, rule="av")

    response = organiser_client.post(url("vote_setup", event), {"seats": "3", "ballot_kind": "approval", "rule": "seqphragmen"})

    assert "frozen" in " ".join(messages_of(response))
    vote = ChallengeVote.objects.get()
    assert (vote.seats, vote.rule) == (2, "av")
    page = organiser_client.get(url("vote_setup", event)).content.decode()
    assert 'name="seats"' not in page and vote.seed_hash in page and vote.seed not in page


def test_opening_in_the_wrong_phase_says_why(organiser_client, event, organiser):
    add_challenges(event, 4)

    response = organiser_client.post(url("vote_open", event))

    assert "Challenge vote" in " ".join(messages_of(response))
    assert not ChallengeVote.objects.filter(status="open").exists()
    page = organiser_client.get(url("vote_open", event))
    assert page.status_code == 403


def test_turnout_polls_as_a_fragment_and_reads_without_javascript(organiser_client, event, organiser, participant):
    open_vote(event, organiser)
    services.cast_ballot(actor=participant, event=event, selection=["C1"])

    fragment = organiser_client.get(url("turnout", event), HTTP_HX_REQUEST="true").content.decode()
    page = organiser_client.get(url("turnout", event)).content.decode()

    assert fragment.lstrip().startswith("<div id=\"turnout\"") and "<html" not in fragment
    assert 'hx-trigger="every 5s"' in fragment
    assert '<span class="stat">1</span> / 1' in page and "<html" in page


# The ballot ---------------------------------------------------------------------------------------


def test_approval_ballot_states_the_maximum_and_refuses_more(participant_client, event, organiser):
    open_vote(event, organiser, max_approvals=2)

    page = participant_client.get(url("ballot", event)).content.decode()
    response = participant_client.post(url("ballot", event), {"choices": ["C1", "C2", "C3"]})

    assert "at most 2" in page and "<legend>" in page
    assert response.status_code == 400 and "tick at most 2" in response.content.decode()
    assert not Ballot.objects.exists()


def test_voting_twice_through_the_page_keeps_one_ballot(participant_client, event, organiser):
    open_vote(event, organiser)

    participant_client.post(url("ballot", event), {"choices": ["C1"]})
    response = participant_client.post(url("ballot", event), {"choices": ["C2", "C3"]})

    assert "replaces" in " ".join(messages_of(response))
    assert list(Ballot.objects.values_list("content", flat=True)) == ['["C2","C3"]']
    assert VoterRecord.objects.count() == 1
    page = participant_client.get(url("ballot", event)).content.decode()
    assert page.count("checked") == 2


def test_ranking_ballot_refuses_duplicate_ranks_clearly(participant_client, event, organiser):
    open_vote(event, organiser, ballot_kind="ranking", rule="schulze")

    response = participant_client.post(url("ballot", event), {"C1": "1", "C2": "1", "C3": "2", "C4": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Rank 1 is given to more than one challenge") >= 2
    assert 'href="#id_C1"' in page
    assert not Ballot.objects.exists()


def test_ranking_ballot_keeps_the_order_of_ranks(participant_client, event, organiser):
    open_vote(event, organiser, ballot_kind="ranking", rule="schulze")

    participant_client.post(url("ballot", event), {"C1": "3", "C2": "", "C3": "1", "C4": "2"})

    assert Ballot.objects.get().content == '["C3","C4","C1"]'
    page = participant_client.get(url("ballot", event)).content.decode()
    assert '<option value="1" selected>' in page


def test_ranking_ballot_needs_one_rank(participant_client, event, organiser):
    open_vote(event, organiser, ballot_kind="ranking", rule="schulze")

    response = participant_client.post(url("ballot", event), {"C1": "", "C2": ""})

    assert response.status_code == 400 and "Rank at least one" in response.content.decode()


def test_ballot_page_before_open_and_after_close_says_why(participant_client, event, organiser, participant):
    add_challenges(event, 4)
    set_phase(event, Phase.CHALLENGE_VOTE)
    before = participant_client.get(url("ballot", event))
    services.configure_vote(actor=organiser, event=event, seats=2, ballot_kind="approval", rule="av")
    services.open_vote(actor=organiser, event=event)
    services.cast_ballot(actor=participant, event=event, selection=["C1"])
    services.close_vote(actor=organiser, event=event)

    after = participant_client.post(url("ballot", event), {"choices": ["C2"]})

    assert before.status_code == 403 and "not opened yet" in before.content.decode()
    assert after.status_code == 403 and "closed" in after.content.decode()
    assert url("results", event) in after.content.decode()
    assert list(Ballot.objects.values_list("content", flat=True)) == ['["C1"]']


# Results ------------------------------------------------------------------------------------------


def test_results_are_hidden_until_close(client, event, organiser, participant):
    vote = open_vote(event, organiser)
    services.cast_ballot(actor=participant, event=event, selection=["C1"])

    page = client.get(url("results", event)).content.decode()
    csv_response = client.get(url("ballots_csv", event))

    assert vote.seed_hash in page
    assert vote.seed not in page and "C1" not in page and "<table" not in page
    assert csv_response.status_code == 404 and csv_response["Content-Type"].startswith("text/html")


def test_results_page_tells_the_whole_story(client, event, organiser, closed_vote):
    page = client.get(url("results", event)).content.decode()
    winners = closed_vote.result["winners"]
    titles = {c.code: c.title for c in Challenge.objects.filter(event=event)}

    first, second = page.index(titles[winners[0]]), page.index(titles[winners[1]])
    assert first < second
    assert 'role="img"' in page and '<title id="results-chart-title">' in page
    assert "<th scope=\"col\" class=\"number\">Approvals</th>" in page
    assert "The challenges with the most ticks are retained" in page
    assert closed_vote.seed in page and closed_vote.seed_hash in page
    assert "sha256(seed) = the published fingerprint." in page
    assert "were level" in page  # C2 and C3 tied for the second place
    assert f"--seats 2 --rule av --ballot approval --seed {closed_vote.seed}" in page


def _recount(tmp_path, content, vote):
    path = tmp_path / "ballots.csv"
    path.write_bytes(content)
    return ["--seats", str(vote.seats), "--rule", vote.rule, "--ballot", vote.ballot_kind, "--seed", vote.seed, "--json"], str(path)


@pytest.mark.parametrize(
    ("kind", "rule", "ballots"),
    [
        ("approval", "equal-shares", [["C1", "C2"], ["C1"], ["C3", "C4"], ["C3"], ["C2", "C4"], ["C1", "C2"]]),
        ("approval", "av", [["C1"], ["C2"], ["C3"], ["C4"]]),  # every place tied: the seed decides
        ("ranking", "schulze", [["C2", "C1"], ["C1", "C3", "C2"], ["C4"], ["C2", "C4", "C3", "C1"], ["C2"]]),
        ("ranking", "stv", [["C2", "C1"], ["C1", "C3", "C2"], ["C4"], ["C2", "C4", "C3", "C1"], ["C3", "C2"]]),
    ],
)
def test_exported_ballots_recount_to_the_stored_winners(client, event, organiser, tmp_path, capsys, kind, rule, ballots):
    open_vote(event, organiser, seats=2, ballot_kind=kind, rule=rule)
    for selection in ballots:
        services.cast_ballot(actor=confirmed_participant(event), event=event, selection=selection)
    services.add_paper_ballots(actor=organiser, event=event, rows=[(ballots[0], 3)])
    vote = services.close_vote(actor=organiser, event=event)

    response = client.get(url("ballots_csv", event))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode())))
    args, path = _recount(tmp_path, content, vote)
    capsys.readouterr()
    status = tally_main([path, *args])
    recount = json.loads(capsys.readouterr().out)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["C1", "C2", "C3", "C4", "count"]
    assert sum(int(row[-1]) for row in rows[1:]) == len(ballots) + 3
    assert status == 0
    assert recount["winners"] == vote.result["winners"]
    assert recount["counts"] == vote.result["counts"]
    assert recount["ballots"] == vote.result["ballots"]
    assert recount["ties"] == vote.result["ties"]


def test_export_holds_no_voter_key(client, event, organiser, closed_vote):
    keys = [key for key in Ballot.objects.values_list("voter_key", flat=True) if key]

    content = client.get(url("ballots_csv", event)).content.decode()

    assert keys and not any(key in content for key in keys)


def test_paper_page_adds_and_removes_rows(organiser_client, event, organiser):
    open_vote(event, organiser, ballot_kind="ranking", rule="schulze")

    bad = organiser_client.post(url("paper", event), {"C1": "1", "C2": "1", "count": "2"})
    organiser_client.post(url("paper", event), {"C1": "2", "C2": "1", "count": "4"})

    assert bad.status_code == 400
    row = Ballot.objects.get()
    assert (row.content, row.count, row.source) == ('["C2","C1"]', 4, "paper")
    assert "C2 &gt; C1" in organiser_client.get(url("paper", event)).content.decode()
    organiser_client.post(url("paper_remove", event, row.pk))
    assert not Ballot.objects.exists()


def test_close_through_the_pages_publishes_the_results(organiser_client, event, organiser, participant):
    open_vote(event, organiser)
    services.cast_ballot(actor=participant, event=event, selection=["C2", "C4"])

    confirm = organiser_client.get(url("vote_close", event))
    response = organiser_client.post(url("vote_close", event))

    assert confirm.status_code == 200
    assert response["Location"] == url("results", event)
    # C2 and C4 are level: the seed orders them.
    retained = [c.code for c in Challenge.objects.filter(event=event, retained=True).order_by("number")]
    assert retained == ChallengeVote.objects.get().result["winners"] and set(retained) == {"C2", "C4"}


def test_close_with_no_ballot_says_why(organiser_client, event, organiser):
    open_vote(event, organiser)

    response = organiser_client.post(url("vote_close", event))

    assert "No ballot" in " ".join(messages_of(response))
    assert ChallengeVote.objects.get().status == "open"


def test_a_lock_timeout_asks_to_try_again_instead_of_failing(participant_client, event, organiser, monkeypatch):
    from django.db import OperationalError

    open_vote(event, organiser)

    def timed_out(event):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(vote_services, "_vote_for_share", timed_out)
    response = participant_client.post(url("ballot", event), {"choices": ["C1"]})

    assert response.status_code == 400
    assert "try again" in response.content.decode()
    assert not Ballot.objects.exists()
