"""The vote page: a phone votes, changes its vote, and every wrong request is refused with nothing changed."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from citehack.audience import identity, selectors, services
from citehack.audience.models import Poll, PollStatus, Vote
from tests.factories import EventFactory

from .conftest import RECORDED, Phone, checked_in_participant, fake_vote, make_teams, open_poll

pytestmark = pytest.mark.django_db


def votes(poll):
    return list(Vote.objects.filter(poll=poll).values_list("team_id", "kind", "weight"))


def test_the_page_gives_a_phone_a_voting_key_and_lists_the_teams(phone, poll, teams):
    response = phone.open()

    assert response.status_code == 200
    cookie = response.cookies[identity.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert identity.device_key(cookie.value) is not None
    body = response.content.decode()
    for team in teams:
        assert f'name="team" value="{team.pk}"' in body
    assert "no-store" in response["Cache-Control"]


def test_a_vote_is_recorded_and_said_so(phone, poll, teams):
    phone.open()
    response = phone.vote(teams[1])

    assert response.status_code == 200
    assert RECORDED.search(response.content.decode()).group(1) == str(teams[1].pk)
    assert "Équipe 2" in response.content.decode()
    assert votes(poll) == [(teams[1].pk, "device", 1)]
    # The page shown afterwards marks the choice.
    again = phone.open().content.decode()
    assert re.search(rf'value="{teams[1].pk}" class="audience-option is-chosen"', again)


def test_changing_ones_vote_updates_the_one_row(phone, poll, teams):
    phone.open()
    phone.vote(teams[0])
    first = Vote.objects.get(poll=poll)
    response = phone.vote(teams[2])

    assert RECORDED.search(response.content.decode()).group(1) == str(teams[2].pk)
    changed = Vote.objects.get(poll=poll)
    assert changed.pk == first.pk and changed.team_id == teams[2].pk
    assert changed.created_at == first.created_at and changed.updated_at >= first.updated_at


def test_the_same_vote_sent_twice_gets_the_same_answer_and_one_row(phone, poll, teams):
    phone.open()
    first = phone.vote(teams[0])
    second = phone.vote(teams[0])

    assert first.status_code == second.status_code == 200
    assert RECORDED.search(first.content.decode()).group(1) == RECORDED.search(second.content.decode()).group(1)
    assert votes(poll) == [(teams[0].pk, "device", 1)]


def test_two_phones_make_two_votes(event, poll, teams):
    for team in (teams[0], teams[0]):
        phone = Phone(event)
        phone.open()
        assert phone.vote(team).status_code == 200
    assert Vote.objects.filter(poll=poll).count() == 2


def test_the_raw_token_is_never_stored(phone, poll, teams):
    phone.open()
    token = phone.token
    phone.vote(teams[0])

    vote = Vote.objects.get(poll=poll)
    assert vote.voter == identity.device_key(token) and len(vote.voter) == 64
    assert token not in vote.voter and token.split(".")[0] not in vote.voter
    if connection.vendor == "sqlite":
        dump = "\n".join(connection.connection.iterdump())
        assert token.split(".")[0] not in dump and token.split(".")[1] not in dump


# Refusals: nothing is written -------------------------------------------------------------------


def assert_refused(response, status, poll, before, reason=None):
    assert response.status_code == status
    body = response.content.decode()
    assert "data-vote-refused" in body and not RECORDED.search(body)
    if reason:
        assert f'data-vote-refused="{reason}"' in body
    if poll is not None:
        assert votes(poll) == before


def test_a_vote_before_the_poll_exists_is_refused(phone, event, teams):
    phone.open()
    response = phone.vote(teams[0])
    assert_refused(response, 403, None, None, "not_open")
    assert not Vote.objects.exists()


def test_a_vote_before_opening_is_refused(phone, event, organiser, teams):
    services.configure_poll(actor=organiser, event=event, title="Prix du public", eligibility="device")
    page = phone.open().content.decode()
    assert 'data-vote-state="not_open"' in page and 'name="team"' not in page
    response = phone.vote(teams[0])
    assert_refused(response, 403, Poll.objects.get(event=event), [], "not_open")


def test_a_vote_after_the_close_is_refused_and_the_earlier_vote_stays(phone, event, organiser, poll, teams):
    phone.open()
    phone.vote(teams[0])
    services.close_poll(actor=organiser, event=event)

    response = phone.vote(teams[1])

    assert_refused(response, 403, poll, [(teams[0].pk, "device", 1)], "closed")
    page = phone.open().content.decode()
    assert 'data-vote-state="closed"' in page and 'name="team"' not in page and "Équipe 1" in page


def test_a_vote_that_reaches_a_poll_closed_since_the_page_was_cached_is_refused(phone, event, organiser, poll, teams):
    phone.open()
    selectors.get_ballot(event.slug)  # cached as open
    Poll.objects.filter(pk=poll.pk).update(status=PollStatus.CLOSED)  # closed behind the cache's back
    response = phone.vote(teams[0])
    assert_refused(response, 403, poll, [], "closed")


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered tag
    lambda token: ("A" if token[0] != "A" else "B") + token[1:],  # altered body
    lambda token: token.split(".")[0],  # no tag
    lambda token: "x" * len(token),
    lambda token: "",
])
def test_a_forged_token_is_refused(phone, poll, teams, tamper):
    phone.open()
    forged = tamper(phone.token)
    phone.client.cookies[identity.COOKIE_NAME] = forged
    response = phone.vote(teams[0])
    assert_refused(response, 403, poll, [], "token" if forged else "no_cookie")
    # The phone is given a genuine key for its next try.
    assert identity.device_key(response.cookies[identity.COOKIE_NAME].value) is not None


def test_a_token_signed_with_another_secret_is_refused(phone, poll, teams, settings):
    settings.SECRET_KEY = "another-site-" + "x" * 50
    foreign = identity.new_token()
    settings.SECRET_KEY = settings.SECRET_KEY.replace("another-site-", "")
    phone.client.cookies[identity.COOKIE_NAME] = foreign
    assert_refused(phone.vote(teams[0]), 403, poll, [], "token")


def test_a_phone_without_cookie_cannot_vote_on_its_first_request(phone, poll, teams):
    response = phone.vote(teams[0])
    assert_refused(response, 403, poll, [], "no_cookie")
    # Its second request carries the key it was given.
    assert phone.vote(teams[0]).status_code == 200
    assert votes(poll) == [(teams[0].pk, "device", 1)]


def test_a_vote_for_a_team_of_another_event_is_refused(phone, poll, teams, organiser):
    other = EventFactory(phase="live")
    foreign = make_teams(other, 1)[0]
    phone.open()
    assert_refused(phone.vote(foreign), 400, poll, [], "team")


def test_a_vote_for_an_unpublished_team_is_refused(phone, event, poll, teams):
    draft = make_teams(event, 1, published=False)[0]
    phone.open()
    assert_refused(phone.vote(draft), 400, poll, [], "team")


@pytest.mark.parametrize("value", ["", "abc", "-3", "0", "1e9", "99999999999999999999999"])
def test_a_malformed_choice_is_refused(phone, poll, teams, value):
    phone.open()
    response = phone.client.post(phone.url, {"team": value})
    assert_refused(response, 400, poll, [], "invalid")


def test_the_vote_of_an_unknown_or_draft_event_is_not_shown(phone, poll, teams, event, organiser, django_capture_on_commit_callbacks):
    assert phone.client.get(reverse("audience:vote", args=["nope"])).status_code == 404
    phone.open()
    with django_capture_on_commit_callbacks(execute=True):
        event.phase = "draft"
        event.save()
    assert phone.open().status_code == 403
    assert phone.vote(teams[0]).status_code == 403
    assert not Vote.objects.exists()
    # Its organiser still sees it.
    phone.client.force_login(organiser)
    assert phone.open().status_code == 200


def test_only_get_and_post(phone, poll):
    assert phone.client.put(phone.url).status_code == 405


# Participants (the badge) -----------------------------------------------------------------------


def test_in_participant_mode_an_anonymous_phone_is_asked_to_sign_in(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="participant")
    phone = Phone(event)
    page = phone.open().content.decode()
    assert 'data-vote-refused="sign_in"' in page and 'name="team"' not in page
    assert reverse("accounts:sign_in") in page
    assert_refused(phone.vote(teams[0]), 403, poll, [], "sign_in")


def test_in_participant_mode_a_person_not_checked_in_is_refused(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="participant")
    registration = checked_in_participant(event, checked_in=False)
    phone = Phone(event)
    phone.client.force_login(registration.user)
    phone.open()
    assert_refused(phone.vote(teams[0]), 403, poll, [], "not_checked_in")


def test_a_checked_in_participant_votes_as_themself_from_any_phone(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="participant")
    registration = checked_in_participant(event)
    first, second = Phone(event), Phone(event)
    for phone, team in ((first, teams[0]), (second, teams[2])):
        phone.client.force_login(registration.user)
        phone.open()
        assert phone.vote(team).status_code == 200
    # One person, one vote: the second phone changed it. Weights count only in "both".
    assert votes(poll) == [(teams[2].pk, "participant", 1)]
    assert Vote.objects.get().voter == identity.participant_key(registration.pk)


def test_a_participant_of_another_event_is_refused(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="participant")
    outsider = checked_in_participant(EventFactory(phase="live"))
    phone = Phone(event)
    phone.client.force_login(outsider.user)
    phone.open()
    assert_refused(phone.vote(teams[0]), 403, poll, [], "not_checked_in")


def test_with_both_the_weights_declared_in_advance_apply(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="both", device_weight=1, participant_weight=3)
    anonymous = Phone(event)
    anonymous.open()
    anonymous.vote(teams[0])
    participant = Phone(event)
    participant.client.force_login(checked_in_participant(event).user)
    participant.open()
    participant.vote(teams[1])
    not_checked_in = Phone(event)
    not_checked_in.client.force_login(checked_in_participant(event, checked_in=False).user)
    not_checked_in.open()
    not_checked_in.vote(teams[1])

    assert sorted(votes(poll)) == sorted([(teams[0].pk, "device", 1), (teams[1].pk, "participant", 3), (teams[1].pk, "device", 1)])


def test_with_both_a_participant_signing_in_replaces_the_phones_own_vote(event, organiser, teams):
    poll = open_poll(event, organiser, eligibility="both")
    phone = Phone(event)
    phone.open()
    phone.vote(teams[0])
    phone.client.force_login(checked_in_participant(event).user)
    phone.vote(teams[1])
    assert votes(poll) == [(teams[1].pk, "participant", 2)]


# Rate limits ------------------------------------------------------------------------------------


def test_a_voter_changing_too_often_is_slowed_down(phone, poll, teams, settings):
    settings.AUDIENCE_VOTE_RATE = (3, 60)
    phone.open()
    for team in (teams[0], teams[1], teams[2]):
        assert phone.vote(team).status_code == 200
    response = phone.vote(teams[0])
    assert_refused(response, 429, poll, [(teams[2].pk, "device", 1)], "rate_voter")
    # Another phone is not slowed down by this one.
    other = Phone(poll.event)
    other.open()
    assert other.vote(teams[0]).status_code == 200


def test_one_address_is_limited_loosely_and_others_are_not(event, poll, teams, settings):
    settings.AUDIENCE_ADDRESS_RATE = (4, 60)
    phones = [Phone(event, REMOTE_ADDR="10.0.0.1") for _ in range(5)]
    for phone in phones:
        phone.open()
    answers = [phone.vote(teams[0]).status_code for phone in phones]
    assert answers == [200, 200, 200, 200, 429]
    assert Vote.objects.filter(poll=poll).count() == 4
    elsewhere = Phone(event, REMOTE_ADDR="10.0.0.2")
    elsewhere.open()
    assert elsewhere.vote(teams[0]).status_code == 200


def test_the_default_limits_let_a_whole_room_behind_one_address_vote(event, poll, teams):
    """A venue's phones share one address: 300 phones voting in the same minute all count."""
    for _ in range(300):
        phone = Phone(event, REMOTE_ADDR="192.0.2.7")
        phone.open()
        assert phone.vote(teams[0]).status_code == 200
    assert Vote.objects.filter(poll=poll).count() == 300


# No bandwagon --------------------------------------------------------------------------------------


def test_phones_never_see_the_count(event, poll, teams, phone):
    for _ in range(23):
        fake_vote(poll, teams[0])
    for _ in range(17):
        fake_vote(poll, teams[1])
    pages = [phone.open(), phone.vote(teams[2]), phone.open()]
    for response in pages:
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        assert not re.search(r"\b(23|17|24|18|41|40)\b", text)
        assert response.context is None or not ({"rows", "total"} & set(response.context.flatten()))


def test_the_vote_is_protected_against_cross_site_requests(event, poll, teams):
    """Pages are rendered once and reused: each answer must still carry its own CSRF token."""
    phone = Phone(event, enforce_csrf_checks=True)
    first = phone.open().content.decode()
    second = phone.open().content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', first)
    assert len(tokens) == 2 and "placeholder" not in first
    assert tokens[0] != re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second)[0]
    assert phone.client.post(phone.url, {"team": teams[0].pk, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert not Vote.objects.exists()
    response = phone.client.post(phone.url, {"team": teams[0].pk, "csrfmiddlewaretoken": tokens[0]})
    assert RECORDED.search(response.content.decode())
    assert votes(poll) == [(teams[0].pk, "device", 1)]


def test_the_page_follows_the_language_chosen(event, poll, teams, settings):
    french = Phone(event).open().content.decode()
    english_phone = Phone(event)
    english_phone.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = english_phone.open().content.decode()
    assert '<html lang="fr">' in french and "Équipe 1" in french
    assert '<html lang="en">' in english and "Team 1" in english
