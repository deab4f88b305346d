import json
import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citehack.core.qr import qr_svg
from citehack.core.views import event_view
from citehack.events import selectors as event_selectors
from citehack.events.models import Event, Phase

from . import services, state
from .broker import hub, sse_frame
from .forms import AnnouncementForm, ExtendForm, ItemForm, PitchOrderForm, PitchTimesForm, ScreenForm, TimerForm
from .models import Announcement, LiveState


def team_choices(event):
    """(id, name) of the event's teams, for the pitch order; empty before teams exist."""
    from django.apps import apps

    if not apps.is_installed("citehack.teams"):
        return []
    from citehack.teams.models import Team

    teams = Team.objects.filter(event=event, published_at__isnull=False).select_related("challenge").order_by("number")
    return [(team.pk, team.display_name) for team in teams]


def state_document(event):
    """The state as data for json_script (the cached payload is JSON text already)."""
    return json.loads(state.get_payload(event.pk) or "{}")


def audience_poll(event):
    """The event's audience poll, or None (the audience app is optional)."""
    from django.apps import apps

    if not apps.is_installed("citehack.audience"):
        return None
    from citehack.audience.selectors import get_poll

    return get_poll(event)


def join_url(request, event):
    """The short address shown under the screen's QR code, easy to type on a phone."""
    return request.build_absolute_uri(reverse("live:join", args=[event.pk]))


@require_GET
def join(request, pk):
    event = get_object_or_404(Event.objects.exclude(phase=Phase.DRAFT), pk=pk)
    return redirect("live:phone", slug=event.slug)


def _context(request, event, live):
    return {
        "event": event,
        "live": live,
        "nav": "live",
        "state_json": state_document(event),
        "items": list(event.programme.all()),
        "announcements": event.announcements.filter(withdrawn_at__isnull=True)[:10],
        "teams": team_choices(event),
        # Several forms share field names ("minutes"): distinct ids keep each label on its field.
        "timer_form": TimerForm(initial={"label": live.timer_label or _("Hackathon")}, auto_id="timer-%s"),
        "extend_form": ExtendForm(auto_id="extend-%s"),
        "screen_form": ScreenForm(initial={"mode": live.screen_mode}, auto_id="screen-%s"),
        "announcement_form": AnnouncementForm(auto_id="announce-%s"),
        "pitch_times_form": PitchTimesForm(
            initial={"pitch_seconds": live.pitch_seconds, "questions_seconds": live.questions_seconds}, auto_id="pitch-times-%s"
        ),
        "pitch_order_form": PitchOrderForm(initial={"order": ", ".join(map(str, live.pitch_order))}, auto_id="pitch-order-%s"),
        "last_undoable": services.last_undoable(event),
        "poll": audience_poll(event),
        "screen_url": request.build_absolute_uri(reverse("live:screen", args=[live.screen_token])),
        "join_url": join_url(request, event),
    }


@event_view("live.control")
def control_room(request, event):
    live, _ = LiveState.objects.get_or_create(event=event)
    return render(request, "live/control_room.html", _context(request, event, live))


ACTIONS = {
    "timer-start": (TimerForm, lambda actor, event, data: services.start_timer(actor=actor, event=event, **data)),
    "timer-pause": (None, lambda actor, event, data: services.pause_timer(actor=actor, event=event)),
    "timer-resume": (None, lambda actor, event, data: services.resume_timer(actor=actor, event=event)),
    "timer-extend": (ExtendForm, lambda actor, event, data: services.extend_timer(actor=actor, event=event, **data)),
    "timer-stop": (None, lambda actor, event, data: services.stop_timer(actor=actor, event=event)),
    "screen": (ScreenForm, lambda actor, event, data: services.set_screen(actor=actor, event=event, **data)),
    "announce": (AnnouncementForm, lambda actor, event, data: services.announce(actor=actor, event=event, **data)),
    "pitch-times": (PitchTimesForm, lambda actor, event, data: services.set_pitch_times(actor=actor, event=event, **data)),
    "pitch-draw": (None, lambda actor, event, data: services.draw_pitch_order(
        actor=actor, event=event, team_ids=[pk for pk, _ in team_choices(event)])),
    "pitch-next": (None, lambda actor, event, data: services.start_pitch(actor=actor, event=event)),
    "pitch-questions": (None, lambda actor, event, data: services.start_questions(actor=actor, event=event)),
    "pitch-pause": (None, lambda actor, event, data: services.pause_pitch(actor=actor, event=event)),
    "pitch-resume": (None, lambda actor, event, data: services.resume_pitch(actor=actor, event=event)),
    "pitch-stop": (None, lambda actor, event, data: services.stop_pitch(actor=actor, event=event)),
    "undo": (None, lambda actor, event, data: services.undo(actor=actor, event=event)),
}


@require_POST
@event_view("live.control")
def control_action(request, event, action):
    if action == "item":
        return _go_to_item(request, event)
    if action == "pitch-order":
        return _pitch_order(request, event)
    if action not in ACTIONS:
        raise Http404
    form_class, run = ACTIONS[action]
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _done(request, event, errors=[e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
    try:
        run(request.user, event, data)
    except ValidationError as error:
        return _done(request, event, errors=error.messages)
    return _done(request, event)


def _go_to_item(request, event):
    form = ItemForm(request.POST)
    item = None
    if form.is_valid() and form.cleaned_data["item"]:
        item = event.programme.filter(pk=form.cleaned_data["item"]).first()
        if item is None:
            return _done(request, event, errors=[_("This item is not in the programme.")])
    try:
        services.go_to_item(actor=request.user, event=event, item=item)
    except ValidationError as error:
        return _done(request, event, errors=error.messages)
    return _done(request, event)


def _pitch_order(request, event):
    form = PitchOrderForm(request.POST, team_ids=[pk for pk, _ in team_choices(event)])
    if not form.is_valid():
        return _done(request, event, errors=[e for errors in form.errors.values() for e in errors])
    services.set_pitch_order(actor=request.user, event=event, team_ids=form.cleaned_data["order"])
    return _done(request, event)


def _done(request, event, errors=()):
    """Answer htmx with the refreshed panel; a plain form post with a redirect."""
    if request.headers.get("HX-Request"):
        # The errors are shown in the panel: as messages they would show again on the next page.
        live, _created = LiveState.objects.get_or_create(event=event)
        context = _context(request, event, live)
        context["errors"] = list(errors)
        return render(request, "live/_control_panel.html", context, status=200)
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("Done: the screens follow."))
    return redirect("live:control", slug=event.slug)


@require_POST
@event_view("live.control")
def withdraw(request, event, pk):
    announcement = get_object_or_404(Announcement, pk=pk, event=event)
    services.withdraw_announcement(actor=request.user, announcement=announcement)
    return _done(request, event)


@require_GET
def screen(request, token):
    """The projector view: a secret link, no sign-in. A wrong link shows nothing of any event."""
    live = LiveState.objects.select_related("event").filter(screen_token=token).first()
    if live is None or live.event.phase == Phase.DRAFT:
        raise Http404
    event = live.event
    url = join_url(request, event)
    vote_url = request.build_absolute_uri(reverse("audience:vote", args=[event.slug])) if audience_poll(event) else ""
    return render(
        request,
        "live/screen.html",
        {
            "event": event,
            "state_json": state_document(event),
            "join_url": url,
            "join_qr": qr_svg(url, title=_("QR code to join on a phone")),
            "vote_url": vote_url,
            "vote_qr": qr_svg(vote_url, title=_("QR code of the audience vote")) if vote_url else "",
        },
    )


@event_view("events.view_event", login=False)
def phone(request, event):
    now, upcoming = event_selectors.now_and_next(event)
    team = None
    if request.user.is_authenticated:
        from django.apps import apps

        if apps.is_installed("citehack.teams"):
            from citehack.teams.selectors import team_of

            team = team_of(event, request.user)
    return render(
        request,
        "live/phone.html",
        {
            "event": event,
            "now": now,
            "next": upcoming,
            "team": team,
            "poll": audience_poll(event),
            "announcements": state.active_announcements(event, timezone.now()),
            "state_json": state_document(event),
        },
    )


@require_GET
def state_json(request, pk):
    """The polling fallback: the cached state, with the server's clock for offset correction."""
    payload = state.get_payload(pk)
    if payload is None:
        raise Http404
    response = HttpResponse(payload, content_type="application/json")
    response["Cache-Control"] = "no-cache"
    response["X-Server-Now"] = str(int(time.time() * 1000))
    return response


# A stream served through WSGI holds a thread: end it after a while (the browser reconnects
# by itself); tests shorten it so that the live server can stop.
WSGI_STREAM_MAX_SECONDS = 300


@require_GET
def stream_wsgi(request, pk):
    """The stream when served through WSGI (tests, a pages-only server): one thread per client.

    The ASGI application (citehack.asgi) answers this path itself without Django.
    """
    import queue
    import random

    from . import stream

    payload = state.get_payload(pk)
    if payload is None:
        raise Http404
    try:
        last_seen = int(request.headers.get("Last-Event-ID", -1))
    except ValueError:
        last_seen = -1

    def frames():
        # Subscribe only once the server iterates: a response never iterated must not leave
        # a subscription behind.
        subscription = hub.subscribe_sync(pk)
        started = time.monotonic()
        try:
            # A state published before the subscription is in the cache by now.
            current = state.get_payload(pk) or payload
            sent = json.loads(current)["version"]
            yield f"retry: {random.randint(*stream.RETRY_MS)}\n\n".encode()
            if sent != last_seen:
                yield sse_frame(event_id=sent, data=current)
            while (left := WSGI_STREAM_MAX_SECONDS - (time.monotonic() - started)) > 0:
                try:
                    new_version, frame = subscription.get(timeout=min(stream.KEEPALIVE_SECONDS, left))
                except queue.Empty:
                    yield b": keep-alive\n\n"
                    continue
                if frame is None:  # the event went back to draft
                    return
                if new_version > sent:
                    sent = new_version
                    yield frame
        finally:
            hub.unsubscribe(pk, subscription)

    response = StreamingHttpResponse(frames(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response
