"""The audience vote page (phones, no account) and the organiser's page.

The vote page is what a whole room opens at once on cheap phones: one small page, no script,
one form whose buttons are the teams, no account menu. A vote is answered with the same page
saying what was recorded; answering a repeated POST again is harmless because the vote is
idempotent. The page never shows a count.

It is also the hot path of the day, so it does less than other views: the event and the
ballot come from memory (selectors.get_ballot) instead of `event_view`'s query, the two rate
limits cost one round trip to Redis, and storing the vote is one statement. A draft event's
vote goes through `event_view` like any other page, so only its staff see it.
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citehack.accounts.services import absolute_url, hit_rate_limit
from citehack.core.http import client_address
from citehack.core.qr import qr_svg
from citehack.core.views import event_view
from citehack.events.models import Phase

from . import identity, screen, selectors, services
from .forms import OpenForm, PollSettingsForm, VoteForm
from .models import Eligibility, Poll, PollStatus, VoterKind

VOTE_RATE = (10, 60)  # votes per voter per minute
ADDRESS_RATE = (600, 60)  # votes per address per minute: a whole venue may share one address


# The vote page ---------------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, message, code, status=403):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


# Counts one hit on each key and returns the counts; a new key expires after its window.
_HITS_SCRIPT = (
    "local counts = {} for i, key in ipairs(KEYS) do "
    "local n = redis.call('INCR', key) if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end "
    "counts[i] = n end return counts"
)


@functools.cache
def _redis_hits():
    """A Redis script counting hits, on a client kept for the process (Django's cache builds a
    new client object for every call, which costs more than the round trip)."""
    backend = caches["default"]
    client = backend._cache.get_client(write=True)
    return client.register_script(_HITS_SCRIPT)


def over_limits(limits):
    """Count one hit on each (key, limit, window); return the keys whose limit is passed.

    With Redis, all of them in one round trip, on the same counters as core's hit_rate_limit;
    with another cache, one hit_rate_limit each.
    """
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return [key for key, limit, window in limits if hit_rate_limit(key, limit=limit, window=window)]
    counts = _redis_hits()(keys=[backend.make_key(key) for key, _l, _w in limits], args=[window for _k, _l, window in limits])
    return [key for (key, limit, _window), count in zip(limits, counts) if count > limit]


def _voter(request, ballot, device, token_sent):
    """(voter key, kind) for this request under the poll's eligibility; Refused if none.

    `device` is the voter key of the phone's token, None when the request carried no token
    this server issued (`token_sent` says whether it carried one at all).
    """
    eligibility = ballot.eligibility
    if eligibility in (Eligibility.PARTICIPANT, Eligibility.BOTH) and request.user.is_authenticated:
        registration = selectors.checked_in_registration(ballot.event.pk, request.user)
        if registration is not None:
            return identity.participant_key(registration), VoterKind.PARTICIPANT
        if eligibility == Eligibility.PARTICIPANT:
            raise Refused(
                _("Only participants checked in at the reception can vote. Go to the reception with your badge."),
                "not_checked_in",
            )
    elif eligibility == Eligibility.PARTICIPANT:
        raise Refused(
            _("This vote is for participants checked in at the reception: sign in on your phone with your personal link to vote."),
            "sign_in",
        )
    if device is None:
        if token_sent:
            raise Refused(_("This phone's voting key was not recognised. A new one is set: choose your team again."), "token")
        raise Refused(
            _("Your browser did not keep this site's voting key: allow cookies for this site, then choose your team again."),
            "no_cookie",
        )
    return device, VoterKind.DEVICE


@functools.cache
def _page_urls():
    """Addresses every vote page links to: worked out once per process."""
    return {
        "css_url": static("citehack/citehack.css"), "icon_url": static("citehack/favicon.svg"),
        "home_url": reverse("home"), "set_language_url": reverse("set_language"),
        "sign_in_base": reverse("accounts:sign_in"),
    }


# Rendered vote pages, by everything they depend on; the CSRF token is filled in per request.
# The whole room loads the same few pages: rendering each once per process keeps the template
# engine off the hot path.
_rendered = {}
_CSRF_PLACEHOLDER = "csrf0placeholder0audience0vote"


def _page(request, ballot, *, voter_kind=None, choice=None, recorded=False, refusal=None, reason="", status=200, token=None):
    chosen = ballot.option(choice) if choice else None
    needs_sign_in = ballot.eligibility == Eligibility.PARTICIPANT and not request.user.is_authenticated
    key = (ballot, request.LANGUAGE_CODE, chosen, recorded, str(refusal or ""), reason, str(voter_kind or ""), needs_sign_in)
    html = _rendered.get(key)
    if html is None:
        event = ballot.event
        vote_path = reverse("audience:vote", args=[event.slug])
        context = {
            **_page_urls(),
            "event": event,
            "ballot": ballot,
            "options": [(option.id, option.name, chosen is not None and option.id == chosen.id) for option in ballot.options],
            "choice": chosen,
            "recorded": recorded,
            "refusal": refusal,
            "reason": reason,
            "voter_kind": voter_kind,
            "vote_path": vote_path,
            "sign_in_url": f"{_page_urls()['sign_in_base']}?next={vote_path}",
            "needs_sign_in": needs_sign_in,
            "LANGUAGE_CODE": request.LANGUAGE_CODE,
            "csrf_token": _CSRF_PLACEHOLDER,
        }
        html = render_to_string("audience/vote.html", context)
        if len(_rendered) > 500:
            _rendered.clear()
        _rendered[key] = html
    response = HttpResponse(html.replace(_CSRF_PLACEHOLDER, get_token(request)), status=status)
    if token:
        identity.set_token_cookie(response, request, token)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def vote(request, slug):
    ballot = selectors.get_ballot(slug)
    if ballot is None:
        raise Http404
    if ballot.event.phase == Phase.DRAFT:
        return _draft_vote(request, slug)
    return _vote(request, ballot)


@event_view("events.view_event", login=False)
def _draft_vote(request, event):
    """A draft event's vote: for its staff only (event_view refuses everyone else)."""
    selectors.forget_ballot(event.slug)
    return _vote(request, selectors.get_ballot(event.slug))


def _vote(request, ballot):
    sent = identity.read_token(request)
    device = identity.device_key(sent)
    # A phone without a valid token gets one with this answer; a vote needs a token the
    # server issued before, so the one issued now only counts from the next request.
    new_token = identity.new_token() if device is None else None
    if request.method == "GET":
        return _show(request, ballot, device, new_token)

    def page(**kwargs):
        return _page(request, ballot, token=new_token, **kwargs)

    address_limit = (
        "audience:rate:address:" + client_address(request), *getattr(settings, "AUDIENCE_ADDRESS_RATE", ADDRESS_RATE)
    )
    limits = [address_limit]
    if device is not None and ballot.eligibility == Eligibility.DEVICE:
        # The usual case, counted in the same round trip.
        limits.append(("audience:rate:voter:" + device, *getattr(settings, "AUDIENCE_VOTE_RATE", VOTE_RATE)))
    over = over_limits(limits)
    if address_limit[0] in over:
        return page(status=429, reason="rate_address",
                    refusal=_("Too many votes from this network just now. Wait a minute, then choose your team again."))
    form = VoteForm(request.POST)
    if not form.is_valid():
        return page(status=400, reason="invalid", refusal=form.errors["team"][0])
    team_id = form.cleaned_data["team"]
    if not ballot.exists:
        return page(status=403, reason="not_open", refusal=_("The audience vote has not opened yet."))
    try:
        voter, kind = _voter(request, ballot, device, bool(sent))
    except Refused as refused:
        return page(status=refused.status, reason=refused.code, refusal=refused.message)
    if len(limits) == 1:
        over = over_limits([("audience:rate:voter:" + voter, *getattr(settings, "AUDIENCE_VOTE_RATE", VOTE_RATE))])
    if any(key.startswith("audience:rate:voter:") for key in over):
        return page(voter_kind=kind, choice=selectors.current_choice(ballot.poll_id, voter), status=429, reason="rate_voter",
                    refusal=_("You have changed your vote many times in a minute. Wait a minute, then try again."))
    if kind == VoterKind.PARTICIPANT:
        stored = services.cast_participant_vote(
            poll_id=ballot.poll_id, team_id=team_id, voter=voter,
            device_voter=device if ballot.eligibility == Eligibility.BOTH else None,
        )
    else:
        stored = services.cast_vote(poll_id=ballot.poll_id, team_id=team_id, voter=voter, kind=kind)
    slug = ballot.event.slug
    if not stored:
        message, status, reason = services.vote_refusal(event_pk=ballot.event.pk, team_id=team_id, kind=kind)
        selectors.forget_ballot(slug)
        ballot = selectors.get_ballot(slug) or ballot
        return page(voter_kind=kind, choice=selectors.current_choice(ballot.poll_id, voter), status=status, reason=reason,
                    refusal=message)
    screen.note_vote(ballot.event.pk)
    if ballot.option(team_id) is None:  # a team published since the ballot was cached
        selectors.forget_ballot(slug)
        ballot = selectors.get_ballot(slug) or ballot
    return page(voter_kind=kind, choice=team_id, recorded=True)


def _show(request, ballot, device, new_token):
    """The vote page as it stands for this phone or person."""
    try:
        voter, kind = _voter(request, ballot, device or identity.device_key(new_token), True)
    except Refused as refused:
        if ballot.is_closed:
            return _page(request, ballot, token=new_token)
        return _page(request, ballot, refusal=refused.message, reason=refused.code, token=new_token)
    # A phone that has just been given its token has no vote yet: no need to look.
    fresh = kind == VoterKind.DEVICE and new_token is not None
    choice = None if fresh or not ballot.exists else selectors.current_choice(ballot.poll_id, voter)
    return _page(request, ballot, voter_kind=kind, choice=choice, token=new_token)


# The organiser's page ------------------------------------------------------------------------------


def _back(request, event):
    """Back to where the action came from (the control room links here too), else this page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("audience:manage", slug=event.slug)


def _manage_context(request, event, poll, form=None):
    url = absolute_url(reverse("audience:vote", args=[event.slug]), request)
    context = {
        "event": event, "nav": "audience", "poll": poll, "vote_url": url,
        "vote_qr": qr_svg(url, title=_("QR code of the audience vote")),
        "form": form, "open_form": OpenForm(),
        "open_refusal": services.open_refusal(event, poll),
    }
    if poll.pk and poll.status != PollStatus.NOT_OPEN:
        rows = selectors.tally(poll)
        context.update(rows=rows, total=sum(row["votes"] for row in rows), total_weight=sum(row["weight"] for row in rows))
    elif form is None:
        context["form"] = PollSettingsForm(instance=poll)
    return context


@require_GET
@event_view("audience.manage")
def manage(request, event):
    poll = selectors.get_poll(event) or Poll(event=event)
    return render(request, "audience/manage.html", _manage_context(request, event, poll))


@require_POST
@event_view("audience.manage")
def configure(request, event):
    poll = selectors.get_poll(event) or Poll(event=event)
    form = PollSettingsForm(request.POST, instance=Poll(event=event))
    if poll.settings_frozen:
        messages.error(request, _("The audience vote has opened: its settings are frozen."))
        return redirect("audience:manage", slug=event.slug)
    if form.is_valid():
        try:
            services.configure_poll(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The settings of the audience vote are saved."))
            return redirect("audience:manage", slug=event.slug)
    return render(request, "audience/manage.html", _manage_context(request, event, poll, form), status=400)


@require_POST
@event_view("audience.manage")
def open_view(request, event):
    form = OpenForm(request.POST)
    show = form.cleaned_data["show_on_screen"] if form.is_valid() else False
    try:
        services.open_poll(actor=request.user, event=event, show_on_screen=show)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The audience vote is open: phones can vote at the address on the screen."))
    return _back(request, event)


@require_POST
@event_view("audience.manage")
def close_view(request, event):
    try:
        services.close_poll(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The audience vote is closed and counted."))
    return _back(request, event)
