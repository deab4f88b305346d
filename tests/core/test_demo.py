"""The demo's three moments of the reference day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citehack import demo
import citehack.demo.live  # noqa: F401  (demo.live.PITCH_SEED)
from citehack.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(monkeypatch):
    monkeypatch.setattr(demo, "PARTS", ["citehack.demo.challenges", "citehack.demo.teams"])
    return demo.load()


def test_the_replay_is_in_the_sprint_with_announcements_and_a_drawn_pitch_order(loaded):
    from citehack.live.services import drawn_order
    from citehack.teams.models import Team

    replay = Event.objects.get(slug=demo.REPLAY_SLUG)
    live = replay.live
    left = live.timer_ends_at - timezone.now()
    assert replay.phase == "live"
    assert timedelta(hours=1, minutes=58) < left <= timedelta(hours=2)
    assert live.current_item.kind == "sprint" and live.screen_mode == "countdown"
    teams = list(Team.objects.filter(event=replay, published_at__isnull=False).values_list("pk", flat=True))
    assert len(teams) == 7
    assert live.pitch_order == drawn_order(teams, demo.live.PITCH_SEED)
    assert replay.announcements.count() == 2
    assert replay.programme.get(kind="sprint").starts_at < timezone.now() < replay.programme.get(kind="sprint").ends_at


def test_the_next_edition_is_open_and_full_with_a_waiting_list(loaded):
    following = Event.objects.get(slug=demo.NEXT_SLUG)
    assert following.phase == "registration" and following.starts_at > timezone.now()
    assert following.registrations.filter(state="confirmed").count() == following.capacity == 60
    assert following.registrations.filter(state="waitlisted").count() == 3


def test_loading_again_keeps_the_events_and_rebuilds_a_stale_replay(loaded):
    reference = Event.objects.get(slug=demo.EVENT_SLUG)
    replay = Event.objects.get(slug=demo.REPLAY_SLUG)
    assert demo.load().pk == reference.pk
    assert Event.objects.get(slug=demo.REPLAY_SLUG).pk == replay.pk
    from citehack.events.models import ProgrammeItem

    ProgrammeItem.objects.filter(event=replay, kind="sprint").update(ends_at=timezone.now() - timedelta(minutes=1))
    demo.load()
    assert Event.objects.get(slug=demo.REPLAY_SLUG).pk != replay.pk
    assert Event.objects.get(slug=demo.EVENT_SLUG).pk == reference.pk
