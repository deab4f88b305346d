"""Reads on teams used by several pages, the live app and the services."""

from collections import Counter, defaultdict

from django.db.models import Exists, OuterRef, Prefetch

from citehack.events.models import ItemKind, Membership, Role
from citehack.registrations.models import Registration, RegistrationState, Skill

from .models import FormationRun, FriendGroupMember, Preference, RunStatus, SheetFile, Team, TeamMember, TeamSettings


def team_of(event, user):
    """The person's published team in `event`, or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Team.objects.filter(event=event, members__user=user, published_at__isnull=False)
        .select_related("event", "challenge")
        .first()
    )


def settings_of(event):
    """The event's team settings; unsaved defaults when the organiser has set none."""
    return TeamSettings.objects.filter(event=event).first() or TeamSettings(event=event)


def sheet_deadline(event, team_settings=None):
    """When project sheets lock: the settings' deadline, else the end of the last sprint item, else None."""
    team_settings = team_settings or settings_of(event)
    if team_settings.sheet_deadline:
        return team_settings.sheet_deadline
    sprint = event.programme.filter(kind=ItemKind.SPRINT).order_by("-ends_at").first()
    return sprint.ends_at if sprint else None


def is_published(event):
    return Team.objects.filter(event=event, published_at__isnull=False).exists()


def latest_run(event):
    return FormationRun.objects.filter(event=event).select_related("created_by").first()


def latest_formed_run(event):
    return FormationRun.objects.filter(event=event, status=RunStatus.FORMED).first()


def confirmed_registrations(event):
    return Registration.objects.filter(event=event, state=RegistrationState.CONFIRMED)


def own_preference(event, user):
    return Preference.objects.filter(event=event, user=user).prefetch_related("ranks").first()


def own_friend_group(event, user):
    """(the person's own membership row, every member of that group with their person) or (None, [])."""
    mine = FriendGroupMember.objects.filter(event=event, user=user).select_related("group").first()
    if mine is None:
        return None, []
    members = list(mine.group.members.select_related("user").order_by("confirmed_at", "created_at", "id"))
    return mine, members


def teams_with_members(event):
    """The event's teams in order, each with its challenge, speaker, mentor and members (with persons)."""
    return list(
        Team.objects.filter(event=event)
        .select_related("event", "challenge", "speaker", "mentor")
        .prefetch_related(Prefetch("members", queryset=TeamMember.objects.select_related("user").order_by("user__name", "id")))
        .order_by("number")
    )


def event_mentors(event):
    return Membership.objects.filter(event=event, role=Role.MENTOR).select_related("user").order_by("user__name")


def late_registrations(event):
    """Confirmed participants without a team, in order of registration."""
    in_team = TeamMember.objects.filter(event=event, user=OuterRef("user"))
    return list(
        confirmed_registrations(event).filter(~Exists(in_team)).select_related("user").order_by("promoted_at", "created_at", "id")
    )


def active_files(sheet):
    return SheetFile.objects.filter(sheet=sheet, removed_at__isnull=True).order_by("uploaded_at", "id")


def people_details(event):
    """{person id: details} for every confirmed participant, in three queries.

    Details: registration (with person), answered (has saved preferences), ranks
    {challenge id: rank}, skills (declared, else from the registration), group (code or ""),
    group_id (only when confirmed in it), group_confirmed.
    """
    registrations = list(confirmed_registrations(event).select_related("user").order_by("user__name", "id"))
    preferences = {p.user_id: p for p in Preference.objects.filter(event=event).prefetch_related("ranks")}
    groups = {m.user_id: m for m in FriendGroupMember.objects.filter(event=event).select_related("group")}
    details = {}
    for registration in registrations:
        preference = preferences.get(registration.user_id)
        member = groups.get(registration.user_id)
        details[registration.user_id] = {
            "registration": registration,
            "answered": preference is not None,
            "ranks": {r.challenge_id: r.rank for r in preference.ranks.all()} if preference else {},
            "skills": list(preference.skills) if preference else list(registration.skills or []),
            "group": member.group.code if member else "",
            "group_id": member.group_id if member and member.confirmed_at else None,
            "group_confirmed": bool(member and member.confirmed_at),
        }
    return details


def preference_rows(event, details=None):
    """One row per confirmed participant for the organiser's overview, by name."""
    details = details if details is not None else people_details(event)
    return list(details.values())


def first_choice_counts(rows, challenges):
    counts = Counter()
    for row in rows:
        for challenge_id, rank in row["ranks"].items():
            if rank == 1:
                counts[challenge_id] += 1
    return [(challenge, counts[challenge.pk]) for challenge in challenges]


def skill_labels():
    return dict(Skill.choices)


def current_figures(teams, challenges, details):
    """The quality figures of the teams as they stand (after hand edits).

    Same meaning as formation.Quality: shares of first and top-two choices, worst rank (an
    unranked challenge counts as number of challenges + 1), teams missing each skill somebody
    placed holds, friend groups split across teams. `details` comes from people_details;
    someone placed whose place is no longer confirmed counts as unranked and without skills.
    """
    unranked = len(challenges) + 1
    ranks = []
    skills_of_team = defaultdict(set)
    teams_of_group = defaultdict(set)
    group_sizes = Counter(d["group_id"] for d in details.values() if d["group_id"] is not None)
    all_skills = set()
    for team in teams:
        for member in team.members.all():
            person = details.get(member.user_id)
            rank = unranked
            if person is not None and team.challenge_id is not None:
                rank = person["ranks"].get(team.challenge_id, unranked)
            ranks.append(rank)
            skills = set(person["skills"]) if person else set()
            skills_of_team[team.pk] |= skills
            all_skills |= skills
            if person and person["group_id"] is not None and group_sizes[person["group_id"]] > 1:
                teams_of_group[person["group_id"]].add(team.pk)
    n = len(ranks) or 1
    missing = {skill: sum(1 for team in teams if skill not in skills_of_team[team.pk]) for skill in sorted(all_skills)}
    return {
        "people": len(ranks),
        "first_choice_share": sum(r == 1 for r in ranks) / n,
        "top_two_share": sum(r <= 2 for r in ranks) / n,
        "worst_rank": max(ranks) if ranks else 0,
        "unranked_placements": sum(r == unranked for r in ranks),
        "teams_missing_skill": missing,
        "teams_missing_skill_total": sum(missing.values()),
        "groups_split": sum(1 for team_ids in teams_of_group.values() if len(team_ids) > 1),
    }
