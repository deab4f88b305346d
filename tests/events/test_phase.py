import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.events import services
from citehack.events.models import Phase

from .helpers import database_state, fr, messages_of


def move(client, event, phase):
    return client.post(reverse("events:phase", args=[event.slug]), {"phase": phase})


def test_organiser_moves_the_event_forward(organiser_client, organiser, event):
    response = move(organiser_client, event, Phase.CHALLENGE_VOTE)

    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=[event.slug])
    event.refresh_from_db()
    assert event.phase == Phase.CHALLENGE_VOTE
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.event) == ("event.phase", organiser, event)
    assert (entry.before, entry.after) == ({"phase": "registration"}, {"phase": "challenge_vote"})
    assert messages_of(response) == [fr("The event is now in the phase “%(phase)s”.", phase=fr("Challenge vote"))]


def test_organiser_steps_back_and_it_is_recorded(organiser_client, organiser, event):
    move(organiser_client, event, Phase.LIVE)

    move(organiser_client, event, Phase.TEAM_FORMATION)

    event.refresh_from_db()
    assert event.phase == Phase.TEAM_FORMATION
    assert [(e.before, e.after, e.actor) for e in AuditEntry.objects.order_by("pk")] == [
        ({"phase": "registration"}, {"phase": "live"}, organiser),
        ({"phase": "live"}, {"phase": "team_formation"}, organiser),
    ]


def test_moving_to_the_same_phase_changes_nothing(organiser_client, event):
    before = database_state()

    response = move(organiser_client, event, Phase.REGISTRATION)

    assert response.status_code == 302
    assert messages_of(response) == [fr("The event is already in this phase.")]
    assert database_state() == before


def test_moving_to_an_unknown_phase_changes_nothing(organiser_client, event):
    before = database_state()

    response = move(organiser_client, event, "party")

    assert response.status_code == 302
    assert messages_of(response) == [fr("Choose a phase from the list.")]
    assert database_state() == before


@pytest.mark.parametrize(("target", "message"), [
    ("registration", "The event is already in this phase."),
    ("party", "This phase does not exist."),
])
def test_service_refuses_a_move_that_is_no_move(event, organiser, target, message):
    with pytest.raises(ValidationError) as error:
        services.move_phase(actor=organiser, event=event, target=target)

    assert error.value.messages == [fr(message)]
    event.refresh_from_db()
    assert event.phase == Phase.REGISTRATION
    assert AuditEntry.objects.count() == 0


def test_every_phase_is_reachable_in_order(event, organiser):
    for phase in Phase.values[2:]:
        services.move_phase(actor=organiser, event=event, target=phase)

    event.refresh_from_db()
    assert event.phase == Phase.CLOSED
    assert AuditEntry.objects.count() == len(Phase.values) - 2


def test_next_and_previous_phase():
    assert services.next_phase(Phase.DRAFT) == Phase.REGISTRATION
    assert services.next_phase(Phase.CLOSED) is None
    assert services.previous_phase(Phase.DRAFT) is None
    assert services.previous_phase(Phase.RESULTS) == Phase.DELIBERATION


def test_overview_offers_the_next_phase(organiser_client, event):
    response = organiser_client.get(reverse("events:manage", args=[event.slug]))

    assert response.context["phase_form"].initial == {"phase": Phase.CHALLENGE_VOTE}
