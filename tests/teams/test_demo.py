"""The reference day's teams in the demo: seven published teams, one per challenge, sheets partly filled."""

from collections import Counter

import pytest
from django.urls import reverse

from citehack import demo
from citehack.teams.models import FormationRun, FriendGroupMember, Preference, ProjectSheet, Team, TeamMember

pytestmark = pytest.mark.django_db


def test_the_reference_days_teams(db, client):
    """One load (it takes seconds), every check of the demo's teams."""
    demo_event = demo.load()
    teams = list(Team.objects.filter(event=demo_event).select_related("challenge", "speaker").order_by("number"))
    seven_published_teams_one_per_challenge_in_order(demo_event, teams)
    everyone_confirmed_ranked_and_is_in_exactly_one_team(demo_event)
    preferences_are_skewed_towards_the_digital_challenge(demo_event)
    friend_groups_are_confirmed_and_together(demo_event)
    each_team_has_a_speaker_among_its_members(teams)
    sheets_are_partly_filled_and_team_two_submitted(demo_event)
    no_mail_and_the_demo_participant_is_on_team_two(demo_event, client)


def seven_published_teams_one_per_challenge_in_order(demo_event, teams):
    assert [(t.number, t.challenge.number) for t in teams] == [(n, n) for n in range(1, 8)]
    assert all(t.published_at for t in teams)
    assert "Démocratisation du numérique" in teams[1].display_name
    run = FormationRun.objects.get(event=demo_event)
    assert run.status == "formed" and run.quality["groups_split"] == 0
    assert run.quality["worst_rank"] <= run.quality["r_star"] + 1


def everyone_confirmed_ranked_and_is_in_exactly_one_team(demo_event):
    confirmed = set(demo_event.registrations.filter(state="confirmed").values_list("user_id", flat=True))

    assert set(Preference.objects.filter(event=demo_event).values_list("user_id", flat=True)) == confirmed
    placed = Counter(TeamMember.objects.filter(event=demo_event).values_list("user_id", flat=True))
    assert set(placed) == confirmed and set(placed.values()) == {1}


def preferences_are_skewed_towards_the_digital_challenge(demo_event):
    firsts = Counter(
        Preference.objects.filter(event=demo_event).values_list("ranks__challenge__number", "ranks__rank")
    )
    first_choices = {number: count for (number, rank), count in firsts.items() if rank == 1}
    assert max(first_choices, key=first_choices.get) == 2


def friend_groups_are_confirmed_and_together(demo_event):
    members = FriendGroupMember.objects.filter(event=demo_event)
    assert members.count() == 12 and not members.filter(confirmed_at__isnull=True).exists()
    team_of = dict(TeamMember.objects.filter(event=demo_event).values_list("user_id", "team_id"))
    for group_id in set(members.values_list("group_id", flat=True)):
        assert len({team_of[u] for u in members.filter(group_id=group_id).values_list("user_id", flat=True)}) == 1


def each_team_has_a_speaker_among_its_members(teams):
    for team in teams:
        assert team.speaker_id in set(team.members.values_list("user_id", flat=True))


def sheets_are_partly_filled_and_team_two_submitted(demo_event):
    sheets = {s.team.number: s for s in ProjectSheet.objects.filter(team__event=demo_event).select_related("team")}
    assert sheets[2].name == "Numérique pour tous" and sheets[2].submitted_at and sheets[2].versions.count() == 3
    assert all(sheets[n].solution for n in (1, 2, 3, 5))
    assert not sheets[7].problem and sheets[7].name
    assert sum(1 for s in sheets.values() if not s.submitted_at) == 6
    # The day has passed: the sheets are locked at the end of the sprint.
    assert sheets[2].versions.order_by("-number").first().created_at < demo.at(16, 15)


def no_mail_and_the_demo_participant_is_on_team_two(demo_event, client):
    from citehack.accounts.models import SignInLink

    # Publication told nobody: no personal link to a team page was made.
    assert not SignInLink.objects.filter(next_url__contains="/teams/").exists()
    camille = demo_event.registrations.get(user__email="camille.martin@example.org").user
    client.force_login(camille)

    body = client.get(reverse("teams:hub", args=[demo_event.slug])).content.decode()

    assert TeamMember.objects.get(user=camille, event=demo_event).team.number == 2
    assert "Team 2 — Démocratisation du numérique" in body
