"""Participants' preferences and friend groups: every write, with its checks."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citehack.challenges.selectors import retained_challenges
from citehack.events.models import Event, Phase
from citehack.registrations.models import Skill

from .. import selectors
from ..models import ChallengeRank, FriendGroup, FriendGroupMember, Preference, TeamMember

# No 0/O, 1/I/L: codes are read aloud and copied from a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def preferences_refusal(*, event, user, groups=False):
    """Why `user` may not change their preferences (or, with `groups`, their friend group) now, or None.

    After publication, someone still without a team (a late arrival) may rank the challenges:
    their ranking guides where they are placed. Friend groups freeze at publication.
    """
    if not selectors.confirmed_registrations(event).filter(user=user).exists():
        return _("Only participants with a confirmed place rank the challenges.")
    if selectors.is_published(event) and (groups or TeamMember.objects.filter(event=event, user=user).exists()):
        if groups:
            return _("The teams are published: friend groups can no longer change.")
        return _("The teams are published: preferences can no longer change.")
    if event.phase_at_least(Phase.LIVE):
        return _("The event has started: preferences are closed.")
    if not retained_challenges(event).exists():
        return _("The challenges are not chosen yet: you can rank them once the challenge vote has closed.")
    return None


def _check_open(event, user, groups=True):
    refusal = preferences_refusal(event=event, user=user, groups=groups)
    if refusal:
        raise ValidationError(refusal)


def _lock(event):
    # One writer at a time per event: group sizes and codes are checked, then written.
    return Event.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def save_preferences(*, actor, event, ranking, skills):
    """Store the person's ranking (retained challenges, best first) and skills; replace the previous ones."""
    _lock(event)
    _check_open(event, actor, groups=False)
    retained = {c.pk: c for c in retained_challenges(event)}
    seen = set()
    for challenge in ranking:
        if challenge.pk not in retained or challenge.pk in seen:
            raise ValidationError(_("The ranking holds a challenge that is not open for teams."))
        seen.add(challenge.pk)
    unknown = set(skills) - set(Skill.values)
    if unknown:
        raise ValidationError(_("Unknown skill: %(skills)s.") % {"skills": ", ".join(sorted(unknown))})
    preference, _created = Preference.objects.get_or_create(event=event, user=actor, defaults={"skills": list(skills)})
    preference.skills = [code for code in Skill.values if code in set(skills)]
    preference.save(update_fields=["skills", "updated_at"])
    preference.ranks.all().delete()
    # Only the order matters: store ranks 1, 2, 3... whatever numbers the form used.
    ChallengeRank.objects.bulk_create(
        ChallengeRank(preference=preference, challenge=challenge, rank=position)
        for position, challenge in enumerate(ranking, start=1)
    )
    return preference


def _new_code():
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code):
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def _max_group_size(event):
    return selectors.settings_of(event).max_size


@transaction.atomic
def create_friend_group(*, actor, event):
    """Start a group with `actor` as its first, confirmed member; return it (its code is to share)."""
    _lock(event)
    _check_open(event, actor)
    if FriendGroupMember.objects.filter(event=event, user=actor).exists():
        raise ValidationError(_("You are already in a friend group: leave it first to start another."))
    for _attempt in range(5):
        code = _new_code()
        if not FriendGroup.objects.filter(code=code).exists():
            break
    group = FriendGroup.objects.create(event=event, code=code, created_by=actor)
    FriendGroupMember.objects.create(group=group, event=event, user=actor, confirmed_at=timezone.now())
    return group


@transaction.atomic
def join_friend_group(*, actor, event, code):
    """Ask to join the group with `code`; a confirmed member of it then accepts (both sides agree)."""
    _lock(event)
    _check_open(event, actor)
    group = FriendGroup.objects.filter(event=event, code=normalise_code(code)).first()
    if group is None:
        raise ValidationError(_("No friend group of this event has this code. Check it with the person who gave it to you."))
    if FriendGroupMember.objects.filter(event=event, user=actor).exists():
        raise ValidationError(_("You are already in a friend group: leave it first to join another."))
    limit = _max_group_size(event)
    if group.members.count() >= limit:
        raise ValidationError(
            ngettext(
                "This group is full: a group has at most %(max)d person, the largest team size.",
                "This group is full: a group has at most %(max)d people, the largest team size.",
                limit,
            ) % {"max": limit}
        )
    try:
        with transaction.atomic():
            return FriendGroupMember.objects.create(group=group, event=event, user=actor)
    except IntegrityError:
        raise ValidationError(_("You are already in a friend group: leave it first to join another.")) from None


def _confirmed_member(event, user, group):
    return FriendGroupMember.objects.filter(event=event, user=user, group=group, confirmed_at__isnull=False).exists()


@transaction.atomic
def accept_friend(*, actor, event, member_id):
    """A confirmed member accepts a person who asked to join their group."""
    _lock(event)
    _check_open(event, actor)
    member = FriendGroupMember.objects.filter(pk=member_id, event=event, confirmed_at__isnull=True).select_related("group").first()
    if member is None or not _confirmed_member(event, actor, member.group):
        raise ValidationError(_("This request is not for your group, or it was already answered."))
    limit = _max_group_size(event)
    if member.group.members.filter(confirmed_at__isnull=False).count() >= limit:
        raise ValidationError(
            _("The group already has %(max)d people, the largest team size.") % {"max": limit}
        )
    member.confirmed_at = timezone.now()
    member.save(update_fields=["confirmed_at"])
    return member


@transaction.atomic
def decline_friend(*, actor, event, member_id):
    _lock(event)
    _check_open(event, actor)
    member = FriendGroupMember.objects.filter(pk=member_id, event=event, confirmed_at__isnull=True).select_related("group").first()
    if member is None or not _confirmed_member(event, actor, member.group):
        raise ValidationError(_("This request is not for your group, or it was already answered."))
    member.delete()


@transaction.atomic
def leave_friend_group(*, actor, event):
    """Leave (or withdraw a request to join) the person's group; a group nobody confirmed is left is removed."""
    _lock(event)
    _check_open(event, actor)
    member = FriendGroupMember.objects.filter(event=event, user=actor).select_related("group").first()
    if member is None:
        raise ValidationError(_("You are not in a friend group."))
    _drop_from_group(member)


def _drop_from_group(member):
    """Remove one membership; a group nobody confirmed is left in is removed with its requests."""
    group = member.group
    member.delete()
    if not group.members.filter(confirmed_at__isnull=False).exists():
        group.delete()
