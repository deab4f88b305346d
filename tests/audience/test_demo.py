"""The reference day's audience vote in the demo: closed, about 150 phones, every team voted for."""

import pytest
from django.db.models import F

from citehack import demo
from citehack.audience.models import Poll, Vote
from citehack.audience.selectors import poll_results
from citehack.core.models import AuditEntry
from citehack.teams.models import Team

pytestmark = pytest.mark.django_db


def test_the_reference_days_audience_vote(db):
    event = demo.load()
    poll = Poll.objects.get(event=event)
    teams = {team.pk: team.number for team in Team.objects.filter(event=event)}

    assert poll.status == "closed" and poll.eligibility == "device" and poll.title == "Prix du public"
    assert (poll.opened_at, poll.closed_at) == (demo.at(17, 32), demo.at(17, 50))
    results = poll_results(event)
    assert len(results) == 7 and {row["team_id"] for row in results} == set(teams)
    assert sum(row["votes"] for row in results) == Vote.objects.filter(poll=poll).count() == 152
    assert all(row["votes"] > 0 for row in results)
    # The room's favourite is team n°5, the jury's winner n°2 close behind.
    assert [teams[row["team_id"]] for row in results[:2]] == [5, 2]
    assert all(poll.opened_at <= vote.created_at <= vote.updated_at <= poll.closed_at for vote in Vote.objects.filter(poll=poll))
    assert Vote.objects.filter(poll=poll).exclude(created_at=F("updated_at")).count() == 9
    assert list(AuditEntry.objects.filter(event=event, action__startswith="audience.").order_by("created_at").values_list("action", flat=True)) == [
        "audience.configure", "audience.open", "audience.close",
    ]
