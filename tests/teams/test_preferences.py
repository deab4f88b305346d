"""Participants rank the retained challenges, declare skills and make friend groups."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.events.models import Phase
from citehack.teams import services
from citehack.teams.models import ChallengeRank, FriendGroup, FriendGroupMember, Preference, TeamSettings
from tests.factories import EventFactory, WaitlistedRegistrationFactory
from tests.teams.conftest import participant, retained


def field(challenge):
    return f"rank_{challenge.pk}"


def post_ranks(client, event, ranks, skills=("digital",)):
    data = {field(c): str(r) if r else "" for c, r in ranks.items()}
    data["skills"] = list(skills)
    return client.post(reverse("teams:preferences", args=[event.slug]), data)


def test_a_participant_ranks_the_challenges_and_declares_skills(client, event, challenges):
    user = participant(event, skills=["field"])
    client.force_login(user)
    first, second, third = challenges

    response = post_ranks(client, event, {first: 2, second: None, third: 3}, skills=["design", "writing"])

    assert response.status_code == 302
    preference = Preference.objects.get(event=event, user=user)
    # Only the order counts: 2 and 3 become 1 and 2.
    assert [(r.challenge, r.rank) for r in preference.ranks.order_by("rank")] == [(first, 1), (third, 2)]
    assert preference.skills == ["design", "writing"]


def test_the_form_is_prefilled_with_the_registration_skills(client, event, challenges):
    client.force_login(participant(event, skills=["project", "writing"]))

    body = client.get(reverse("teams:preferences", args=[event.slug])).content.decode()

    checked = re.findall(r'<input type="checkbox" name="skills" value="(\w+)"[^>]*checked', body)
    assert checked == ["project", "writing"]
    assert "ranking.js" in body
    assert "<script>" not in body and "style=" not in body


def test_duplicate_ranks_are_refused_with_a_message_and_nothing_changes(client, event, challenges):
    user = participant(event)
    client.force_login(user)
    first, second, third = challenges

    response = post_ranks(client, event, {first: 1, second: 1, third: 2})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Rank 1 is given to more than one challenge" in body
    assert first.title in body
    assert not Preference.objects.exists()


def test_ranking_nothing_is_refused(client, event, challenges):
    client.force_login(participant(event))

    response = post_ranks(client, event, {c: None for c in challenges})

    assert response.status_code == 400
    assert "Rank at least one challenge" in response.content.decode()


def test_a_rank_out_of_range_is_refused(client, event, challenges):
    client.force_login(participant(event))

    response = post_ranks(client, event, {challenges[0]: 9})

    assert response.status_code == 400
    assert not ChallengeRank.objects.exists()


def test_saving_again_replaces_the_ranking(event, challenges):
    user = participant(event)
    services.save_preferences(actor=user, event=event, ranking=challenges, skills=[])
    services.save_preferences(actor=user, event=event, ranking=[challenges[2]], skills=["field"])

    assert list(ChallengeRank.objects.values_list("challenge", "rank")) == [(challenges[2].pk, 1)]


def test_a_waitlisted_person_cannot_rank(client, event, challenges):
    registration = WaitlistedRegistrationFactory(event=event)
    client.force_login(registration.user)

    assert client.get(reverse("teams:preferences", args=[event.slug])).status_code == 403
    with pytest.raises(ValidationError):
        services.save_preferences(actor=registration.user, event=event, ranking=challenges, skills=[])


def test_preferences_wait_for_the_retained_challenges(client, event):
    client.force_login(participant(event))

    response = client.get(reverse("teams:preferences", args=[event.slug]))

    assert response.status_code == 403
    assert "challenge vote has closed" in response.content.decode()


def test_preferences_close_when_the_teams_are_published(client, event, published, member, challenges):
    client.force_login(member)

    response = post_ranks(client, event, {challenges[0]: 1})

    assert response.status_code == 403
    assert "The teams are published: preferences can no longer change." in response.content.decode()


def test_a_challenge_of_another_event_cannot_be_ranked(event, challenges):
    other = retained(EventFactory(), ["Ailleurs"])[0]

    with pytest.raises(ValidationError):
        services.save_preferences(actor=participant(event), event=event, ranking=[other], skills=[])


def test_an_unknown_skill_is_refused(event, challenges):
    with pytest.raises(ValidationError):
        services.save_preferences(actor=participant(event), event=event, ranking=challenges, skills=["juggling"])


def test_the_hub_tells_a_participant_where_they_stand(client, event, challenges):
    user = participant(event)
    client.force_login(user)
    assert "Rank the challenges" in client.get(reverse("teams:hub", args=[event.slug])).content.decode()

    services.save_preferences(actor=user, event=event, ranking=challenges[:2], skills=[])

    assert "You have ranked 2 challenges" in client.get(reverse("teams:hub", args=[event.slug])).content.decode()


# Friend groups -----------------------------------------------------------------------------------


def test_a_friend_group_is_confirmed_by_both_sides(client, event, challenges):
    alice, bob = participant(event), participant(event)
    client.force_login(alice)
    client.post(reverse("teams:friends_create", args=[event.slug]))
    group = FriendGroup.objects.get()
    assert group.members.get().user == alice and group.members.get().confirmed_at is not None

    client.force_login(bob)
    response = client.post(reverse("teams:friends_join", args=[event.slug]), {"code": group.code.lower().replace("-", " ")})
    assert response.status_code == 302
    pending = FriendGroupMember.objects.get(user=bob)
    assert pending.confirmed_at is None
    # Bob cannot accept himself.
    client.post(reverse("teams:friends_accept", args=[event.slug, pending.pk]))
    pending.refresh_from_db()
    assert pending.confirmed_at is None

    client.force_login(alice)
    assert bob.name in client.get(reverse("teams:friends", args=[event.slug])).content.decode()
    client.post(reverse("teams:friends_accept", args=[event.slug, pending.pk]))
    pending.refresh_from_db()
    assert pending.confirmed_at is not None


def test_a_pending_request_does_not_count_as_a_group(event, challenges):
    alice, bob = participant(event), participant(event)
    group = services.create_friend_group(actor=alice, event=event)
    services.join_friend_group(actor=bob, event=event, code=group.code)

    people = services.build_people(event, challenges)

    assert {p.group for p in people} == {None}


def test_a_member_declines_a_request(event, challenges):
    alice, bob = participant(event), participant(event)
    group = services.create_friend_group(actor=alice, event=event)
    member = services.join_friend_group(actor=bob, event=event, code=group.code)

    services.decline_friend(actor=alice, event=event, member_id=member.pk)

    assert not FriendGroupMember.objects.filter(user=bob).exists()


def test_a_wrong_code_or_a_code_of_another_event_is_refused(client, event, challenges):
    other_event = EventFactory(phase=Phase.TEAM_FORMATION)
    retained(other_event, ["Ailleurs"])
    foreign = services.create_friend_group(actor=participant(other_event), event=other_event)
    client.force_login(participant(event))

    for code in ["ZZZZ-ZZZZ", foreign.code]:
        response = client.post(reverse("teams:friends_join", args=[event.slug]), {"code": code})
        assert response.status_code == 400
        assert "No friend group of this event has this code" in response.content.decode()
    assert FriendGroupMember.objects.filter(event=event).count() == 0


def test_a_group_is_at_most_the_largest_team(event, challenges):
    TeamSettings.objects.create(event=event, min_size=1, max_size=2)
    alice, bob, carol = participant(event), participant(event), participant(event)
    group = services.create_friend_group(actor=alice, event=event)
    services.join_friend_group(actor=bob, event=event, code=group.code)

    with pytest.raises(ValidationError, match="full"):
        services.join_friend_group(actor=carol, event=event, code=group.code)


def test_one_group_per_person(event, challenges):
    alice, bob = participant(event), participant(event)
    group = services.create_friend_group(actor=alice, event=event)
    services.create_friend_group(actor=bob, event=event)

    with pytest.raises(ValidationError, match="already in a friend group"):
        services.join_friend_group(actor=bob, event=event, code=group.code)


def test_leaving_the_group_and_the_last_one_out_removes_it(client, event, challenges):
    alice, bob = participant(event), participant(event)
    group = services.create_friend_group(actor=alice, event=event)
    member = services.join_friend_group(actor=bob, event=event, code=group.code)
    services.accept_friend(actor=alice, event=event, member_id=member.pk)

    client.force_login(alice)
    client.post(reverse("teams:friends_leave", args=[event.slug]))
    assert FriendGroup.objects.filter(pk=group.pk).exists()
    client.force_login(bob)
    client.post(reverse("teams:friends_leave", args=[event.slug]))
    assert not FriendGroup.objects.filter(pk=group.pk).exists()


def test_friend_groups_freeze_when_the_teams_are_published(event, published, member, challenges):
    with pytest.raises(ValidationError, match="published"):
        services.create_friend_group(actor=member, event=event)


def test_someone_without_a_team_may_still_rank_after_publication(client, event, published, challenges):
    late = participant(event)
    client.force_login(late)

    hub = client.get(reverse("teams:hub", args=[event.slug])).content.decode()
    response = post_ranks(client, event, {challenges[2]: 1})

    assert "you are not in one yet" in hub
    assert response.status_code == 302
    assert Preference.objects.get(user=late).ranks.get().challenge == challenges[2]
    assert client.get(reverse("teams:friends", args=[event.slug])).context["refusal"]
