"""From models to formation.Person/Settings, and the result back to draft teams."""

import pytest
from django.core.exceptions import ValidationError

from citehack.registrations.models import RegistrationState
from citehack.teams import formation, services
from citehack.teams.models import FormationRun, Team, TeamMember, TeamSettings
from tests.factories import WaitlistedRegistrationFactory
from tests.teams.conftest import choices, participant, rank


def by_id(people):
    return {p.id: p for p in people}


def test_people_are_the_confirmed_participants_with_their_ranks_skills_and_profile(event, challenges):
    alice = participant(event, skills=["digital"], status="pupil", neighbourhood=" Etouvie ", age_band="u18")
    bob = participant(event, skills=["design"])
    WaitlistedRegistrationFactory(event=event)
    rank(event, alice, [challenges[2], challenges[0]], skills=["writing"])

    people = by_id(services.build_people(event, challenges))

    assert set(people) == {str(alice.pk), str(bob.pk)}
    a = people[str(alice.pk)]
    labels = [services.adapter.challenge_key(c) for c in challenges]
    assert a.ranks == {labels[2]: 1, labels[0]: 2}  # challenge 2 unranked: missing
    assert a.skills == frozenset({"writing"})  # declared skills win over the registration's
    assert (a.status, a.neighbourhood, a.age_band) == ("pupil", "etouvie", "u18")
    b = people[str(bob.pk)]
    assert b.ranks == {} and b.skills == frozenset({"design"})


def test_only_confirmed_groups_of_two_or_more_confirmed_participants_count(event, challenges):
    alice, bob, carol, dan = (participant(event) for _ in range(4))
    group = services.create_friend_group(actor=alice, event=event)
    services.accept_friend(actor=alice, event=event, member_id=services.join_friend_group(actor=bob, event=event, code=group.code).pk)
    services.join_friend_group(actor=carol, event=event, code=group.code)  # pending
    services.create_friend_group(actor=dan, event=event)  # alone

    people = by_id(services.build_people(event, challenges))

    assert people[str(alice.pk)].group == people[str(bob.pk)].group == f"g{group.pk}"
    assert people[str(carol.pk)].group is None
    assert people[str(dan.pk)].group is None

    # A member whose place is cancelled leaves the group with one person: no group.
    bob.registrations.update(state=RegistrationState.CANCELLED)
    assert by_id(services.build_people(event, challenges))[str(alice.pk)].group is None


def test_settings_carry_sizes_capacities_numbers_of_teams_and_aims(event, challenges):
    chosen = services.Choices(
        min_size=2, max_size=5, teams_per_challenge={challenges[0].pk: 2}, capacity={challenges[1].pk: 4},
        fairness=False, skill_coverage=False, time_limit=7,
    )

    settings = services.formation_input(event, chosen).settings

    labels = [services.adapter.challenge_key(c) for c in challenges]
    assert settings.challenges == labels
    assert (settings.min_size, settings.max_size, settings.fairness, settings.skill_coverage, settings.time_limit) == (2, 5, False, False, 7.0)
    assert settings.teams_per_challenge == {labels[0]: 2}
    assert settings.capacity == {labels[1]: 4}


def test_locks_become_challenge_and_team_locks(event, organiser, challenges, people):
    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=1, max_size=2, per_challenge=2))
    teams = list(Team.objects.filter(event=event).order_by("number"))
    second_of_challenge_one = [t for t in teams if t.challenge == challenges[0]][1]
    member = second_of_challenge_one.members.first()
    services.set_locked(actor=organiser, event=event, member_id=member.pk, locked=True)

    settings = services.formation_input(event, choices(challenges)).settings

    key = str(member.user_id)
    assert settings.locks == {key: services.adapter.challenge_key(challenges[0])}
    assert settings.team_locks == {key: 1}


def test_a_run_stores_draft_teams_and_its_figures(event, organiser, challenges, people):
    run = services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))

    assert run.status == "formed" and run.created_by == organiser and run.people_count == 6
    assert run.settings["min_size"] == 2 and run.settings["teams_per_challenge"] == {str(c.pk): 1 for c in challenges}
    assert run.quality["first_choice_share"] == 1.0
    assert run.quality["groups_split"] == 0
    assert run.quality["teams"] == 3
    assert set(run.tradeoffs) >= {"moved_by_skill_coverage", "moved_by_fairness", "shortages"}
    teams = list(Team.objects.filter(event=event).order_by("number"))
    assert [(t.number, t.challenge, t.published_at, t.run) for t in teams] == [
        (1, challenges[0], None, run), (2, challenges[1], None, run), (3, challenges[2], None, run)
    ]
    # Everybody on their first choice: people[0:2] wanted challenge 1 first...
    for index, team in enumerate(teams):
        assert {m.user for m in team.members.all()} == set(people[2 * index:2 * index + 2])
    assert event.audit_entries.filter(action="teams.form").count() == 1
    assert TeamSettings.objects.get(event=event).max_size == 2


def test_friends_end_up_together(event, organiser, challenges, people):
    # people[0] wants challenge 1, people[5] wants challenge 3: as friends they share a team.
    group = services.create_friend_group(actor=people[0], event=event)
    services.accept_friend(actor=people[0], event=event,
                           member_id=services.join_friend_group(actor=people[5], event=event, code=group.code).pk)

    run = services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))

    assert run.quality["groups_split"] == 0
    assert TeamMember.objects.get(user=people[0]).team_id == TeamMember.objects.get(user=people[5]).team_id


def test_running_again_replaces_the_drafts_and_keeps_locked_people(event, organiser, challenges, people):
    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))
    # Put a challenge-1 fan on challenge 3 by hand: moving locks them there.
    moved = TeamMember.objects.get(user=people[0])
    target = Team.objects.get(event=event, challenge=challenges[2])
    services.move_member(actor=organiser, event=event, member_id=moved.pk, team_id=target.pk)

    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=1, max_size=3))

    assert Team.objects.filter(event=event).count() == 3
    again = TeamMember.objects.get(user=people[0])
    assert again.team.challenge == challenges[2] and again.locked
    assert FormationRun.objects.filter(event=event).count() == 2


def test_infeasible_settings_are_recorded_with_the_reason_and_change_nothing(event, organiser, challenges, people):
    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))
    before = list(TeamMember.objects.values_list("user", "team").order_by("user"))

    run = services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=3, max_size=3))

    assert run.status == "infeasible"
    assert "9 people are needed" in run.message or "people short" in run.message
    assert list(TeamMember.objects.values_list("user", "team").order_by("user")) == before


def test_a_change_during_the_solve_is_refused(event, organiser, challenges, people, monkeypatch):
    real = formation.form_teams

    def solve_then_someone_ranks(people_in, settings):
        result = real(people_in, settings)
        rank(event, people[0], [challenges[2]])
        return result

    monkeypatch.setattr(formation, "form_teams", solve_then_someone_ranks)

    with pytest.raises(ValidationError, match="run it again"):
        services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))
    assert not Team.objects.filter(event=event).exists()


def test_formation_is_refused_once_published(event, organiser, challenges, published):
    with pytest.raises(ValidationError, match="published"):
        services.run_formation(actor=organiser, event=event, choices=choices(challenges))


def test_display_name_and_team_of(event, published, member, other_member):
    from citehack.teams.selectors import team_of

    team = team_of(event, member)
    assert team.display_name == "Team 1 — Démocratisation du numérique"
    assert team.get_absolute_url() == f"/e/{event.slug}/teams/{team.pk}/"
    assert team_of(event, other_member) != team
    assert team_of(event, participant(event)) is None


def test_team_of_ignores_drafts(event, organiser, challenges, people):
    from citehack.teams.selectors import team_of

    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))

    assert team_of(event, people[0]) is None
