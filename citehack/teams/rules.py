"""Who may do what with teams, as named predicates.

Event-level perms take (user, event); team-level perms take (user, team). These say who;
when (the phase, publication, the deadline) is the services' business, so that a refusal
can say why in words.
"""

import rules

from citehack.challenges.rules import is_confirmed_participant
from citehack.core.rules import is_event_staff, is_juror, is_mentor, is_participant
from citehack.events.rules import can_manage


@rules.predicate
def is_team_member(user, team):
    if team is None or not user.is_authenticated:
        return False
    # Views prefetch the members: no query per check then.
    return any(member.user_id == user.pk for member in team.members.all())


@rules.predicate
def manages_team_event(user, team):
    return team is not None and can_manage(user, team.event)


@rules.predicate
def is_team_published(user, team):
    return team is not None and team.published_at is not None


@rules.predicate
def is_event_mentor_or_juror(user, team):
    return team is not None and (is_mentor(user, team.event) or is_juror(user, team.event))


# On the event.
rules.add_perm("teams.set_preferences", is_confirmed_participant)
rules.add_perm("teams.manage", can_manage)
rules.add_perm("teams.view_teams", is_participant | is_event_staff | can_manage)

# On one team.
rules.add_perm("teams.view_team", manages_team_event | (is_team_published & (is_team_member | is_event_mentor_or_juror)))
rules.add_perm("teams.edit_sheet", manages_team_event | (is_team_published & is_team_member))
rules.add_perm("teams.set_speaker", manages_team_event | (is_team_published & is_team_member))
rules.add_perm("teams.assign_mentor", manages_team_event)
rules.add_perm("teams.reopen_sheet", manages_team_event)
