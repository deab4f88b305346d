"""List pages: the number of queries does not grow with the number of people or teams."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citehack.teams import services
from citehack.teams.models import Team, TeamMember
from tests.teams.conftest import choices, participant, rank


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def add_people(event, challenges, n):
    Team.objects.filter(event=event).delete()  # preferences and groups close at publication
    for index in range(n):
        user = participant(event, skills=[["digital"], ["design", "field"], ["writing"]][index % 3])
        rank(event, user, challenges[index % 3:] + challenges[:index % 3], skills=["digital"] if index % 2 else ["field"])
        if index % 4 == 0:
            services.create_friend_group(actor=user, event=event)


def reform(event, organiser, challenges, *, published):
    Team.objects.filter(event=event).delete()
    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=1, max_size=40, per_challenge=None))
    member = TeamMember.objects.filter(event=event).first()
    services.set_locked(actor=organiser, event=event, member_id=member.pk, locked=True)
    if published:
        services.publish_teams(actor=organiser, event=event)


@pytest.mark.parametrize("published", [False, True])
def test_organiser_team_list(organiser_client, event, organiser, challenges, published):
    path = reverse("teams:manage", args=[event.slug])
    add_people(event, challenges, 6)
    reform(event, organiser, challenges, published=published)
    organiser_client.get(path)
    small = count_queries(organiser_client, path)

    add_people(event, challenges, 30)
    reform(event, organiser, challenges, published=published)
    large = count_queries(organiser_client, path)

    assert Team.objects.filter(event=event).count() >= 3
    assert small == large


def test_preferences_overview(organiser_client, event, challenges):
    path = reverse("teams:preferences_overview", args=[event.slug])
    add_people(event, challenges, 4)
    organiser_client.get(path)
    small = count_queries(organiser_client, path)

    add_people(event, challenges, 30)
    large = count_queries(organiser_client, path)

    assert small == large


def test_hub_for_a_juror_lists_every_team(client, event, organiser, challenges, juror):
    path = reverse("teams:hub", args=[event.slug])
    client.force_login(juror)
    add_people(event, challenges, 6)
    reform(event, organiser, challenges, published=True)
    client.get(path)
    small = count_queries(client, path)

    add_people(event, challenges, 30)
    reform(event, organiser, challenges, published=True)
    large = count_queries(client, path)

    assert small == large


def test_team_page_with_many_members_and_files(client, event, organiser, challenges, member, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.teams.test_sheet import PDF

    path = team.get_absolute_url()
    client.force_login(member)
    client.get(path)
    small = count_queries(client, path)

    for index in range(5):
        services.add_file(actor=member, team=team, upload=SimpleUploadedFile(f"s{index}.pdf", PDF))
        TeamMember.objects.create(team=team, event=event, user=participant(event))
    large = count_queries(client, path)

    assert small == large
