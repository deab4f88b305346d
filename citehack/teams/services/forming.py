"""Team formation from the organiser's side: runs (the optimiser's result stored as draft
teams), hand edits, publication and late arrivals. adapter.py builds the optimiser's input."""

import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citehack.accounts.services import language_for, send_sign_in_link
from citehack.challenges.selectors import retained_challenges
from citehack.core import audit
from citehack.events.models import Event, Phase

from .. import formation, reasons, selectors
from ..models import FormationRun, MemberSource, ProjectSheet, RunStatus, Team, TeamMember, TeamSettings
from .adapter import Choices, build_people, challenge_key, default_choices, formation_input, person_key

# Runs ----------------------------------------------------------------------------------------


def formation_refusal(event):
    """Why the organiser may not run the formation now, or None."""
    if selectors.is_published(event):
        return _("The teams are published: they are no longer formed again. Place late arrivals one by one, or edit by hand.")
    if event.phase_at_least(Phase.JUDGING):
        return _("The pitches have started: teams can no longer be formed.")
    if not retained_challenges(event).exists():
        return _("No challenge is retained yet: close the challenge vote first.")
    return None


def _tradeoffs_json(found):
    return {
        "first_choices": found.first_choices,
        "moved_by_skill_coverage": found.moved_by_skill_coverage,
        "moved_by_fairness": found.moved_by_fairness,
        "min_teams_missing_skill": found.min_teams_missing_skill,
        "shortages": dict(found.shortages),
    }


def run_formation(*, actor, event, choices):
    """Run the optimiser and store its teams as drafts, replacing earlier drafts; return the run.

    Settings that cannot be met give a run with status "infeasible" and the optimiser's
    message, and leave the drafts as they were. The solver runs outside any transaction (it
    may take seconds); the write then checks that nothing it used has changed meanwhile.
    """
    refusal = formation_refusal(event)
    if refusal:
        raise ValidationError(refusal)
    data = formation_input(event, choices)
    started = time.perf_counter()
    try:
        result = formation.form_teams(data.people, data.settings)
    except (formation.FormationInfeasible, ValueError) as error:
        reason = None
        if isinstance(error, formation.FormationInfeasible):
            reason = reasons.as_record(error, challenge_of_id=data.challenge_of_id, people=data.people)
        return _record_infeasible(actor=actor, event=event, choices=choices, people=len(data.people),
                                  message=str(error), reason=reason)
    try:
        found = _tradeoffs_json(formation.tradeoffs(data.people, data.settings))
    except Exception:  # the trade-offs are an explanation: never let them stop the teams
        found = None
    seconds = time.perf_counter() - started
    return _store_run(actor=actor, event=event, choices=choices, data=data, result=result, found=found, seconds=seconds)


@transaction.atomic
def _record_infeasible(*, actor, event, choices, people, message, reason):
    run = FormationRun.objects.create(
        event=event, created_by=actor, settings=choices.as_json(), status=RunStatus.INFEASIBLE,
        people_count=people, message=message, reason=reason,
    )
    audit.record(actor=actor, action="teams.form", obj=run, event=event,
                 after={"status": run.status, "message": message, "reason": reason})
    return run


def _save_sizes(event, choices):
    team_settings, _created = TeamSettings.objects.get_or_create(event=event)
    team_settings.min_size, team_settings.max_size = choices.min_size, choices.max_size
    team_settings.save(update_fields=["min_size", "max_size", "updated_at"])


@transaction.atomic
def _store_run(*, actor, event, choices, data, result, found, seconds):
    event = Event.objects.select_for_update().get(pk=event.pk)
    refusal = formation_refusal(event)
    if refusal:
        raise ValidationError(refusal)
    if formation_input(event, choices, challenges=data.challenges).fingerprint() != data.fingerprint():
        raise ValidationError(
            _("Someone changed their preferences, a friend group or a lock while the teams were being formed: run it again.")
        )
    quality = result.quality.as_dict()
    quality.update(teams=len(result.teams), stage1_missing=result.stage1_missing, unranked_rank=result.unranked_rank,
                   total_seconds=round(seconds, 3))
    run = FormationRun.objects.create(
        event=event, created_by=actor, settings=choices.as_json(), status=RunStatus.FORMED,
        people_count=len(data.people), quality=quality, tradeoffs=found,
    )
    Team.objects.filter(event=event, published_at__isnull=True).delete()
    members = []
    for number, formed in enumerate(result.teams, start=1):
        team = Team.objects.create(event=event, number=number, challenge=data.challenge_of_id[formed.challenge], run=run)
        for key in formed.members:
            user_id = int(key)
            members.append(TeamMember(team=team, event=event, user_id=user_id, locked=user_id in data.locked))
    TeamMember.objects.bulk_create(members)
    _save_sizes(event, choices)
    audit.record(
        actor=actor, action="teams.form", obj=run, event=event,
        after={"status": run.status, "settings": run.settings, "quality": quality},
    )
    return run


# Hand edits ------------------------------------------------------------------------------------


def edit_refusal(event):
    if event.phase_at_least(Phase.JUDGING):
        return _("The pitches have started: the teams can no longer change.")
    return None


def _lock_event(event):
    event = Event.objects.select_for_update().get(pk=event.pk)
    refusal = edit_refusal(event)
    if refusal:
        raise ValidationError(refusal)
    return event


def _member(event, member_id):
    member = TeamMember.objects.select_related("team", "user").filter(pk=member_id, event=event).first()
    if member is None:
        raise ValidationError(_("This person is no longer in a team of this event."))
    return member


def _leave_team(member):
    """Drop the person as their team's speaker when they leave it."""
    Team.objects.filter(pk=member.team_id, speaker_id=member.user_id).update(speaker=None)


@transaction.atomic
def move_member(*, actor, event, member_id, team_id):
    """Move a person to another team of the event (locking them there), or out of every team when `team_id` is None.

    Sizes are not enforced: the organiser decides, and the page shows the sizes and figures.
    A person moved after publication is told by mail.
    """
    _lock_event(event)
    member = _member(event, member_id)
    before = {"user": member.user_id, "team": member.team.number}
    _leave_team(member)
    if team_id is None:
        if not member.team.published_at:
            raise ValidationError(_("Before publication, everybody is in a team: move the person to another team instead."))
        audit.record(actor=actor, action="teams.remove_member", obj=member.team, event=event, before=before)
        member.delete()
        return None
    target = Team.objects.filter(pk=team_id, event=event).first()
    if target is None:
        raise ValidationError(_("This team does not exist in this event."))
    if target.pk == member.team_id:
        raise ValidationError(_("The person is already in this team."))
    member.team = target
    member.locked = True
    member.source = MemberSource.MANUAL
    member.save(update_fields=["team", "locked", "source"])
    audit.record(actor=actor, action="teams.move", obj=target, event=event, before=before, after={"user": member.user_id, "team": target.number})
    if target.published_at:
        _mail_team(member.user, target, moved=True)
    return member


@transaction.atomic
def swap_members(*, actor, event, first_id, second_id):
    """Exchange two people's teams (both are then locked); told by mail after publication."""
    _lock_event(event)
    first, second = _member(event, first_id), _member(event, second_id)
    if first.team_id == second.team_id:
        raise ValidationError(_("These two people are in the same team: choose people of two different teams."))
    _leave_team(first)
    _leave_team(second)
    first_team, second_team = first.team, second.team
    # The unique (event, person) constraint holds at every step: only the team changes.
    first.team, second.team = second_team, first_team
    for member in (first, second):
        member.locked = True
        member.source = MemberSource.MANUAL
        member.save(update_fields=["team", "locked", "source"])
    audit.record(
        actor=actor, action="teams.swap", obj=first_team, event=event,
        before={str(first.user_id): first_team.number, str(second.user_id): second_team.number},
        after={str(first.user_id): second_team.number, str(second.user_id): first_team.number},
    )
    if first_team.published_at:
        _mail_team(first.user, second_team, moved=True)
        _mail_team(second.user, first_team, moved=True)
    return first, second


@transaction.atomic
def set_locked(*, actor, event, member_id, locked):
    """Lock a person in their draft team (the next run keeps them there), or unlock them."""
    _lock_event(event)
    member = _member(event, member_id)
    if member.team.published_at:
        raise ValidationError(_("The teams are published: locks only matter when the formation runs again."))
    member.locked = bool(locked)
    member.save(update_fields=["locked"])
    audit.record(actor=actor, action="teams.lock" if locked else "teams.unlock", obj=member.team, event=event,
                 after={"user": member.user_id, "team": member.team.number})
    return member


# Publication -------------------------------------------------------------------------------------


def publish_refusal(event, teams):
    if not teams:
        return _("There are no teams yet: run the team formation first.")
    if any(team.published_at for team in teams):
        return _("The teams are already published.")
    if event.phase_at_least(Phase.JUDGING):
        return _("The pitches have started: teams can no longer be published.")
    empty = [team for team in teams if not team.members.all()]
    if empty:
        return _("%(team)s has nobody in it: move someone into it or run the formation again.") % {
            "team": empty[0].display_name
        }
    return None


@transaction.atomic
def publish_teams(*, actor, event, notify=True):
    """Publish the draft teams: each member is told by mail (after commit) and sees the team on their page.

    `notify=False` sends no mail (the demo loads a day that has passed).
    """
    Event.objects.select_for_update().get(pk=event.pk)
    teams = selectors.teams_with_members(event)
    refusal = publish_refusal(event, teams)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    Team.objects.filter(pk__in=[team.pk for team in teams]).update(published_at=now, updated_at=now)
    ProjectSheet.objects.bulk_create([ProjectSheet(team=team) for team in teams], ignore_conflicts=True)
    for team in teams:
        team.published_at = now
        for member in team.members.all() if notify else ():
            _mail_team(member.user, team, teammates=[m.user for m in team.members.all() if m.user_id != member.user_id])
    audit.record(
        actor=actor, action="teams.publish", obj=event, event=event,
        after={"teams": [{"number": t.number, "members": [m.user_id for m in t.members.all()]} for t in teams]},
    )
    return teams


def _mail_team(user, team, *, teammates=None, moved=False, late=False):
    """Tell a person their team, with a personal link to its page (sent after commit)."""
    with translation.override(language_for(user)):
        names = {"event": team.event.title, "team": team.display_name}
        if moved:
            subject = _("Your team has changed: %(team)s") % names
            intro = _("The organisers of %(event)s moved you to a new team: %(team)s.") % names
        elif late:
            subject = _("Your team at %(event)s: %(team)s") % names
            intro = _("Welcome! You joined %(event)s after the teams were formed: you are in %(team)s.") % names
        else:
            subject = _("Your team at %(event)s: %(team)s") % names
            intro = _("The teams of %(event)s are formed. You are in %(team)s.") % names
        if teammates:
            intro += "\n\n" + _("Your teammates: %(names)s.") % {"names": ", ".join(u.name for u in teammates)}
        intro += "\n\n" + _("The link below opens your team's page and its project sheet.")
        send_sign_in_link(
            user=user,
            next_url=reverse("teams:team", kwargs={"slug": team.event.slug, "pk": team.pk}),
            subject=subject,
            intro=intro,
        )


# Late arrivals -----------------------------------------------------------------------------------


def late_refusal(event):
    if not selectors.is_published(event):
        return _("Late arrivals are placed once the teams are published; before that, run the formation again.")
    if event.phase_at_least(Phase.JUDGING):
        return _("The pitches have started: teams can no longer change.")
    return None


@transaction.atomic
def place_late_arrival(*, actor, event, user_id):
    """Put one confirmed participant without a team into the team that fits them best; nobody else moves.

    Return the team. The choice is formation.place_late_arrival's: a team below the largest
    size whose challenge is below its capacity, best rank first, then skills the team lacks,
    then diversity, then the smallest team.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    refusal = late_refusal(event)
    if refusal:
        raise ValidationError(refusal)
    if not selectors.confirmed_registrations(event).filter(user_id=user_id).exists():
        raise ValidationError(_("This person has no confirmed place in this event."))
    if TeamMember.objects.filter(event=event, user_id=user_id).exists():
        raise ValidationError(_("This person is already in a team."))
    challenges = list(retained_challenges(event))
    teams = [team for team in selectors.teams_with_members(event) if team.published_at]
    keys = {c.pk: challenge_key(c) for c in challenges}
    people = {p.id: p for p in build_people(event, challenges)}
    person = people[person_key(user_id)]
    run = selectors.latest_formed_run(event)
    choices = Choices.from_json(run.settings) if run else default_choices(event, challenges)
    team_settings = selectors.settings_of(event)
    settings = formation.Settings(
        min_size=min(team_settings.min_size, team_settings.max_size),
        max_size=team_settings.max_size,
        challenges=[keys[c.pk] for c in challenges],
        capacity={keys[pk]: n for pk, n in choices.capacity.items() if pk in keys},
    )
    plain = [
        formation.Team(keys.get(team.challenge_id, f"team {team.number}"), tuple(person_key(m.user_id) for m in team.members.all()))
        for team in teams
    ]
    try:
        placement = formation.place_late_arrival(plain, person, settings, people=[people[k] for t in plain for k in t.members if k in people])
    except formation.FormationInfeasible as error:
        record = reasons.as_record(error, challenge_of_id={keys[c.pk]: c for c in challenges},
                                   people=list(people.values()))
        raise ValidationError(
            _("No team can take this person. %(reason)s") % {"reason": reasons.describe(record) or str(error)}
        ) from None
    team = teams[placement.index]
    member = TeamMember.objects.create(team=team, event=event, user_id=user_id, source=MemberSource.LATE)
    audit.record(actor=actor, action="teams.place_late", obj=team, event=event,
                 after={"user": user_id, "team": team.number, "rank": placement.rank})
    _mail_team(member.user, team, late=True)
    return team


def place_all_late_arrivals(*, actor, event):
    """Place every confirmed participant without a team, one after the other; return (placed, refusals)."""
    placed, refusals = [], []
    for registration in selectors.late_registrations(event):
        try:
            team = place_late_arrival(actor=actor, event=event, user_id=registration.user_id)
        except ValidationError as error:
            refusals.append((registration.user, " ".join(error.messages)))
        else:
            placed.append((registration.user, team))
    return placed, refusals
