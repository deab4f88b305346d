"""Every team view refuses the wrong people: anonymous visitors are sent to sign in, people
without the role (or with it in another event, or in another team) get the 403 page."""

import pytest
from django.urls import reverse

from citehack.teams.models import FormationRun, Preference, ProjectSheet, Team, TeamMember

# (url name, needs a team, method)
PARTICIPANT_VIEWS = [
    ("teams:preferences", False, "get"),
    ("teams:preferences", False, "post"),
    ("teams:friends", False, "get"),
    ("teams:friends_create", False, "post"),
    ("teams:friends_join", False, "post"),
    ("teams:friends_leave", False, "post"),
]
FRIEND_MEMBER_VIEWS = ["teams:friends_accept", "teams:friends_decline"]
TEAM_VIEWS = [
    ("teams:team", "get"),
    ("teams:speaker", "post"),
    ("teams:sheet_edit", "get"),
    ("teams:sheet_edit", "post"),
    ("teams:sheet_submit", "post"),
    ("teams:sheet_history", "get"),
    ("teams:file_upload", "post"),
]
MANAGER_TEAM_VIEWS = [("teams:mentor", "post"), ("teams:sheet_reopen", "post")]
MANAGE_VIEWS = [
    ("teams:manage", "get"),
    ("teams:run", "post"),
    ("teams:move", "post"),
    ("teams:swap", "post"),
    ("teams:lock", "post"),
    ("teams:publish", "get"),
    ("teams:publish", "post"),
    ("teams:late", "post"),
    ("teams:late_all", "post"),
    ("teams:preferences_overview", "get"),
    ("teams:settings", "get"),
    ("teams:settings", "post"),
]


def call(client, method, url):
    return client.get(url) if method == "get" else client.post(url, {})


def assert_refused(response, user):
    if user is None:
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.fixture
def intruders(request, other_event_organiser, outsider_participant, stranger):
    return {"anonymous": None, "stranger": stranger, "other_event_organiser": other_event_organiser,
            "outsider_participant": outsider_participant}


def login(client, user):
    if user is not None:
        client.force_login(user)


def snapshot():
    return (
        Team.objects.count(), TeamMember.objects.count(), FormationRun.objects.count(), Preference.objects.count(),
        list(Team.objects.values_list("speaker_id", "mentor_id", "published_at").order_by("pk")),
        list(ProjectSheet.objects.values_list("version", "submitted_at", "reopened_at").order_by("pk")),
    )


WHO = ["anonymous", "stranger", "other_event_organiser", "outsider_participant"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name,needs_team,method", PARTICIPANT_VIEWS)
def test_participant_pages_refuse_people_without_a_confirmed_place(client, event, published, intruders, who, name, needs_team, method):
    user = intruders[who]
    login(client, user)
    before = snapshot()

    assert_refused(call(client, method, reverse(name, args=[event.slug])), user)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["organiser", "mentor", "juror"])
def test_preferences_are_for_participants_only(client, event, challenges, organiser, mentor, juror, who):
    client.force_login({"organiser": organiser, "mentor": mentor, "juror": juror}[who])

    assert client.get(reverse("teams:preferences", args=[event.slug])).status_code == 403


@pytest.mark.parametrize("who", [*WHO, "participant_outside_the_group"])
@pytest.mark.parametrize("name", FRIEND_MEMBER_VIEWS)
def test_friend_answers_refuse_people_outside_the_group(client, event, challenges, people, intruders, who, name):
    from citehack.teams import services
    from citehack.teams.models import FriendGroupMember

    group = services.create_friend_group(actor=people[0], event=event)
    services.join_friend_group(actor=people[1], event=event, code=group.code)
    pending = FriendGroupMember.objects.get(user=people[1])
    user = people[2] if who == "participant_outside_the_group" else intruders[who]
    login(client, user)

    response = client.post(reverse(name, args=[event.slug, pending.pk]))

    if who == "participant_outside_the_group":
        # A participant may use the page, but the service refuses: not their group.
        assert response.status_code == 302
    else:
        assert_refused(response, user)
    assert FriendGroupMember.objects.get(pk=pending.pk).confirmed_at is None


@pytest.mark.parametrize("who", [*WHO, "other_member", "participant_without_team"])
@pytest.mark.parametrize("name,method", TEAM_VIEWS)
def test_team_views_refuse_everyone_but_members_staff_and_organisers(client, event, team, intruders, other_member, who, name, method):
    from tests.teams.conftest import participant

    user = {**intruders, "other_member": other_member, "participant_without_team": None}.get(who)
    if who == "participant_without_team":
        user = participant(event)
    login(client, user)
    before = snapshot()

    assert_refused(call(client, method, reverse(name, args=[event.slug, team.pk])), user)
    assert snapshot() == before


@pytest.mark.parametrize("who", [*WHO, "other_member"])
def test_file_download_and_removal_are_refused_to_outsiders(client, event, team, member, intruders, other_member, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from citehack.teams import services
    from tests.teams.test_sheet import PDF

    sheet_file = services.add_file(actor=member, team=team, upload=SimpleUploadedFile("slides.pdf", PDF))
    user = {**intruders, "other_member": other_member}[who]
    login(client, user)

    assert_refused(client.get(reverse("teams:file_download", args=[event.slug, team.pk, sheet_file.pk])), user)
    assert_refused(client.post(reverse("teams:file_remove", args=[event.slug, team.pk, sheet_file.pk])), user)
    sheet_file.refresh_from_db()
    assert sheet_file.removed_at is None


@pytest.mark.parametrize("who", [*WHO, "member", "mentor", "juror"])
@pytest.mark.parametrize("name,method", MANAGER_TEAM_VIEWS)
def test_mentor_and_reopen_are_for_organisers(client, event, team, intruders, member, mentor, juror, who, name, method):
    user = {**intruders, "member": member, "mentor": mentor, "juror": juror}[who]
    login(client, user)
    before = snapshot()

    assert_refused(call(client, method, reverse(name, args=[event.slug, team.pk])), user)
    assert snapshot() == before


@pytest.mark.parametrize("who", [*WHO, "member", "mentor", "juror"])
@pytest.mark.parametrize("name,method", MANAGE_VIEWS)
def test_organiser_pages_refuse_everyone_else(client, event, published, intruders, member, mentor, juror, who, name, method):
    user = {**intruders, "member": member, "mentor": mentor, "juror": juror}[who]
    login(client, user)
    before = snapshot()

    assert_refused(call(client, method, reverse(name, args=[event.slug])), user)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["anonymous", "stranger", "other_event_organiser"])
def test_hub_refuses_people_without_a_role(client, event, published, intruders, who):
    user = intruders[who]
    login(client, user)

    assert_refused(client.get(reverse("teams:hub", args=[event.slug])), user)


@pytest.mark.parametrize("who", ["member", "mentor", "juror", "organiser"])
def test_team_page_is_open_to_members_mentors_jurors_and_organisers(client, event, team, member, mentor, juror, organiser, who):
    client.force_login({"member": member, "mentor": mentor, "juror": juror, "organiser": organiser}[who])

    response = client.get(team.get_absolute_url())

    assert response.status_code == 200
    assert team.challenge.title in response.content.decode()


@pytest.mark.parametrize("who", ["mentor", "juror"])
def test_mentors_and_jurors_read_but_do_not_edit_the_sheet(client, event, team, mentor, juror, who):
    client.force_login({"mentor": mentor, "juror": juror}[who])

    assert client.get(reverse("teams:sheet_edit", args=[event.slug, team.pk])).status_code == 403
    assert client.get(reverse("teams:sheet_history", args=[event.slug, team.pk])).status_code == 200


def test_draft_teams_are_seen_by_organisers_only(client, event, organiser, challenges, people):
    from citehack.teams import services
    from tests.teams.conftest import choices

    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=2, max_size=2))
    draft = Team.objects.filter(event=event).first()
    client.force_login(draft.members.first().user)
    assert client.get(draft.get_absolute_url()).status_code == 403
    client.force_login(organiser)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_team_is_not_found_under_another_event(client, team, other_event_organiser):
    other_slug = other_event_organiser.memberships.get().event.slug
    client.force_login(other_event_organiser)

    assert client.get(reverse("teams:team", args=[other_slug, team.pk])).status_code == 404
