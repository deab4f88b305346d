"""Control-room actions: state, version, audit row, publication after commit, undo."""

import hashlib
import json
import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from citehack.core.models import AuditEntry
from citehack.events.models import ItemKind, Phase
from citehack.live import services, state, timers
from citehack.live.models import Announcement, LiveState
from tests.factories import EventFactory, ProgrammeItemFactory

from .helpers import audit_count, cached_state, fr, hub_state, hub_version, make_teams, version_of

pytestmark = pytest.mark.django_db


def live_of(event):
    return LiveState.objects.get_or_create(event=event)[0]


@pytest.fixture
def items(event):
    start = event.starts_at
    return [
        ProgrammeItemFactory(event=event, kind=ItemKind.WELCOME, title="Accueil", starts_at=start, ends_at=start + timedelta(minutes=30)),
        ProgrammeItemFactory(event=event, kind=ItemKind.SPRINT, title="Sprint", starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=4)),
        ProgrammeItemFactory(event=event, kind=ItemKind.PITCHES, title="Pitchs", starts_at=start + timedelta(hours=4), ends_at=start + timedelta(hours=5)),
    ]


# --- every action: state, version, audit, publication ------------------------------------

def _running(organiser, event):
    services.start_timer(actor=organiser, event=event, minutes=30, label="Sprint")


def _paused(organiser, event):
    _running(organiser, event)
    services.pause_timer(actor=organiser, event=event)


def _ordered(organiser, event):
    services.set_pitch_order(actor=organiser, event=event, team_ids=[7, 3, 5])


def _pitching(organiser, event):
    _ordered(organiser, event)
    services.start_pitch(actor=organiser, event=event)


def _pitch_paused(organiser, event):
    _pitching(organiser, event)
    services.pause_pitch(actor=organiser, event=event)


def _nothing(organiser, event):
    pass


# (audit action, set-up, the action, what the live state shows after it)
ACTIONS = {
    "start": ("live.timer.start", _nothing,
              lambda o, e: services.start_timer(actor=o, event=e, minutes=30, label="Sprint"),
              lambda live: live.timer.running and live.timer_label == "Sprint" and live.screen_mode == "countdown"
              and live.timer_duration == timedelta(minutes=30)),
    "pause": ("live.timer.pause", _running,
              lambda o, e: services.pause_timer(actor=o, event=e),
              lambda live: live.timer.paused and timedelta(minutes=29) < live.timer_remaining <= timedelta(minutes=30)),
    "resume": ("live.timer.resume", _paused,
               lambda o, e: services.resume_timer(actor=o, event=e),
               lambda live: live.timer.running and live.timer_remaining is None),
    "extend": ("live.timer.extend", _running,
               lambda o, e: services.extend_timer(actor=o, event=e, minutes=5),
               lambda live: live.timer_duration == timedelta(minutes=35)),
    "stop": ("live.timer.stop", _running,
             lambda o, e: services.stop_timer(actor=o, event=e),
             lambda live: live.timer.idle),
    "screen": ("live.screen", _nothing,
               lambda o, e: services.set_screen(actor=o, event=e, mode="vote"),
               lambda live: live.screen_mode == "vote"),
    "draw": ("live.pitch.order", _nothing,
             lambda o, e: services.draw_pitch_order(actor=o, event=e, team_ids=[1, 2, 3], seed="s33d"),
             lambda live: live.pitch_order == services.drawn_order([1, 2, 3], "s33d") and live.pitch_draw_seed == "s33d"),
    "order": ("live.pitch.order", _nothing,
              lambda o, e: services.set_pitch_order(actor=o, event=e, team_ids=[7, 3, 5]),
              lambda live: live.pitch_order == [7, 3, 5] and live.pitch_draw_seed == ""),
    "times": ("live.pitch.times", _nothing,
              lambda o, e: services.set_pitch_times(actor=o, event=e, pitch_seconds=240, questions_seconds=60),
              lambda live: (live.pitch_seconds, live.questions_seconds) == (240, 60)),
    "pitch": ("live.pitch.go", _ordered,
              lambda o, e: services.start_pitch(actor=o, event=e),
              lambda live: live.pitch_index == 0 and live.pitch_stage == "pitch" and live.pitch_timer.running
              and live.pitch_duration == timedelta(seconds=180)),
    "questions": ("live.pitch.questions", _pitching,
                  lambda o, e: services.start_questions(actor=o, event=e),
                  lambda live: live.pitch_stage == "questions" and live.pitch_duration == timedelta(seconds=120)),
    "pitch-pause": ("live.pitch.pause", _pitching,
                    lambda o, e: services.pause_pitch(actor=o, event=e),
                    lambda live: live.pitch_timer.paused),
    "pitch-resume": ("live.pitch.resume", _pitch_paused,
                     lambda o, e: services.resume_pitch(actor=o, event=e),
                     lambda live: live.pitch_timer.running),
    "pitch-stop": ("live.pitch.stop", _pitching,
                   lambda o, e: services.stop_pitch(actor=o, event=e),
                   lambda live: live.pitch_timer.idle and live.pitch_stage == ""),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_each_action_changes_the_state_bumps_the_version_audits_and_publishes_after_commit(
    name, event, organiser, django_capture_on_commit_callbacks
):
    action, prepare, run, shows = ACTIONS[name]
    prepare(organiser, event)
    before = services.snapshot(live_of(event))
    version = version_of(event)
    audits = audit_count(event)

    with django_capture_on_commit_callbacks() as callbacks:
        run(organiser, event)
        # Nothing leaves before the commit.
        assert hub_version(event) != version + 1

    live = live_of(event)
    assert shows(live)
    assert live.version == version + 1
    assert audit_count(event) == audits + 1
    entry = AuditEntry.objects.filter(event=event).latest("id")
    assert (entry.action, entry.actor, entry.object_id) == (action, organiser, str(live.pk))
    assert entry.before == json.loads(json.dumps(before))
    assert entry.after == json.loads(json.dumps(services.snapshot(live)))
    assert entry.before != entry.after

    assert len(callbacks) == 1
    callbacks[0]()
    assert hub_version(event) == version + 1
    assert hub_state(event)["version"] == version + 1
    assert cached_state(event) == hub_state(event)
    assert cached_state(event) == state.build(event)


def test_going_to_the_sprint_item_starts_the_countdown_for_its_length(event, organiser, items, django_capture_on_commit_callbacks):
    version = version_of(event)
    with django_capture_on_commit_callbacks(execute=True):
        services.go_to_item(actor=organiser, event=event, item=items[1])
    live = live_of(event)
    assert live.current_item == items[1]
    assert live.timer.running and live.timer_duration == timedelta(hours=3)
    assert (live.timer_label, live.screen_mode) == ("Sprint", "countdown")
    assert live.version == version + 1
    assert AuditEntry.objects.filter(event=event, action="live.item").count() == 1
    assert hub_state(event)["current_item"] == items[1].pk
    assert cached_state(event)["current_item"] == items[1].pk


def test_next_item_follows_the_current_one_in_the_programme(event, organiser, items):
    services.go_to_item(actor=organiser, event=event, item=items[0])
    services.go_to_item(actor=organiser, event=event)
    assert live_of(event).current_item == items[1]
    services.go_to_item(actor=organiser, event=event)
    live = live_of(event)
    assert live.current_item == items[2]
    assert live.screen_mode == "pitch"


def _shift(items, delta):
    for item in items:
        item.starts_at += delta
        item.ends_at += delta
        item.save()


def test_next_item_with_nothing_current_starts_at_the_first_item_not_over(event, organiser, items):
    _shift(items, timezone.now() - timedelta(minutes=10) - items[0].ends_at)  # the welcome ended 10 min ago
    services.go_to_item(actor=organiser, event=event)
    assert live_of(event).current_item == items[1]


def test_next_item_when_the_clock_says_the_whole_day_is_over_starts_at_the_first(event, organiser, items):
    # A day running late, or replayed: nothing has been shown yet, so "next" is the first item.
    _shift(items, timezone.now() - timedelta(hours=1) - items[-1].ends_at)
    services.go_to_item(actor=organiser, event=event)
    assert live_of(event).current_item == items[0]


def test_next_item_with_an_empty_programme_says_to_fill_it(event, organiser):
    event.programme.all().delete()
    with pytest.raises(ValidationError) as error:
        services.go_to_item(actor=organiser, event=event)
    assert error.value.messages == [fr("The programme has no item yet: add the day's items on the programme page.")]


def test_announce_writes_the_announcement_audits_and_publishes(event, organiser, django_capture_on_commit_callbacks):
    version = version_of(event) if LiveState.objects.filter(event=event).exists() else 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        announcement = services.announce(actor=organiser, event=event, text="  Le déjeuner est servi  ", minutes=15)
    assert announcement.text == "Le déjeuner est servi"
    assert announcement.created_by == organiser
    assert version_of(event) == version + 1
    entry = AuditEntry.objects.get(event=event, action="live.announce")
    assert entry.after == {"text": "Le déjeuner est servi", "minutes": 15}
    assert len(callbacks) == 1
    assert [a["text"] for a in hub_state(event)["announcements"]] == ["Le déjeuner est servi"]
    assert cached_state(event)["version"] == version + 1


def test_withdrawn_announcement_leaves_the_state(event, organiser, django_capture_on_commit_callbacks):
    announcement = services.announce(actor=organiser, event=event, text="Salle 2 fermée")
    version = version_of(event)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_announcement(actor=organiser, announcement=announcement)
    assert version_of(event) == version + 1
    assert AuditEntry.objects.filter(event=event, action="live.withdraw").count() == 1
    assert hub_state(event)["announcements"] == []


def test_nothing_is_published_when_the_transaction_rolls_back(event, organiser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.start_timer(actor=organiser, event=event, minutes=10)
                raise RuntimeError
    assert callbacks == []
    assert hub_version(event) is None
    assert not live_of(event).timer.running


# --- invalid actions change nothing --------------------------------------------------------

INVALID = {
    "pause when idle": (_nothing, lambda o, e, i: services.pause_timer(actor=o, event=e), "The countdown is not running."),
    "resume when running": (_running, lambda o, e, i: services.resume_timer(actor=o, event=e), "The countdown is not paused."),
    "extend by zero": (_running, lambda o, e, i: services.extend_timer(actor=o, event=e, minutes=0), "Add or remove at least one minute."),
    "extend when idle": (_nothing, lambda o, e, i: services.extend_timer(actor=o, event=e, minutes=5), "Start the countdown before extending it."),
    "start for zero minutes": (_nothing, lambda o, e, i: services.start_timer(actor=o, event=e, minutes=0), "Give the countdown a duration of at least one minute."),
    "next item at the end": (
        lambda o, e: services.go_to_item(actor=o, event=e, item=e.programme.order_by("starts_at").last()),
        lambda o, e, i: services.go_to_item(actor=o, event=e),
        ("“%(item)s” is the last item of the programme: there is no next one.", {"item": "Pitchs"})),
    "item of another event": (_nothing, lambda o, e, i: services.go_to_item(actor=o, event=e, item=i), "This item belongs to another event."),
    "pitch without order": (_nothing, lambda o, e, i: services.start_pitch(actor=o, event=e), "Set the pitch order first."),
    "pitch after the last team": (
        lambda o, e: [services.set_pitch_order(actor=o, event=e, team_ids=[4]), services.start_pitch(actor=o, event=e)],
        lambda o, e, i: services.start_pitch(actor=o, event=e), "Every team has pitched."),
    "questions without a pitch": (_ordered, lambda o, e, i: services.start_questions(actor=o, event=e), "No team is pitching."),
    "pause the pitch timer when idle": (_ordered, lambda o, e, i: services.pause_pitch(actor=o, event=e), "The countdown is not running."),
    "draw without teams": (_nothing, lambda o, e, i: services.draw_pitch_order(actor=o, event=e, team_ids=[]), "There is no team to order yet."),
    "order with a team twice": (_nothing, lambda o, e, i: services.set_pitch_order(actor=o, event=e, team_ids=[1, 1]), "Each team may appear only once in the order."),
    "pitch shorter than 30 s": (_nothing, lambda o, e, i: services.set_pitch_times(actor=o, event=e, pitch_seconds=10, questions_seconds=0), "The pitch needs at least 30 seconds."),
    "empty announcement": (_nothing, lambda o, e, i: services.announce(actor=o, event=e, text="   "), "Write the announcement first."),
    "nothing to undo": (_nothing, lambda o, e, i: services.undo(actor=o, event=e), "There is nothing to undo."),
}


@pytest.mark.parametrize("name", INVALID)
def test_invalid_action_is_refused_with_a_message_and_changes_nothing(name, event, organiser, items, django_capture_on_commit_callbacks):
    prepare, run, message = INVALID[name]
    prepare(organiser, event)
    foreign_item = ProgrammeItemFactory()
    live = live_of(event)
    before = (live.version, services.snapshot(live))
    audits = AuditEntry.objects.count()
    announcements = Announcement.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError) as error:
            run(organiser, event, foreign_item)

    assert error.value.messages == [fr(message[0], **message[1]) if isinstance(message, tuple) else fr(message)]
    live = live_of(event)
    assert (live.version, services.snapshot(live)) == before
    assert AuditEntry.objects.count() == audits
    assert Announcement.objects.count() == announcements
    assert callbacks == []


# --- undo ----------------------------------------------------------------------------------

def test_undo_restores_the_state_before_the_last_action(event, organiser, django_capture_on_commit_callbacks):
    services.start_timer(actor=organiser, event=event, minutes=30, label="Sprint")
    running = services.snapshot(live_of(event))
    services.pause_timer(actor=organiser, event=event)
    pause = AuditEntry.objects.filter(action="live.timer.pause").get()
    version = version_of(event)

    with django_capture_on_commit_callbacks(execute=True):
        undone = services.undo(actor=organiser, event=event)

    assert undone == pause
    live = live_of(event)
    assert services.snapshot(live) == running
    assert live.timer.running
    assert live.version == version + 1
    entry = AuditEntry.objects.filter(action="live.undo").get()
    assert entry.after["undid"] == pause.pk
    assert entry.before["timer_remaining"] is not None
    assert entry.after["timer_ends_at"] == running["timer_ends_at"]
    assert hub_state(event)["timer"]["running"] is True


def test_undo_twice_undoes_the_two_previous_actions(event, organiser):
    services.start_timer(actor=organiser, event=event, minutes=30)
    services.set_screen(actor=organiser, event=event, mode="vote")

    services.undo(actor=organiser, event=event)
    live = live_of(event)
    assert (live.screen_mode, live.timer.running) == ("countdown", True)

    services.undo(actor=organiser, event=event)
    live = live_of(event)
    assert (live.screen_mode, live.timer.idle) == ("programme", True)

    with pytest.raises(ValidationError) as error:
        services.undo(actor=organiser, event=event)
    assert error.value.messages == [fr("There is nothing to undo.")]
    assert services.last_undoable(event) is None


def test_undo_after_a_new_action_undoes_the_new_one(event, organiser):
    services.start_timer(actor=organiser, event=event, minutes=30)
    services.set_screen(actor=organiser, event=event, mode="vote")
    services.undo(actor=organiser, event=event)
    services.set_screen(actor=organiser, event=event, mode="results")
    services.undo(actor=organiser, event=event)
    assert live_of(event).screen_mode == "countdown"


def test_undo_reverts_only_what_the_undone_action_changed(event, organiser):
    services.start_timer(actor=organiser, event=event, minutes=30)
    services.set_pitch_times(actor=organiser, event=event, pitch_seconds=300, questions_seconds=90)

    services.undo(actor=organiser, event=event)

    live = live_of(event)
    assert live.timer.idle
    assert (live.pitch_seconds, live.questions_seconds) == (300, 90)


def test_undo_to_a_programme_item_deleted_since_clears_the_current_item(event, organiser, items):
    services.go_to_item(actor=organiser, event=event, item=items[0])
    services.go_to_item(actor=organiser, event=event, item=items[2])
    items[0].delete()

    services.undo(actor=organiser, event=event)

    live = live_of(event)
    assert live.current_item is None
    assert live.screen_mode == "programme"


def test_undo_is_per_event(event, organiser):
    other = EventFactory()
    services.start_timer(actor=organiser, event=other, minutes=30)
    with pytest.raises(ValidationError):
        services.undo(actor=organiser, event=event)
    assert live_of(other).timer.running


# --- announcements expire ------------------------------------------------------------------

def test_announcement_with_an_end_leaves_the_state_after_it(event, organiser, monkeypatch):
    sent = timezone.now()
    services.announce(actor=organiser, event=event, text="Pause café", minutes=10)
    services.announce(actor=organiser, event=event, text="Bienvenue")

    monkeypatch.setattr(timezone, "now", lambda: sent + timedelta(minutes=9))
    assert [a["text"] for a in state.build(event)["announcements"]] == ["Bienvenue", "Pause café"]
    monkeypatch.setattr(timezone, "now", lambda: sent + timedelta(minutes=11))
    assert [a["text"] for a in state.build(event)["announcements"]] == ["Bienvenue"]


def test_lasting_announcement_stays_when_newer_ones_have_ended(event, organiser):
    services.announce(actor=organiser, event=event, text="Wi-Fi : citehack / amiens2018")
    past = timezone.now() - timedelta(minutes=1)
    for n in range(5):
        Announcement.objects.create(event=event, text=f"Ended {n}", ends_at=past)
    assert [a["text"] for a in state.build(event)["announcements"]] == ["Wi-Fi : citehack / amiens2018"]


def test_announcement_end_is_in_the_state_for_clients_to_hide_it(event, organiser):
    announcement = services.announce(actor=organiser, event=event, text="Vote ouvert", minutes=5)
    (entry,) = state.build(event)["announcements"]
    assert entry["ends_at"] == int(announcement.ends_at.timestamp() * 1000)


# --- the pitch draw ------------------------------------------------------------------------

def test_pitch_draw_is_reproducible_from_the_seed(event, organiser):
    teams = make_teams(event, 7)
    random.Random(1).shuffle(teams)
    expected = sorted(teams)
    random.Random(hashlib.sha256(b"a1b2c3d4").hexdigest()).shuffle(expected)

    assert services.drawn_order(teams, "a1b2c3d4") == expected
    # The order the teams are listed in does not matter: only the seed does.
    assert services.drawn_order(list(reversed(teams)), "a1b2c3d4") == expected
    assert services.drawn_order(teams, "a1b2c3d5") != expected

    services.draw_pitch_order(actor=organiser, event=event, team_ids=teams, seed="a1b2c3d4")
    document = state.build(event)["pitch"]
    assert document["seed"] == "a1b2c3d4"
    assert [entry["id"] for entry in document["order"]] == expected


def test_pitch_draw_without_a_seed_draws_one_and_shows_it(event, organiser):
    services.draw_pitch_order(actor=organiser, event=event, team_ids=[1, 2, 3, 4])
    live = live_of(event)
    assert len(live.pitch_draw_seed) == 8
    assert live.pitch_order == services.drawn_order([1, 2, 3, 4], live.pitch_draw_seed)


# --- the published state -------------------------------------------------------------------

def test_state_holds_instants_not_counts(event, organiser):
    services.start_timer(actor=organiser, event=event, minutes=30)
    live = live_of(event)
    document = state.build(event)
    assert document["timer"]["ends_at"] == int(live.timer_ends_at.timestamp() * 1000)
    assert document["timer"]["duration_ms"] == 30 * 60 * 1000
    assert document["timer"]["remaining_ms"] is None


def test_draft_event_state_is_never_cached_nor_pushed(organiser, django_capture_on_commit_callbacks):
    draft = EventFactory(phase=Phase.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "Encore secret"
        draft.save()
        services.start_timer(actor=organiser, event=draft, minutes=5)
    assert cached_state(draft) is None
    assert hub_version(draft) is None
    assert state.get_payload(draft.pk) is None


def test_event_moved_back_to_draft_is_withdrawn_from_streams_and_cache(event, organiser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.start_timer(actor=organiser, event=event, minutes=5)
    assert cached_state(event) is not None and hub_version(event) is not None
    with django_capture_on_commit_callbacks(execute=True):
        event.phase = Phase.DRAFT
        event.save()
    assert cached_state(event) is None
    assert hub_version(event) is None
    assert state.get_payload(event.pk) is None


def test_an_older_state_never_replaces_a_newer_one_in_the_cache(event, organiser, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks() as first:
        services.start_timer(actor=organiser, event=event, minutes=5)
    with django_capture_on_commit_callbacks() as second:
        services.set_screen(actor=organiser, event=event, mode="vote")
    newest = version_of(event)
    # Two request threads publish in the wrong order: the first one built its document before
    # the second action committed and was descheduled before caching it.
    stale = state.build(event)
    stale["version"] = newest - 1
    second[0]()
    monkeypatch.setattr(state, "build", lambda e: stale)
    first[0]()
    assert cached_state(event)["version"] == newest
    assert hub_version(event) == newest


def test_timer_json_of_a_paused_timer_has_its_remaining_time():
    paused = timers.Timer(duration=timedelta(minutes=3), remaining=timedelta(seconds=95, milliseconds=500))
    assert state.timer_json(paused, label="Pitch") == {
        "label": "Pitch", "duration_ms": 180000, "ends_at": None, "remaining_ms": 95500, "running": False, "paused": True,
    }
