"""The reference day's teams: preferences, seven teams formed by the optimiser, project sheets.

Each confirmed participant ranks the seven retained challenges: the ones matching their
themes of interest come first, with a popularity skew (n°2, « Démocratisation du
numérique », is the favourite of the room) and some noise; a few rank only their top three.
Some came with friends: five friend groups of two or three, confirmed by both sides. The
optimiser forms one team per challenge, as on the day, and the teams are published without
mail (the day is past). Each team has a speaker; the project sheets are partly filled, team
n°2's whole and submitted, since it wins the first prize.

Everything goes through the services. They refuse changes outside the team-formation phase
and after the sheet deadline (the end of the sprint, in 2018): the phase and a deadline are
set for the load and put back afterwards, and the times are then moved back to the day.
"""

from datetime import timedelta

# Popularity of each challenge in the room, by number (Défi n°1 ... n°7).
POPULARITY = {1: 0.9, 2: 1.25, 3: 0.8, 4: 1.0, 5: 0.7, 6: 0.9, 7: 0.6}
THEME_BONUS = 1.2
NOISE = 0.7
FRIEND_GROUPS = [3, 2, 2, 3, 2]
SIZES = (6, 11)

# Project sheets by team number: (name, problem, solution, target users, built, next steps, links).
SHEETS = {
    1: ("Rez-de-chaussée vivants",
        "Les pieds d'immeubles sont vides et le quartier paraît abandonné.",
        "Ouvrir les locaux vides à des commerces éphémères et à des associations, à tour de rôle.",
        "", "", "", ""),
    2: ("Numérique pour tous",
        "Beaucoup d'habitants n'ont ni ordinateur ni connexion fiable, alors que les démarches "
        "(CAF, Pôle emploi, impôts, école) se font désormais en ligne. Ils renoncent à des droits "
        "ou dépendent d'un voisin.",
        "Un « point numérique » itinérant : un minibus équipé d'ordinateurs et d'une connexion, qui "
        "passe chaque semaine dans les quartiers. Des jeunes en service civique y aident les "
        "habitants à faire leurs démarches et à apprendre à s'en servir, à leur rythme.",
        "Les personnes âgées, les familles sans équipement, les demandeurs d'emploi, et les jeunes "
        "qui veulent transmettre ce qu'ils savent.",
        "Un parcours du minibus sur trois quartiers, un questionnaire passé à 25 personnes dans "
        "la salle, la maquette papier de l'affiche et un budget de première année.",
        "Rencontrer le centre social d'Etouvie et la médiathèque, chercher un minibus prêté par "
        "la ville, lancer un essai de trois mois au printemps.",
        "https://example.org/numerique-pour-tous\nhttps://example.org/numerique-pour-tous/questionnaire"),
    3: ("Le réseau des parrains",
        "Après des années sans emploi, on n'a plus de contacts chez les employeurs.",
        "Des salariés du quartier parrainent une personne pendant six mois.",
        "Les chômeurs de longue durée.", "", "", ""),
    4: ("Boussole jeunes", "Les jeunes ne savent pas à qui s'adresser.", "", "", "", "", ""),
    5: ("La table du monde",
        "On se croise sans se rencontrer.",
        "Un repas mensuel où chaque famille apporte un plat de son pays et raconte son histoire.",
        "", "Un calendrier des repas de l'année.", "", ""),
    6: ("Premier pas", "On a une idée mais on ne sait pas par où commencer.", "", "", "", "", ""),
    7: ("Nos squares", "", "", "", "", "", ""),
}
EDITS_DURING_SPRINT = 3


def _ranking(rng, registration, challenges):
    themes = set(registration.themes or [])
    scores = []
    for challenge in challenges:
        score = POPULARITY.get(challenge.number, 0.7) + rng.gauss(0, NOISE)
        if challenge.theme and challenge.theme in themes:
            score += THEME_BONUS
        scores.append((-score, challenge.number, challenge))
    ranked = [challenge for _score, _number, challenge in sorted(scores, key=lambda row: row[:2])]
    return ranked[:3] if rng.random() < 0.15 else ranked


def _skills(rng, registration):
    from citehack.registrations.models import Skill

    skills = list(registration.skills or [])
    if rng.random() < 0.2:
        extra = rng.choice([code for code in Skill.values if code not in skills] or skills)
        skills = sorted(set(skills) | {extra})
    return skills


def _camille_on_team_two(event, organiser, camille):
    """The demo participant sees the winning team: if the optimiser put her elsewhere, the
    organiser swaps her with the member of team n°2 who likes her team's challenge best (a
    hand edit, as organisers do)."""
    from citehack.teams import services
    from citehack.teams.models import ChallengeRank, FriendGroupMember, TeamMember

    mine = TeamMember.objects.select_related("team").get(event=event, user=camille)
    if mine.team.number == 2:
        return
    ranks = dict(
        ChallengeRank.objects.filter(preference__event=event, challenge=mine.team.challenge).values_list("preference__user_id", "rank")
    )
    in_groups = FriendGroupMember.objects.filter(event=event).values_list("user_id", flat=True)
    others = TeamMember.objects.filter(event=event, team__number=2).exclude(user_id__in=in_groups).order_by("pk")
    partner = min(others, key=lambda member: (ranks.get(member.user_id, 99), member.pk))
    services.swap_members(actor=organiser, event=event, first_id=mine.pk, second_id=partner.pk)


def load(*, event, accounts, rng):
    from citehack.challenges.selectors import retained_challenges
    from citehack.core.models import AuditEntry
    from citehack.demo import DAY, at
    from citehack.events.models import Event, Phase
    from citehack.teams import services
    from citehack.teams.models import FormationRun, Preference, ProjectSheet, SheetVersion, Team, TeamSettings

    organiser = accounts["organiser"]
    challenges = list(retained_challenges(event))
    if not challenges:
        return
    phase = event.phase
    Event.objects.filter(pk=event.pk).update(phase=Phase.TEAM_FORMATION)
    event.phase = Phase.TEAM_FORMATION

    registrations = list(event.registrations.filter(state="confirmed").select_related("user").order_by("created_at", "id"))
    by_number = {c.number: c for c in challenges}
    for registration in registrations:
        ranking = _ranking(rng, registration, challenges)
        if registration.user == accounts["participant"]:
            # Camille, the demo participant, came for the digital challenge.
            ranking = [by_number[2], *[c for c in ranking if c.number != 2]]
        services.save_preferences(actor=registration.user, event=event, ranking=ranking, skills=_skills(rng, registration))

    pool = [r.user for r in registrations[1:]]
    rng.shuffle(pool)
    for size in FRIEND_GROUPS:
        founder, *friends = [pool.pop() for _ in range(size)]
        group = services.create_friend_group(actor=founder, event=event)
        for friend in friends:
            asked = services.join_friend_group(actor=friend, event=event, code=group.code)
            services.accept_friend(actor=founder, event=event, member_id=asked.pk)

    choices = services.Choices(
        min_size=SIZES[0], max_size=SIZES[1], teams_per_challenge={c.pk: 1 for c in challenges},
        fairness=True, skill_coverage=True, time_limit=30,
    )
    run = services.run_formation(actor=organiser, event=event, choices=choices)
    if run.status != "formed":  # pragma: no cover - the demo's data is fixed
        raise RuntimeError(f"the demo's teams could not be formed: {run.message}")
    _camille_on_team_two(event, organiser, accounts["participant"])
    teams = services.publish_teams(actor=organiser, event=event, notify=False)

    # Sheets are written during the sprint: open them for the load, then let the sprint's end apply.
    settings, _created = TeamSettings.objects.get_or_create(event=event)
    settings.sheet_deadline = DAY.replace(year=DAY.year + 100)
    settings.save(update_fields=["sheet_deadline"])
    sprint_start = at(13, 15)
    for team in teams:
        members = [m.user for m in team.members.all()]
        services.set_speaker(actor=rng.choice(members), team=team, user_id=rng.choice(members).pk)
        name, *rest = SHEETS.get(team.number, ("", "", "", "", "", "", ""))
        fields = dict(zip(["name", "problem", "solution", "target_users", "built", "next_steps", "links"], [name, *rest]))
        # Build the sheet up in a few saves by different members, as a team would.
        steps = [
            {**{key: "" for key in fields}, "name": name, "problem": fields["problem"]},
            {**fields, "built": "", "next_steps": "", "links": ""},
            fields,
        ][:EDITS_DURING_SPRINT]
        version = 0
        for step in steps:
            if services.edit_sheet(actor=rng.choice(members), team=team, data=step, base_version=version):
                version += 1
        if team.number == 2:
            services.submit_sheet(actor=members[0], team=team)
    settings.sheet_deadline = None
    settings.save(update_fields=["sheet_deadline"])

    Event.objects.filter(pk=event.pk).update(phase=phase)
    event.phase = phase

    # Put the story back in time: preferences the days before, teams at the start of the sprint.
    for index, preference in enumerate(Preference.objects.filter(event=event).order_by("pk")):
        when = DAY - timedelta(days=3, hours=-(index % 48))
        Preference.objects.filter(pk=preference.pk).update(created_at=when, updated_at=when)
    formed, published = at(13, 5), at(13, 12)
    FormationRun.objects.filter(event=event).update(created_at=formed)
    Team.objects.filter(event=event).update(created_at=formed, updated_at=published, published_at=published)
    for sheet in ProjectSheet.objects.filter(team__event=event):
        last = published
        for index, version in enumerate(sheet.versions.order_by("number")):
            last = sprint_start + timedelta(minutes=40 + 50 * index + 7 * sheet.team.number)
            SheetVersion.objects.filter(pk=version.pk).update(created_at=last)
        updates = {"created_at": published, "updated_at": last}
        if sheet.submitted_at:
            updates["submitted_at"] = at(16, 5)
        ProjectSheet.objects.filter(pk=sheet.pk).update(**updates)
    AuditEntry.objects.filter(event=event, action__startswith="teams.").update(created_at=published)
