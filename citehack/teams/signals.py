"""The teams app's answers to other apps' news."""

from django.dispatch import receiver

from citehack.core import audit
from citehack.events.models import Phase
from citehack.registrations.signals import registration_cancelled

from .models import FriendGroupMember, TeamMember
from .services.forming import _leave_team
from .services.preferences import _drop_from_group


@receiver(registration_cancelled)
def leave_team_on_cancellation(sender, registration, event, actor, **kwargs):
    """Someone who cancels leaves their friend group, and their team (draft or published) and
    its speaker's role until the teams are frozen (judging, as for hand edits): from then on
    the teams are history (results, certificates)."""
    member = FriendGroupMember.objects.filter(event=event, user_id=registration.user_id).select_related("group").first()
    if member is not None:
        _drop_from_group(member)
    if event.phase_at_least(Phase.JUDGING):
        return
    for member in TeamMember.objects.filter(event=event, user_id=registration.user_id).select_related("team"):
        _leave_team(member)
        audit.record(actor=actor, action="teams.leave_on_cancel", obj=member.team, event=event,
                     before={"user": member.user_id, "team": member.team.number})
        member.delete()
