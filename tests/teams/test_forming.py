"""The organiser's side: the formation page, hand edits, publication with mail, late arrivals."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from citehack.events.models import Phase
from citehack.teams import services
from citehack.teams.models import FormationRun, Team, TeamMember
from tests.teams.conftest import choices, participant, rank


def url(name, event, *args):
    return reverse(f"teams:{name}", args=[event.slug, *args])


def form_data(challenges, **overrides):
    data = {"min_size": "2", "max_size": "2", "fairness": "on", "skill_coverage": "on", "time_limit": "10"}
    for c in challenges:
        data[f"teams_{c.pk}"] = "1"
        data[f"capacity_{c.pk}"] = ""
    data.update(overrides)
    return data


def layout():
    return sorted(TeamMember.objects.values_list("user_id", "team_id"))


# The formation page --------------------------------------------------------------------------


def test_the_page_offers_one_team_per_challenge_by_default(organiser_client, event, challenges, people):
    body = organiser_client.get(url("manage", event)).content.decode()

    for c in challenges:
        assert f'name="teams_{c.pk}" value="1"' in body
    assert "6 confirmed participants" in body and "6 have ranked the challenges" in body


def test_the_organiser_forms_teams_and_reads_the_figures_in_plain_words(organiser_client, event, challenges, people):
    response = organiser_client.post(url("run", event), form_data(challenges))
    assert response.status_code == 302

    body = organiser_client.get(url("manage", event)).content.decode()
    assert Team.objects.filter(event=event).count() == 3
    assert "100.0 % of the people are on their first choice" in body
    assert "R*, the best worst rank any set of teams could give, is 1" in body
    assert "No friend group is split." in body
    assert "Enforcing full skill coverage moves" in body
    assert "Publish the teams" in body


def test_missing_skills_and_shortages_are_explained(organiser_client, event, challenges):
    # Only one person holds "design": two teams lack it, whatever the optimiser does.
    for index in range(6):
        user = participant(event)
        rank(event, user, challenges, skills=["design"] if index == 0 else ["field"])

    organiser_client.post(url("run", event), form_data(challenges))

    body = organiser_client.get(url("manage", event)).content.decode()
    assert "2 teams lack “Design and drawing”" in body
    assert "The fewest possible with these settings: 2 missing skills in all." in body
    assert "2 more people with the skill “Design and drawing” are needed for every team to have one" in body


def test_infeasible_settings_show_the_reason_never_an_error(organiser_client, event, challenges, people):
    response = organiser_client.post(url("run", event), form_data(challenges, min_size="5", max_size="5"), follow=True)

    assert response.status_code == 200
    body = response.content.decode()
    assert "These settings cannot be met" in body
    assert "people short" in body
    assert FormationRun.objects.get().status == "infeasible"
    assert not Team.objects.exists()


def test_bad_settings_are_refused_by_the_form(organiser_client, event, challenges, people):
    response = organiser_client.post(url("run", event), form_data(challenges, min_size="4", max_size="2", time_limit="999"))

    assert response.status_code == 400
    body = response.content.decode()
    assert "The largest team cannot be smaller than the smallest team." in body
    assert "Time limit, in seconds" in body
    assert not FormationRun.objects.exists()


def test_formation_without_retained_challenges_is_refused_with_a_message(organiser_client, event):
    response = organiser_client.post(url("run", event), {}, follow=True)

    assert "No challenge is retained yet" in response.content.decode()


# Hand edits ---------------------------------------------------------------------------------


@pytest.fixture
def drafts(event, organiser, challenges, people):
    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))
    return list(Team.objects.filter(event=event).order_by("number"))


def test_move_locks_the_person_in_the_new_team(organiser_client, event, drafts, people):
    member = TeamMember.objects.get(user=people[0])

    organiser_client.post(url("move", event), {"member": member.pk, "team": drafts[2].pk})

    member.refresh_from_db()
    assert member.team == drafts[2] and member.locked and member.source == "manual"
    assert event.audit_entries.filter(action="teams.move").count() == 1


def test_swap_exchanges_two_people(organiser_client, event, drafts, people):
    a, b = TeamMember.objects.get(user=people[0]), TeamMember.objects.get(user=people[4])

    organiser_client.post(url("swap", event), {"first": a.pk, "second": b.pk})

    assert TeamMember.objects.get(user=people[0]).team == drafts[2]
    assert TeamMember.objects.get(user=people[4]).team == drafts[0]


def test_swap_within_one_team_or_with_oneself_is_refused(organiser_client, event, drafts, people):
    a, b = TeamMember.objects.get(user=people[0]), TeamMember.objects.get(user=people[1])
    before = layout()

    response = organiser_client.post(url("swap", event), {"first": a.pk, "second": a.pk})
    assert response.status_code == 400 and "Choose two different people." in response.content.decode()
    response = organiser_client.post(url("swap", event), {"first": a.pk, "second": b.pk}, follow=True)
    assert "same team" in response.content.decode()
    assert layout() == before


def test_lock_and_unlock(organiser_client, event, drafts, people):
    member = TeamMember.objects.get(user=people[3])

    organiser_client.post(url("lock", event), {"member": member.pk, "locked": "on"})
    member.refresh_from_db()
    assert member.locked
    organiser_client.post(url("lock", event), {"member": member.pk, "locked": ""})
    member.refresh_from_db()
    assert not member.locked


def test_bad_edit_input_changes_nothing_and_says_why(organiser_client, event, drafts, people, other_event_organiser):
    before = layout()
    member = TeamMember.objects.get(user=people[0])
    foreign = Team.objects.create(event=other_event_organiser.memberships.get().event, number=1)

    for path, data in [
        (url("move", event), {"member": member.pk, "team": foreign.pk}),
        (url("move", event), {"member": "x", "team": drafts[1].pk}),
        (url("move", event), {"member": 999999, "team": drafts[1].pk}),
        (url("swap", event), {"first": 999999, "second": member.pk}),
        (url("lock", event), {"member": "abc"}),
    ]:
        response = organiser_client.post(path, data, follow=True)
        assert response.status_code in (200, 400)
        assert b"message-error" in response.content or b"error-summary" in response.content
    assert layout() == before


def test_the_figures_follow_the_hand_edits(organiser_client, event, drafts, people):
    member = TeamMember.objects.get(user=people[0])
    organiser_client.post(url("move", event), {"member": member.pk, "team": drafts[2].pk})

    body = organiser_client.get(url("manage", event)).content.decode()

    assert "83.3 % of the people are on their first choice" in body
    assert "above the largest size" in body


# Publication ---------------------------------------------------------------------------------


def test_publishing_tells_each_person_by_mail_after_commit(event, organiser, drafts, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            services.publish_teams(actor=organiser, event=event)
            assert mail.outbox == []

    assert len(callbacks) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in people)
    message = next(m for m in mail.outbox if m.to == [people[0].email])
    # Written in the person's language, else the site's (French), not the organiser's (English here).
    assert "Équipe 1 — Démocratisation du numérique" in message.subject
    assert people[1].name in message.body
    assert Team.objects.filter(event=event, published_at__isnull=True).count() == 0
    assert event.audit_entries.filter(action="teams.publish").count() == 1


def test_no_mail_when_publication_fails(event, organiser, drafts, people, django_capture_on_commit_callbacks):
    TeamMember.objects.filter(team=drafts[0]).delete()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError, match="nobody in it"):
            services.publish_teams(actor=organiser, event=event)

    assert mail.outbox == []
    assert not Team.objects.filter(published_at__isnull=False).exists()


def test_publish_page_then_the_member_sees_the_team_on_their_page(organiser_client, client, event, drafts, people, django_capture_on_commit_callbacks):
    page = organiser_client.get(url("publish", event))
    assert "Publish and tell everyone" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url("publish", event))

    assert len(mail.outbox) == 6
    client.force_login(people[0])
    body = client.get(url("hub", event)).content.decode()
    assert "Your team" in body and "Team 1 — Démocratisation du numérique" in body


def test_publishing_twice_is_refused(organiser_client, event, published):
    response = organiser_client.get(url("publish", event))

    assert response.status_code == 403
    assert "already published" in response.content.decode()


def test_moving_someone_after_publication_tells_them(event, organiser, published, people, django_capture_on_commit_callbacks):
    member = TeamMember.objects.get(user=people[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.move_member(actor=organiser, event=event, member_id=member.pk, team_id=published[1].pk)

    assert [m.to for m in mail.outbox] == [[people[0].email]]
    assert "Votre équipe a changé" in mail.outbox[0].subject  # the person's language, else French
    people[1].language = "en"
    people[1].save(update_fields=["language"])
    member = TeamMember.objects.get(user=people[1])
    target = next(t for t in published if t.pk != member.team_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_member(actor=organiser, event=event, member_id=member.pk, team_id=target.pk)
    assert [m.to for m in mail.outbox][-1] == [people[1].email]
    assert "Your team has changed" in mail.outbox[-1].subject


def test_locks_are_refused_after_publication(event, organiser, published, people):
    with pytest.raises(ValidationError):
        services.set_locked(actor=organiser, event=event, member_id=TeamMember.objects.get(user=people[0]).pk, locked=True)


def test_edits_are_refused_once_the_pitches_start(event, organiser, published, people):
    event.phase = Phase.JUDGING
    event.save(update_fields=["phase"])

    with pytest.raises(ValidationError, match="pitches"):
        services.move_member(actor=organiser, event=event, member_id=TeamMember.objects.get(user=people[0]).pk, team_id=published[1].pk)


def test_the_speaker_leaves_with_the_person(event, organiser, published, people):
    member = TeamMember.objects.get(user=people[0])
    services.set_speaker(actor=people[0], team=member.team, user_id=people[0].pk)

    services.move_member(actor=organiser, event=event, member_id=member.pk, team_id=published[1].pk)

    assert Team.objects.get(pk=member.team_id).speaker is None


# Late arrivals ------------------------------------------------------------------------------


def test_a_late_arrival_is_placed_without_moving_anyone(organiser_client, event, challenges, people, organiser, django_capture_on_commit_callbacks):
    from tests.teams.conftest import form_and_publish

    form_and_publish(event, organiser, challenges, min_size=2, max_size=3)
    before = layout()
    late = participant(event, skills=["digital"])
    rank(event, late, [challenges[1], challenges[0], challenges[2]], skills=["digital"])

    body = organiser_client.get(url("manage", event)).content.decode()
    assert f"Place {late.name}" in body
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url("late", event), {"user": late.pk})

    after = layout()
    assert [row for row in after if row[0] != late.pk] == before
    placed = TeamMember.objects.get(user=late)
    assert placed.team.challenge == challenges[1] and placed.source == "late"
    assert [m.to for m in mail.outbox] == [[late.email]]


def test_all_late_arrivals_one_by_one(organiser_client, event, challenges, people, organiser):
    from tests.teams.conftest import form_and_publish

    form_and_publish(event, organiser, challenges, min_size=2, max_size=3)
    before = layout()
    late = [participant(event) for _ in range(3)]
    for user in late:
        rank(event, user, [challenges[0]])

    organiser_client.post(url("late_all", event))

    assert [row for row in layout() if row[0] not in {u.pk for u in late}] == before
    assert TeamMember.objects.filter(user__in=late).count() == 3
    # The challenge-1 team was full after one: the others went elsewhere.
    assert TeamMember.objects.filter(user__in=late, team__challenge=challenges[0]).count() == 1


def test_a_late_arrival_who_fits_nowhere_is_refused_with_the_reason(organiser_client, event, published):
    late = participant(event)

    response = organiser_client.post(url("late", event), {"user": late.pk}, follow=True)

    assert "No team can take this person" in response.content.decode()
    assert not TeamMember.objects.filter(user=late).exists()


def test_late_arrivals_wait_for_publication(event, organiser, drafts):
    with pytest.raises(ValidationError, match="published"):
        services.place_late_arrival(actor=organiser, event=event, user_id=participant(event).pk)


def test_someone_without_a_confirmed_place_is_not_placed(event, organiser, published, stranger):
    with pytest.raises(ValidationError, match="no confirmed place"):
        services.place_late_arrival(actor=organiser, event=event, user_id=stranger.pk)


# Cancellations ------------------------------------------------------------------------------------


def test_a_person_who_cancels_leaves_their_team_and_the_speakers_role(event, organiser, published, people):
    from citehack.registrations import services as registrations
    from citehack.registrations.models import Registration

    member = TeamMember.objects.select_related("team").get(user=people[0])
    team = member.team
    Team.objects.filter(pk=team.pk).update(speaker=people[0])

    registrations.cancel_registration(actor=None, registration=Registration.objects.get(event=event, user=people[0]))

    assert not TeamMember.objects.filter(user=people[0]).exists()
    team.refresh_from_db()
    assert team.speaker is None
    entry = event.audit_entries.get(action="teams.leave_on_cancel")
    assert entry.before == {"user": people[0].pk, "team": team.number}
    assert TeamMember.objects.filter(event=event).count() == len(people) - 1  # nobody else moved


def test_after_the_pitches_started_a_cancellation_leaves_the_teams_as_they_were(event, organiser, published, people):
    from citehack.registrations import services as registrations
    from citehack.registrations.models import Registration

    event.phase = Phase.JUDGING
    event.save(update_fields=["phase"])
    before = layout()

    registrations.cancel_registration(actor=organiser, registration=Registration.objects.get(event=event, user=people[0]))

    assert layout() == before
    assert not event.audit_entries.filter(action="teams.leave_on_cancel").exists()


def test_a_cancellation_before_publication_takes_the_person_out_of_the_draft(event, organiser, challenges, people):
    from citehack.registrations import services as registrations
    from citehack.registrations.models import Registration

    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=1, max_size=3))
    assert TeamMember.objects.filter(user=people[1]).exists()

    registrations.cancel_registration(actor=people[1], registration=Registration.objects.get(event=event, user=people[1]))

    assert not TeamMember.objects.filter(user=people[1]).exists()


def test_a_person_who_cancels_leaves_their_friend_group_and_frees_its_place(event, organiser, challenges):
    from citehack.registrations import services as registrations
    from citehack.registrations.models import Registration
    from citehack.teams.models import FriendGroup, FriendGroupMember

    first, second = participant(event), participant(event)
    code = services.create_friend_group(actor=first, event=event).code
    request = services.join_friend_group(actor=second, event=event, code=code)
    services.accept_friend(actor=first, event=event, member_id=request.pk)

    registrations.cancel_registration(actor=None, registration=Registration.objects.get(event=event, user=second))
    assert list(FriendGroupMember.objects.filter(event=event).values_list("user", flat=True)) == [first.pk]

    # The only confirmed member cancels: the group goes, with the requests waiting in it.
    third = participant(event)
    services.join_friend_group(actor=third, event=event, code=code)
    registrations.cancel_registration(actor=None, registration=Registration.objects.get(event=event, user=first))
    assert not FriendGroup.objects.filter(event=event).exists()
    assert not FriendGroupMember.objects.filter(event=event).exists()
