"""The challenge services: proposals, moderation, the vote's life and its refusals."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError

from citehack.challenges import selectors, services
from citehack.challenges.models import (
    Ballot, Challenge, ChallengeStatus, ChallengeVote, Rule, VoterRecord, VoteStatus,
)
from citehack.challenges.tally import RULES
from citehack.core.models import AuditEntry
from citehack.events.models import Phase
from tests.factories import EventFactory, MembershipFactory

from .conftest import add_challenges, confirmed_participant, open_vote, set_phase

pytestmark = pytest.mark.django_db

PROPOSAL = {"title": "Des bancs", "problem": "Pas de bancs.", "affected": "Les aînés.", "outcome": "Des bancs.", "theme": "neighbourhoods"}


def test_rules_of_the_model_are_the_rules_of_tally():
    assert set(Rule.values) == set(RULES)
    from citehack.challenges.models import APPROVAL_RULES, RANKING_RULES

    assert {rule: "approval" for rule in APPROVAL_RULES} | {rule: "ranking" for rule in RANKING_RULES} == {
        name: info.ballot for name, info in RULES.items()
    }


# Proposals ---------------------------------------------------------------------------------------


def test_participant_proposes_in_the_registration_phase(event, participant):
    challenge = services.propose_challenge(actor=participant, event=event, **PROPOSAL)

    assert challenge.status == ChallengeStatus.PROPOSED
    assert challenge.proposed_by == participant
    assert AuditEntry.objects.filter(action="challenge.propose", object_id=str(challenge.pk)).count() == 1


def test_organiser_proposal_is_accepted_at_once_even_in_draft(event, organiser):
    set_phase(event, Phase.DRAFT)

    challenge = services.propose_challenge(actor=organiser, event=event, **PROPOSAL)

    assert challenge.status == ChallengeStatus.ACCEPTED


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.CHALLENGE_VOTE, Phase.TEAM_FORMATION])
def test_participant_proposal_is_refused_outside_registration(event, participant, phase):
    set_phase(event, phase)

    with pytest.raises(ValidationError, match="registration is open"):
        services.propose_challenge(actor=participant, event=event, **PROPOSAL)
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("who", ["waitlisted", "cancelled", "stranger", "other_event_participant"])
def test_proposal_is_refused_to_anyone_not_confirmed_in_the_event(event, who, request):
    user = request.getfixturevalue(who)

    with pytest.raises(ValidationError, match="confirmed"):
        services.propose_challenge(actor=user, event=event, **PROPOSAL)


def test_proposals_close_when_the_vote_opens(event, organiser, participant):
    open_vote(event, organiser)

    for user in (organiser, participant):
        with pytest.raises(ValidationError, match="started"):
            services.propose_challenge(actor=user, event=event, **PROPOSAL)


def test_organiser_cannot_propose_after_the_vote_phase(event, organiser):
    set_phase(event, Phase.TEAM_FORMATION)

    with pytest.raises(ValidationError, match="moved past"):
        services.propose_challenge(actor=organiser, event=event, **PROPOSAL)


# Moderation ----------------------------------------------------------------------------------------


def test_accept_reject_merge_with_audit(event, organiser):
    a, b, c = add_challenges(event, 3, status=ChallengeStatus.PROPOSED)

    services.accept_challenge(actor=organiser, challenge=a)
    services.reject_challenge(actor=organiser, challenge=b, reason="Hors sujet")
    services.merge_challenge(actor=organiser, challenge=c, into=a)

    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.status, b.status, b.rejection_reason, c.status, c.merged_into) == (
        "accepted", "rejected", "Hors sujet", "merged", a,
    )
    actions = list(AuditEntry.objects.filter(event=event).order_by("id").values_list("action", flat=True))
    assert actions == ["challenge.accept", "challenge.reject", "challenge.merge"]


def test_merge_sends_no_mail(event, organiser, mailoutbox):
    a, b = add_challenges(event, 2, status=ChallengeStatus.PROPOSED)

    services.merge_challenge(actor=organiser, challenge=b, into=a)

    assert mailoutbox == []


def test_reject_needs_a_reason(event, organiser):
    (challenge,) = add_challenges(event, 1, status=ChallengeStatus.PROPOSED)

    with pytest.raises(ValidationError, match="reason"):
        services.reject_challenge(actor=organiser, challenge=challenge, reason="  ")


def test_merging_a_challenge_brings_its_duplicates_along(event, organiser):
    a, b, c = add_challenges(event, 3, status=ChallengeStatus.PROPOSED)
    services.merge_challenge(actor=organiser, challenge=c, into=b)

    services.merge_challenge(actor=organiser, challenge=b, into=a)

    c.refresh_from_db()
    assert c.merged_into == a


@pytest.mark.parametrize("target", ["itself", "merged", "rejected", "other event"])
def test_merge_refuses_a_wrong_target(event, organiser, target):
    a, b = add_challenges(event, 2, status=ChallengeStatus.PROPOSED)
    if target == "itself":
        into = a
    elif target == "merged":
        (x,) = add_challenges(event, 1, status=ChallengeStatus.PROPOSED)
        services.merge_challenge(actor=organiser, challenge=b, into=x)
        into = b
    elif target == "rejected":
        services.reject_challenge(actor=organiser, challenge=b, reason="Non")
        into = b
    else:
        (into,) = add_challenges(EventFactory(), 1)

    with pytest.raises(ValidationError):
        services.merge_challenge(actor=organiser, challenge=a, into=into)


def test_moderation_is_frozen_once_the_vote_opens(event, organiser):
    open_vote(event, organiser)
    challenge = Challenge.objects.filter(event=event).first()
    before = AuditEntry.objects.count()

    for act in (
        lambda: services.reject_challenge(actor=organiser, challenge=challenge, reason="Trop tard"),
        lambda: services.merge_challenge(actor=organiser, challenge=challenge, into=Challenge.objects.filter(event=event).last()),
        lambda: services.accept_challenge(actor=organiser, challenge=add_challenges(event, 1, status="proposed")[0]),
    ):
        with pytest.raises(ValidationError, match="frozen"):
            act()
    assert AuditEntry.objects.count() == before


# Settings and opening ------------------------------------------------------------------------------


def test_configure_vote_in_setup_with_audit(event, organiser):
    vote = services.configure_vote(actor=organiser, event=event, seats=3, ballot_kind="ranking", rule="schulze", max_approvals=4)

    assert (vote.seats, vote.ballot_kind, vote.rule, vote.max_approvals) == (3, "ranking", "schulze", None)
    entry = AuditEntry.objects.get(action="challenge_vote.configure")
    assert entry.after == {"seats": 3, "ballot_kind": "ranking", "max_approvals": None, "rule": "schulze"}


@pytest.mark.parametrize(
    ("kind", "rule", "field"),
    [("approval", "stv", "rule"), ("ranking", "av", "rule"), ("approval", "nope", "rule"), ("secret", "av", "ballot_kind")],
)
def test_configure_vote_refuses_a_rule_that_does_not_fit(event, organiser, kind, rule, field):
    with pytest.raises(ValidationError) as error:
        services.configure_vote(actor=organiser, event=event, seats=3, ballot_kind=kind, rule=rule)

    assert field in error.value.message_dict


def test_settings_are_frozen_once_the_vote_is_open(event, organiser):
    vote = open_vote(event, organiser, seats=2, rule="av")

    with pytest.raises(ValidationError, match="frozen"):
        services.configure_vote(actor=organiser, event=event, seats=3, ballot_kind="approval", rule="seqphragmen")

    vote.refresh_from_db()
    assert (vote.seats, vote.rule) == (2, "av")


def test_open_vote_draws_a_seed_publishes_its_hash_and_codes_the_candidates(event, organiser):
    rejected = Challenge.objects.create(
        event=event, title="Non", problem="p", affected="a", outcome="o", status="rejected", rejection_reason="Hors sujet",
    )

    vote = open_vote(event, organiser, candidates=4, seats=3)

    assert vote.status == VoteStatus.OPEN and vote.opened_at is not None
    assert hashlib.sha256(vote.seed.encode()).hexdigest() == vote.seed_hash
    assert len(vote.seed) == 32 and len(vote.voter_key_secret) == 64
    assert [c.code for c in selectors.candidates(vote)] == ["C1", "C2", "C3", "C4"]
    rejected.refresh_from_db()
    assert rejected.code == ""
    entry = AuditEntry.objects.get(action="challenge_vote.open")
    assert entry.after["seed_hash"] == vote.seed_hash
    assert vote.seed not in json.dumps(entry.after)


def test_open_vote_needs_the_vote_phase(event, organiser):
    add_challenges(event, 4)
    services.configure_vote(actor=organiser, event=event, seats=2, ballot_kind="approval", rule="av")

    with pytest.raises(ValidationError, match="phase"):
        services.open_vote(actor=organiser, event=event)
    assert ChallengeVote.objects.get(event=event).status == VoteStatus.SETUP


@pytest.mark.parametrize(("accepted", "opens"), [(2, False), (3, True)])
def test_open_vote_needs_more_accepted_challenges_than_seats(event, organiser, accepted, opens):
    add_challenges(event, accepted)
    add_challenges(event, 3, status=ChallengeStatus.PROPOSED)
    services.configure_vote(actor=organiser, event=event, seats=2, ballot_kind="approval", rule="av")
    set_phase(event, Phase.CHALLENGE_VOTE)

    if opens:
        assert services.open_vote(actor=organiser, event=event).is_open
    else:
        with pytest.raises(ValidationError, match="more than the 2"):
            services.open_vote(actor=organiser, event=event)


def test_open_vote_twice_is_refused(event, organiser):
    open_vote(event, organiser)

    with pytest.raises(ValidationError, match="already open"):
        services.open_vote(actor=organiser, event=event)


# Ballots ----------------------------------------------------------------------------------------------


def test_cast_ballot_stores_no_person_and_one_voter_record(event, organiser, participant):
    vote = open_vote(event, organiser)

    replaced = services.cast_ballot(actor=participant, event=event, selection=["C3", "C1"])

    assert replaced is False
    ballot = Ballot.objects.get()
    assert (ballot.content, ballot.count, ballot.source) == ('["C1","C3"]', 1, "online")
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "vote", "content", "count", "source", "voter_key"}
    assert ballot.voter_key != str(participant.pk) and len(ballot.voter_key) == 64
    assert list(VoterRecord.objects.values_list("vote", "user")) == [(vote.pk, participant.pk)]
    assert not AuditEntry.objects.filter(action__contains="ballot", actor=participant).exists()


def test_voting_twice_replaces_the_first_ballot(event, organiser, participant):
    open_vote(event, organiser)
    services.cast_ballot(actor=participant, event=event, selection=["C1"])

    replaced = services.cast_ballot(actor=participant, event=event, selection=["C2", "C4"])

    assert replaced is True
    assert list(Ballot.objects.values_list("content", flat=True)) == ['["C2","C4"]']
    assert VoterRecord.objects.count() == 1


def test_own_ballot_reads_back_while_open(event, organiser, participant):
    vote = open_vote(event, organiser, ballot_kind="ranking", rule="schulze")
    services.cast_ballot(actor=participant, event=event, selection=["C3", "C1"])

    assert services.own_ballot(vote, participant) == ["C3", "C1"]


@pytest.mark.parametrize(
    ("selection", "message"),
    [([], "at least one"), (["C1", "C2", "C3"], "at most 2"), (["C9"], "not in the vote"), (["C1", "C1"], "only once")],
)
def test_approval_ballot_is_checked(event, organiser, participant, selection, message):
    open_vote(event, organiser, max_approvals=2)

    with pytest.raises(ValidationError, match=message):
        services.cast_ballot(actor=participant, event=event, selection=selection)
    assert not Ballot.objects.exists() and not VoterRecord.objects.exists()


def test_ranking_ballot_keeps_the_order_and_refuses_duplicates(event, organiser, participant):
    open_vote(event, organiser, ballot_kind="ranking", rule="stv")

    with pytest.raises(ValidationError, match="only once"):
        services.cast_ballot(actor=participant, event=event, selection=["C2", "C2"])
    services.cast_ballot(actor=participant, event=event, selection=["C4", "C2", "C1"])

    assert Ballot.objects.get().content == '["C4","C2","C1"]'


def test_voting_before_the_vote_opens_is_refused(event, organiser, participant):
    add_challenges(event, 4)
    services.configure_vote(actor=organiser, event=event, seats=2, ballot_kind="approval", rule="av")
    set_phase(event, Phase.CHALLENGE_VOTE)

    with pytest.raises(ValidationError, match="not opened"):
        services.cast_ballot(actor=participant, event=event, selection=["C1"])


def test_voting_after_close_is_refused(event, organiser, participant, closed_vote):
    with pytest.raises(ValidationError, match="closed"):
        services.cast_ballot(actor=participant, event=event, selection=["C1"])
    assert Ballot.objects.count() == 3


def test_voting_is_refused_when_the_phase_moved_on(event, organiser, participant):
    open_vote(event, organiser)
    set_phase(event, Phase.TEAM_FORMATION)

    with pytest.raises(ValidationError, match="not running"):
        services.cast_ballot(actor=participant, event=event, selection=["C1"])


@pytest.mark.parametrize("who", ["waitlisted", "cancelled", "stranger", "other_event_participant", "organiser"])
def test_voting_is_refused_to_anyone_not_confirmed_in_the_event(event, organiser, who, request):
    open_vote(event, organiser)
    user = request.getfixturevalue(who)

    with pytest.raises(ValidationError, match="confirmed"):
        services.cast_ballot(actor=user, event=event, selection=["C1"])
    assert not Ballot.objects.exists()


def test_a_participant_votes_only_in_their_own_event(event, organiser, other_event_participant):
    open_vote(event, organiser)
    other = other_event_participant.registrations.get().event
    open_vote(other, MembershipFactory(event=other, role="organiser").user)

    services.cast_ballot(actor=other_event_participant, event=other, selection=["C1"])
    with pytest.raises(ValidationError):
        services.cast_ballot(actor=other_event_participant, event=event, selection=["C1"])

    assert Ballot.objects.filter(vote__event=event).count() == 0
    assert Ballot.objects.filter(vote__event=other).count() == 1


# Paper ballots --------------------------------------------------------------------------------------


def test_paper_ballots_are_counted_rows_with_an_audit_entry(event, organiser):
    open_vote(event, organiser)

    services.add_paper_ballots(actor=organiser, event=event, rows=[(["C2"], 5), (["C1", "C3"], 2)])

    rows = sorted(Ballot.objects.values_list("content", "count", "source", "voter_key"))
    assert rows == [('["C1","C3"]', 2, "paper", None), ('["C2"]', 5, "paper", None)]
    entry = AuditEntry.objects.get(action="challenge_vote.paper")
    assert [(r["ballot"], r["count"]) for r in entry.after["rows"]] == [(["C2"], 5), (["C1", "C3"], 2)]
    assert selectors.turnout(selectors.get_vote(event), event)["paper"] == 7


def test_paper_ballots_are_refused_before_open_and_with_a_bad_count(event, organiser):
    with pytest.raises(ValidationError, match="while the vote is open"):
        services.add_paper_ballots(actor=organiser, event=event, rows=[(["C1"], 1)])
    open_vote(event, organiser)
    with pytest.raises(ValidationError, match="at least 1"):
        services.add_paper_ballots(actor=organiser, event=event, rows=[(["C1"], 0)])
    assert not Ballot.objects.exists()


def test_a_paper_row_can_be_removed_while_open(event, organiser):
    open_vote(event, organiser)
    (row,) = services.add_paper_ballots(actor=organiser, event=event, rows=[(["C2"], 5)])

    services.remove_paper_ballots(actor=organiser, event=event, ballot_id=row.pk)

    assert not Ballot.objects.exists()
    assert AuditEntry.objects.get(action="challenge_vote.paper_remove").before["count"] == 5


# Closing ----------------------------------------------------------------------------------------------


def test_close_counts_stores_reveals_wipes_and_numbers(event, organiser):
    vote = open_vote(event, organiser, seats=2, rule="av")
    for selection in (["C3", "C1"], ["C3"], ["C3", "C2"], ["C1"]):
        services.cast_ballot(actor=confirmed_participant(event), event=event, selection=selection)
    services.add_paper_ballots(actor=organiser, event=event, rows=[(["C4"], 1)])
    seed = vote.seed

    vote = services.close_vote(actor=organiser, event=event)

    assert vote.status == VoteStatus.CLOSED and vote.closed_at is not None
    assert vote.voter_key_secret == ""
    assert vote.result["winners"] == ["C3", "C1"]
    assert vote.result["counts"] == {"C1": 2, "C2": 1, "C3": 3, "C4": 1}
    assert vote.result["ballots"] == 5
    assert vote.result["seed"] == seed and vote.result["seed_hash"] == vote.seed_hash
    assert vote.result["turnout"] == {"online": 4, "eligible": 4, "paper": 1, "percent": 100, "total": 5}
    assert vote.rule_version == RULES["av"].version
    assert [(c.code, c.number) for c in selectors.retained_challenges(event)] == [("C3", 1), ("C1", 2)]
    assert not Challenge.objects.filter(event=event, retained=False, number__isnull=False).exists()
    entry = AuditEntry.objects.get(action="challenge_vote.close")
    assert entry.after["winners"] == ["C3", "C1"] and entry.after["seed"] == seed


def test_close_breaks_ties_with_the_seed_and_reports_them(event, organiser, closed_vote):
    ties = closed_vote.result["ties"]

    assert len(ties) == 1
    assert ties[0]["tied"] == ["C2", "C3"]
    assert closed_vote.result["winners"][0] == "C1"
    assert closed_vote.result["winners"][1] == ties[0]["chosen"][0]


def test_close_with_no_ballot_is_refused(event, organiser):
    open_vote(event, organiser)

    with pytest.raises(ValidationError, match="No ballot"):
        services.close_vote(actor=organiser, event=event)
    assert ChallengeVote.objects.get(event=event).status == VoteStatus.OPEN


def test_close_twice_or_before_open_is_refused(event, organiser, closed_vote):
    with pytest.raises(ValidationError, match="already closed"):
        services.close_vote(actor=organiser, event=event)
    other = EventFactory()
    with pytest.raises(ValidationError, match="not opened"):
        services.close_vote(actor=organiser, event=other)


def test_close_a_ranking_vote_with_stv(event, organiser):
    open_vote(event, organiser, seats=2, ballot_kind="ranking", rule="stv", candidates=3)
    for selection in (["C1", "C2"], ["C1", "C3"], ["C2"], ["C3", "C2"], ["C1"]):
        services.cast_ballot(actor=confirmed_participant(event), event=event, selection=selection)

    vote = services.close_vote(actor=organiser, event=event)

    assert vote.result["counts"] == {"C1": 3, "C2": 1, "C3": 1}
    assert vote.result["winners"][0] == "C1"
    assert len(selectors.retained_challenges(event)) == 2


def test_retained_challenges_is_empty_before_the_close(event, organiser):
    open_vote(event, organiser)

    assert list(selectors.retained_challenges(event)) == []


def test_after_close_ballots_cannot_be_linked_to_voters(event, organiser, participant):
    vote = open_vote(event, organiser)
    services.cast_ballot(actor=participant, event=event, selection=["C1"])
    services.close_vote(actor=organiser, event=event)
    vote.refresh_from_db()

    assert vote.voter_key_secret == ""
    assert services.own_ballot(vote, participant) == []
