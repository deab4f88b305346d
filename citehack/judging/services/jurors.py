"""Jurors: invitation by mail with a personal link, the president, conflicts with teams."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citehack.accounts.services import get_or_create_user, language_for, send_sign_in_link
from citehack.core import audit
from citehack.core.rules import is_juror
from citehack.events.models import Role
from citehack.events.services import add_member

from ..models import Conflict, Juror
from .common import locked_session


def ensure_juror(event, user):
    """The judging record of a juror of `event` (created the first time it is needed)."""
    juror, _created = Juror.objects.get_or_create(event=event, user=user)
    return juror


def _send_invitation(juror, *, request=None):
    event = juror.event
    with translation.override(language_for(juror.user)):
        send_sign_in_link(
            user=juror.user,
            request=request,
            next_url=reverse("judging:juror_home", kwargs={"slug": event.slug}),
            subject=_("You are on the jury of %(event)s") % {"event": event.title},
            intro=_(
                "You are invited to the jury of %(event)s. The link below opens your jury page: declare any "
                "conflict of interest with a team, then score each pitch from your phone while it happens."
            ) % {"event": event.title},
        )


@transaction.atomic
def invite_juror(*, actor, event, email, name, request=None):
    """Give the person the juror role and mail them a personal sign-in link to the jury page.

    Inviting someone who is already a juror sends the link again. Returns (juror, created).
    """
    user = get_or_create_user(email=email, name=name)
    _membership, created = add_member(actor=actor, event=event, user=user, role=Role.JUROR)
    juror = ensure_juror(event, user)
    juror.invited_at = timezone.now()
    juror.save(update_fields=["invited_at"])
    _send_invitation(juror, request=request)
    audit.record(actor=actor, action="judging.juror.invite", obj=juror, event=event, after={"user": user.email})
    return juror, created


@transaction.atomic
def resend_invitation(*, actor, juror, request=None):
    juror.invited_at = timezone.now()
    juror.save(update_fields=["invited_at"])
    _send_invitation(juror, request=request)
    audit.record(actor=actor, action="judging.juror.resend", obj=juror, event=juror.event, after={"user": juror.user.email})


@transaction.atomic
def set_president(*, actor, juror, president):
    """Mark the juror as president of the jury (who may record decisions), or not."""
    locked_session(juror.event)
    before = juror.president
    Juror.objects.filter(pk=juror.pk).update(president=president)
    juror.president = president
    if before != president:
        audit.record(
            actor=actor, action="judging.juror.president", obj=juror, event=juror.event,
            before={"president": before}, after={"president": president},
        )
    return juror


def _check_team(event, team):
    if team.event_id != event.pk or team.published_at is None:
        raise ValidationError(_("This team is not one of this event's published teams."))


@transaction.atomic
def declare_conflict(*, actor, event, team, reason=""):
    """Declare that `actor` has a conflict with `team`: never asked to score it, scores refused.

    Declaring it again changes nothing. Refused once scoring is closed.
    """
    session = locked_session(event)
    if not is_juror(actor, event):
        raise ValidationError(_("Only the jury of this event declares conflicts."))
    _check_team(event, team)
    if session.is_closed:
        raise ValidationError(_("Scoring is closed: conflicts can no longer change."))
    conflict, created = Conflict.objects.get_or_create(
        event=event, juror=actor, team=team, defaults={"reason": reason.strip()[:200]}
    )
    if created:
        audit.record(
            actor=actor, action="judging.conflict.declare", obj=conflict, event=event,
            after={"team": team.number, "reason": conflict.reason},
        )
    return conflict, created


@transaction.atomic
def withdraw_conflict(*, actor, event, team):
    """Withdraw a conflict declared by mistake; refused once scoring is closed."""
    session = locked_session(event)
    if session.is_closed:
        raise ValidationError(_("Scoring is closed: conflicts can no longer change."))
    conflict = Conflict.objects.filter(event=event, juror=actor, team=team).first()
    if conflict is None:
        return False
    audit.record(
        actor=actor, action="judging.conflict.withdraw", obj=conflict, event=event,
        before={"team": team.number, "reason": conflict.reason},
    )
    conflict.delete()
    return True
