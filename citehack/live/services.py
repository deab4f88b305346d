"""Every control-room action: lock the live state, change it, bump its version, audit, publish after commit.

Each action records the live state before and after in the audit log, which is what `undo`
restores.
"""

import hashlib
import random
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citehack.core import audit
from citehack.core.models import AuditEntry

from . import state, timers
from .models import Announcement, LiveState, PitchStage

# The fields an undo restores.
STATE_FIELDS = [
    "screen_mode", "current_item_id", "timer_label", "timer_duration", "timer_ends_at", "timer_remaining",
    "pitch_order", "pitch_draw_seed", "pitch_index", "pitch_stage", "pitch_seconds", "questions_seconds",
    "pitch_duration", "pitch_ends_at", "pitch_remaining",
]
UNDOABLE = {
    "live.timer.start", "live.timer.pause", "live.timer.resume", "live.timer.extend", "live.timer.stop",
    "live.item", "live.screen", "live.pitch.order", "live.pitch.go", "live.pitch.questions",
    "live.pitch.pause", "live.pitch.resume", "live.pitch.stop",
}


def _dump(value):
    if isinstance(value, timedelta):
        return {"td": value.total_seconds()}
    if hasattr(value, "isoformat"):
        return {"dt": value.isoformat()}
    return value


def _load(value):
    from datetime import datetime

    if isinstance(value, dict) and "td" in value:
        return timedelta(seconds=value["td"])
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    return value


def snapshot(live):
    return {name: _dump(getattr(live, name)) for name in STATE_FIELDS}


def _locked_state(event):
    LiveState.objects.get_or_create(event=event)
    return LiveState.objects.select_for_update().get(event=event)


def _save(live, *, actor, action, before):
    live.version = F("version") + 1
    live.save()
    live.refresh_from_db(fields=["version"])
    audit.record(actor=actor, action=action, obj=live, event=live.event, before=before, after=snapshot(live))
    state.publish(live.event)
    return live


def act(*, actor, event, action, change):
    """Run `change(live, now)` on the locked live state of `event` and record it as `action`."""
    with transaction.atomic():
        live = _locked_state(event)
        before = snapshot(live)
        try:
            change(live, timezone.now())
        except timers.TimerError as error:
            raise ValidationError(_timer_message(error)) from error
        return _save(live, actor=actor, action=action, before=before)


def _timer_message(error):
    messages = {
        "A timer needs a positive duration.": _("Give the countdown a duration of at least one minute."),
        "Only a running timer can be paused.": _("The countdown is not running."),
        "Only a paused timer can be resumed.": _("The countdown is not paused."),
        "Start the timer before extending it.": _("Start the countdown before extending it."),
        "Extend by a non-zero amount.": _("Add or remove at least one minute."),
    }
    return messages.get(str(error), str(error))


def start_timer(*, actor, event, minutes, label=""):
    def change(live, now):
        live.timer = timers.start(now, timedelta(minutes=minutes))
        live.timer_label = label
        live.screen_mode = "countdown"

    return act(actor=actor, event=event, action="live.timer.start", change=change)


def pause_timer(*, actor, event):
    def change(live, now):
        live.timer = timers.pause(live.timer, now)

    return act(actor=actor, event=event, action="live.timer.pause", change=change)


def resume_timer(*, actor, event):
    def change(live, now):
        live.timer = timers.resume(live.timer, now)

    return act(actor=actor, event=event, action="live.timer.resume", change=change)


def extend_timer(*, actor, event, minutes):
    def change(live, now):
        live.timer = timers.extend(live.timer, now, timedelta(minutes=minutes))

    return act(actor=actor, event=event, action="live.timer.extend", change=change)


def stop_timer(*, actor, event):
    def change(live, now):
        live.timer = timers.Timer()

    return act(actor=actor, event=event, action="live.timer.stop", change=change)


def set_screen(*, actor, event, mode):
    def change(live, now):
        live.screen_mode = mode

    return act(actor=actor, event=event, action="live.screen", change=change)


def go_to_item(*, actor, event, item=None):
    """Make `item` the current programme item; without one, the next after the current."""

    def change(live, now):
        target = item
        if target is None:
            items = list(event.programme.all())
            current = live.current_item
            if not items:
                raise ValidationError(_("The programme has no item yet: add the day's items on the programme page."))
            if current is None:
                # The first item not over yet; when the clock says all are over (a day running
                # late, or a replay), the programme's first item: nothing has been shown yet.
                upcoming = [i for i in items if i.ends_at > now]
                target = upcoming[0] if upcoming else items[0]
            else:
                position = [i.pk for i in items].index(current.pk) if current in items else -1
                target = items[position + 1] if position + 1 < len(items) else None
            if target is None:
                raise ValidationError(_("“%(item)s” is the last item of the programme: there is no next one.")
                                      % {"item": current.title})
        if target.event_id != event.pk:
            raise ValidationError(_("This item belongs to another event."))
        live.current_item = target
        if target.kind == "sprint" and live.timer.idle:
            live.timer = timers.start(now, target.ends_at - target.starts_at)
            live.timer_label = target.title
            live.screen_mode = "countdown"
        elif target.kind == "pitches":
            live.screen_mode = "pitch"

    return act(actor=actor, event=event, action="live.item", change=change)


def seed_hash(seed):
    return hashlib.sha256(seed.encode()).hexdigest()


def drawn_order(team_ids, seed):
    """The pitch order drawn from `seed`: anyone can redo the draw from the seed shown on screen."""
    rng = random.Random(seed_hash(seed))
    order = sorted(team_ids)
    rng.shuffle(order)
    return order


def draw_pitch_order(*, actor, event, team_ids, seed=None):
    seed = seed or secrets.token_hex(4)

    def change(live, now):
        if not team_ids:
            raise ValidationError(_("There is no team to order yet."))
        live.pitch_order = drawn_order(list(team_ids), seed)
        live.pitch_draw_seed = seed
        live.pitch_index = None
        live.pitch_stage = ""
        live.pitch_timer = timers.Timer()
        live.screen_mode = "pitch"

    return act(actor=actor, event=event, action="live.pitch.order", change=change)


def set_pitch_order(*, actor, event, team_ids):
    def change(live, now):
        if len(set(team_ids)) != len(team_ids):
            raise ValidationError(_("Each team may appear only once in the order."))
        live.pitch_order = list(team_ids)
        live.pitch_draw_seed = ""
        live.pitch_index = None
        live.pitch_stage = ""
        live.pitch_timer = timers.Timer()

    return act(actor=actor, event=event, action="live.pitch.order", change=change)


def set_pitch_times(*, actor, event, pitch_seconds, questions_seconds):
    def change(live, now):
        if pitch_seconds < 30 or questions_seconds < 0:
            raise ValidationError(_("The pitch needs at least 30 seconds."))
        live.pitch_seconds, live.questions_seconds = pitch_seconds, questions_seconds

    return act(actor=actor, event=event, action="live.pitch.times", change=change)


def start_pitch(*, actor, event, index=None):
    """Start the pitch of the team at `index` (default: the next one) with the pitch timer."""

    def change(live, now):
        if not live.pitch_order:
            raise ValidationError(_("Set the pitch order first."))
        position = index if index is not None else (0 if live.pitch_index is None else live.pitch_index + 1)
        if not 0 <= position < len(live.pitch_order):
            raise ValidationError(_("Every team has pitched."))
        live.pitch_index = position
        live.pitch_stage = PitchStage.PITCH
        live.pitch_timer = timers.start(now, timedelta(seconds=live.pitch_seconds))
        live.screen_mode = "pitch"

    return act(actor=actor, event=event, action="live.pitch.go", change=change)


def start_questions(*, actor, event):
    def change(live, now):
        if live.pitch_index is None:
            raise ValidationError(_("No team is pitching."))
        if live.questions_seconds == 0:
            raise ValidationError(_("No time is set for questions."))
        live.pitch_stage = PitchStage.QUESTIONS
        live.pitch_timer = timers.start(now, timedelta(seconds=live.questions_seconds))

    return act(actor=actor, event=event, action="live.pitch.questions", change=change)


def pause_pitch(*, actor, event):
    def change(live, now):
        live.pitch_timer = timers.pause(live.pitch_timer, now)

    return act(actor=actor, event=event, action="live.pitch.pause", change=change)


def resume_pitch(*, actor, event):
    def change(live, now):
        live.pitch_timer = timers.resume(live.pitch_timer, now)

    return act(actor=actor, event=event, action="live.pitch.resume", change=change)


def stop_pitch(*, actor, event):
    def change(live, now):
        live.pitch_timer = timers.Timer()
        live.pitch_stage = ""

    return act(actor=actor, event=event, action="live.pitch.stop", change=change)


def announce(*, actor, event, text, minutes=None):
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the announcement first."))
    with transaction.atomic():
        live = _locked_state(event)
        ends_at = timezone.now() + timedelta(minutes=minutes) if minutes else None
        announcement = Announcement.objects.create(event=event, text=text, created_by=actor, ends_at=ends_at)
        audit.record(actor=actor, action="live.announce", obj=announcement, event=event, after={"text": text, "minutes": minutes})
        live.version = F("version") + 1
        live.save(update_fields=["version", "updated_at"])
        state.publish(event)
    return announcement


def withdraw_announcement(*, actor, announcement):
    with transaction.atomic():
        live = _locked_state(announcement.event)
        if announcement.withdrawn_at is None:
            announcement.withdrawn_at = timezone.now()
            announcement.save(update_fields=["withdrawn_at"])
            audit.record(actor=actor, action="live.withdraw", obj=announcement, event=announcement.event, before={"text": announcement.text})
        live.version = F("version") + 1
        live.save(update_fields=["version", "updated_at"])
        state.publish(announcement.event)


def last_undoable(event):
    """The latest control-room action not yet undone, or None."""
    undone = set()
    for entry in AuditEntry.objects.filter(event=event, action__startswith="live.").order_by("-created_at", "-id")[:200]:
        if entry.action == "live.undo":
            undone.add((entry.after or {}).get("undid"))
            continue
        if entry.action in UNDOABLE and entry.pk not in undone:
            return entry
    return None


def undo(*, actor, event):
    """Restore the live state as it was before the latest undoable action."""
    with transaction.atomic():
        live = _locked_state(event)
        entry = last_undoable(event)
        if entry is None:
            raise ValidationError(_("There is nothing to undo."))
        before = snapshot(live)
        # Restore only what the undone action changed: a later action that is not undoable
        # (the pitch times) keeps its effect.
        changed, after = entry.before or {}, entry.after or {}
        for name, value in changed.items():
            if name in STATE_FIELDS and after.get(name) != value:
                setattr(live, name, _load(value))
        if live.current_item_id is not None and not event.programme.filter(pk=live.current_item_id).exists():
            live.current_item = None  # deleted since
        live.version = F("version") + 1
        live.save()
        live.refresh_from_db(fields=["version"])
        audit.record(actor=actor, action="live.undo", obj=live, event=event, before=before, after={"undid": entry.pk, **snapshot(live)})
        state.publish(event)
    return entry


def bump(event):
    """Tell the screens that something they show changed elsewhere (phase, programme, teams)."""
    LiveState.objects.get_or_create(event=event)
    LiveState.objects.filter(event=event).update(version=F("version") + 1)
    state.publish(event)
