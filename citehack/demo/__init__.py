"""The reference day as demo data: "Journée Créativité Citoyenne", Amiens, 8 October 2018.

From shared/seed/: organised by the Cités Lab des Hauts-de-France at L'Odyssée, Amiens, under
the label "40 ans de la Politique de la ville"; welcome, workshops, entrepreneurs'
testimonials (among them the CEO of an interactive-classes education start-up), a 3-hour
hackathon, pitches, the jury's deliberation and the awards. People and most details are
fictional; each later capability adds its part here (see `load`).
"""

import random
from importlib import import_module
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone


EVENT_SLUG = "creativite-citoyenne-amiens-2018"
PARIS = ZoneInfo("Europe/Paris")
DAY = datetime(2018, 10, 8, tzinfo=PARIS)
DEMO_PASSWORD = "citehack-demo"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    password: str | None


ACCOUNTS = [
    DemoAccount("organiser", "organisation@citeslab.example.org", "Nadia Benali", DEMO_PASSWORD),
    DemoAccount("juror", "jury@citeslab.example.org", "Paul Lefèvre", None),
    DemoAccount("participant", "camille.martin@example.org", "Camille Martin", None),
]


def at(hour, minute=0):
    return DAY.replace(hour=hour, minute=minute)


# (kind, title, start, end, room, speakers, capacity, description)
PROGRAMME = [
    ("welcome", "Accueil café et inscriptions", at(9), at(9, 30), "Hall", "", None,
     "Retrait des badges à l'accueil, café et viennoiseries."),
    ("talk", "Ouverture : 40 ans de la Politique de la ville", at(9, 30), at(10), "Grande salle",
     "Cités Lab des Hauts-de-France", None, "Le sens de la journée et le déroulé."),
    ("workshop", "Atelier : présenter son idée en trois minutes", at(10), at(11), "Salle 1",
     "Coach en prise de parole", 15, "S'entraîner au pitch, en petit groupe."),
    ("workshop", "Atelier : prototyper avec du papier", at(10), at(11), "Salle 2",
     "Designer de services", 15, "Dessiner une application ou un service avant de le construire."),
    ("workshop", "Atelier : financer son projet dans le quartier", at(10), at(11), "Salle 3",
     "Chargée d'accompagnement Cités Lab", 15, "Aides, prêts d'honneur, réseaux d'accompagnement."),
    ("testimonial", "Témoignages d'entrepreneurs", at(11), at(12), "Grande salle",
     "La CEO de BE SMART EDU ; deux créateurs d'entreprise des quartiers", None,
     "BE SMART EDU : un univers de classes interactives pour réduire les inégalités d'accès à la "
     "formation entre quartiers prioritaires et métropoles, des lycéens qui préparent le "
     "baccalauréat aux candidats aux concours des grandes écoles."),
    ("break", "Déjeuner", at(12), at(13), "Hall", "", None, ""),
    ("talk", "Lancement du hackathon et formation des équipes", at(13), at(13, 15), "Grande salle", "", None,
     "Une équipe par défi retenu."),
    ("sprint", "Hackathon : trois heures pour un défi", at(13, 15), at(16, 15), "Plateau", "", None,
     "Chaque équipe travaille sur son défi, accompagnée par les mentors."),
    ("break", "Pause", at(16, 15), at(16, 30), "Hall", "", None, ""),
    ("pitches", "Pitchs des équipes", at(16, 30), at(17, 30), "Grande salle", "L'orateur de chaque équipe", None,
     "Chaque équipe présente son défi et son projet au public et au jury."),
    ("deliberation", "Délibération du jury", at(17, 30), at(18), "Salle du jury", "Le jury", None, ""),
    ("awards", "Remise des prix", at(18), at(18, 30), "Grande salle", "", None, "Premier prix et prix du public."),
]

FIRST_NAMES = [
    "Camille", "Inès", "Yanis", "Léa", "Mohamed", "Chloé", "Kevin", "Sarah", "Lucas", "Aïcha", "Théo",
    "Manon", "Karim", "Julie", "Mamadou", "Emma", "Rayan", "Océane", "Nicolas", "Fatou", "Hugo",
    "Amina", "Maxime", "Lina", "Bilal", "Pauline", "Dylan", "Nora", "Antoine", "Salomé", "Sofiane",
    "Marie", "Enzo", "Yasmine", "Quentin", "Anaïs", "Ibrahim", "Laura", "Mathis", "Kenza",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Haddad", "Lefebvre", "Diallo", "Moreau", "Benali", "Leroy", "Traoré",
    "Roux", "Nguyen", "Fournier", "Mercier", "Cissé", "Girard", "Bonnet", "Lambert", "Rousseau", "Da Silva",
    "Fontaine", "Chevalier", "Kaci", "Garnier", "Boyer", "Morel", "Sow", "Caron", "Perrin", "Masson",
]
NEIGHBOURHOODS = [
    "Etouvie", "Amiens Nord", "Pierre Rollin", "Philéas Lebesgue", "Marcel Pagnol", "Elbeuf",
    "Condorcet", "Saint-Leu", "Salamandre", "Victorine Autier", "80000", "80080", "80090", "80330",
]
# Weights give the mix of the reference day: many pupils, job seekers and residents.
STATUSES = [("pupil", 12), ("student", 8), ("job_seeker", 12), ("employee", 7), ("entrepreneur", 8),
            ("resident", 10), ("other", 3)]
AGE_FOR_STATUS = {
    "pupil": ["u18", "18-25"], "student": ["18-25"], "job_seeker": ["18-25", "26-35", "36-50", "51-64"],
    "employee": ["26-35", "36-50", "51-64"], "entrepreneur": ["26-35", "36-50"],
    "resident": ["26-35", "36-50", "51-64", "65+"], "other": ["36-50", "65+"],
}
SKILLS = ["digital", "design", "communication", "project", "field", "writing"]
THEMES = ["neighbourhoods", "digital", "employment", "youth", "culture", "entrepreneurship", "environment", "health"]
ACCESSIBILITY = ["Fauteuil roulant : besoin d'une table accessible", "Malentendant : merci de parler face à moi",
                 "Besoin de documents en gros caractères"]

CAPACITY = 60
REGISTRATIONS = 63  # three more than the places: the waiting list is part of the demo


def _people(rng):
    names = set()
    people = []
    while len(people) < REGISTRATIONS - 1:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in names or (first, last) == ("Camille", "Martin"):
            continue
        names.add((first, last))
        people.append((f"{first} {last}", f"{_ascii(first)}.{_ascii(last)}@example.org".lower().replace(" ", "")))
    return people


def _ascii(text):
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _profile(rng):
    status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
    return {
        "status": status,
        "age_band": rng.choice(AGE_FOR_STATUS[status]),
        "neighbourhood": rng.choice(NEIGHBOURHOODS),
        "skills": sorted(rng.sample(SKILLS, rng.choice([1, 1, 2, 2, 3]))),
        "themes": sorted(rng.sample(THEMES, rng.choice([1, 2, 3]))),
        "accessibility_needs": rng.choice(ACCESSIBILITY) if rng.random() < 0.06 else "",
        "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        if rng.random() < 0.6 else "",
    }


def load(*, reset=False, stdout=None):
    """Create the demo: the reference day, its replay in progress, and a next edition.

    - the reference day (8 October 2018) as it ended: every part loaded, results published;
    - the same day replayed today, in the middle of the sprint: teams at work, countdown
      running, announcements, pitch order drawn (the live control room and screen);
    - a next edition with registration open and full, three people on the waiting list.

    Existing demo events are kept (unless `reset`); the replay is rebuilt once its sprint
    is over. Return the reference day.
    """
    from citehack.events.models import Event, Phase

    with transaction.atomic():
        organisation, accounts = _organisation_and_accounts()
        reference = Event.objects.filter(slug=EVENT_SLUG).first()
        if reference is None or reset:
            reference = _build_day(
                slug=EVENT_SLUG, title="Journée Créativité Citoyenne", day=DAY, organisation=organisation,
                accounts=accounts, parts=PARTS,
            )
            _set_phase(reference, _final_phase(PARTS))

        replay = Event.objects.filter(slug=REPLAY_SLUG).first()
        if replay is None or reset or not replay.programme.filter(kind="sprint", ends_at__gt=timezone.now()).exists():
            replay = _build_day(
                slug=REPLAY_SLUG, title="Journée Créativité Citoyenne — rejouée en direct", day=DAY,
                organisation=organisation, accounts=accounts, parts=[p for p in PARTS if p in REPLAY_PARTS],
            )
            _replay_today(replay, accounts)

        if not Event.objects.filter(slug=NEXT_SLUG).exists() or reset:
            next_day = datetime(DAY.year + 9, 10, 8, tzinfo=PARIS)
            _build_day(
                slug=NEXT_SLUG, title="Journée Créativité Citoyenne — prochaine édition", day=next_day,
                organisation=organisation, accounts=accounts, parts=[],
            )
    return reference


def _final_phase(parts):
    """The reference day ends with its results published, as far as the loaded parts go."""
    from citehack.events.models import Phase

    if "citehack.demo.judging" in parts:
        return Phase.RESULTS
    if "citehack.demo.teams" in parts:
        return Phase.TEAM_FORMATION
    return Phase.REGISTRATION


def _organisation_and_accounts():
    from citehack.accounts.models import User
    from citehack.events.models import Organisation

    organisation, _ = Organisation.objects.get_or_create(
        slug="cites-lab-hauts-de-france", defaults={"name": "Cités Lab des Hauts-de-France"}
    )
    accounts = {}
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(email=account.email, name=account.name, password=account.password)
        accounts[account.role] = user
    organisation.organisers.add(accounts["organiser"])
    return organisation, accounts


def _set_phase(event, phase):
    from citehack.events.models import Event

    Event.objects.filter(pk=event.pk).update(phase=phase)
    event.phase = phase


def _build_day(*, slug, title, day, organisation, accounts, parts):
    """One demo event on `day`: programme, about sixty registrations, then the given parts."""
    from citehack.accounts.models import User
    from citehack.events.models import Event, Membership, Phase, ProgrammeItem
    from citehack.registrations.models import Registration, WorkshopSignup

    Event.objects.filter(slug=slug).delete()
    shift = day - DAY
    event = Event.objects.create(
        organisation=organisation,
        slug=slug,
        title=title,
        tagline="Un hackathon citoyen pour relever sept défis des quartiers",
        description=(
            "Dans le cadre de leur labellisation des « 40 ans de la Politique de la ville », les "
            "Cités Lab des Hauts-de-France organisent une journée de « Créativité Citoyenne » à "
            "l'Odyssée d'Amiens.\n\nLe hackathon est le temps fort de la journée : des équipes se "
            "forment, chacune sur un défi choisi en amont par le vote des personnes inscrites. Au bout "
            "de trois heures, l'orateur de chaque équipe présente le projet au public et au jury.\n\n"
            "Ateliers et témoignages d'entrepreneurs complètent le programme."
        ),
        starts_at=at(9) + shift,
        ends_at=at(18, 30) + shift,
        venue="L'Odyssée",
        address="Amiens",
        label="40 ans de la Politique de la ville",
        capacity=CAPACITY,
        phase=Phase.REGISTRATION,
        contact_email="organisation@citeslab.example.org",
    )
    Membership.objects.create(event=event, user=accounts["organiser"], role="organiser")
    Membership.objects.create(event=event, user=accounts["juror"], role="juror")
    items = [
        ProgrammeItem.objects.create(
            event=event, kind=kind, title=item_title, starts_at=start + shift, ends_at=end + shift, room=room,
            speakers=speakers, capacity=capacity, description=description,
        )
        for kind, item_title, start, end, room, speakers, capacity, description in PROGRAMME
    ]

    rng = random.Random(20181008)
    people = [("Camille Martin", accounts["participant"].email), *_people(rng)]
    registered_at = day - timedelta(days=30)
    workshops = [item for item in items if item.capacity]
    for index, (name, email) in enumerate(people):
        user = accounts["participant"] if index == 0 else (
            User.objects.filter(email=email).first() or User.objects.create_user(email=email, name=name)
        )
        confirmed = index < CAPACITY
        when = registered_at + timedelta(hours=7 * index)
        registration = Registration.objects.create(
            event=event, user=user, state="confirmed" if confirmed else "waitlisted",
            waitlisted_at=None if confirmed else when, consent_at=when,
            consent_version="2018-09", source="form", **_profile(rng),
        )
        Registration.objects.filter(pk=registration.pk).update(created_at=when)
        if confirmed:
            Membership.objects.create(event=event, user=user, role="participant")
            if index > 0 and rng.random() < 0.5:
                workshop = rng.choice(workshops)
                if workshop.signups.count() < workshop.capacity:
                    WorkshopSignup.objects.create(item=workshop, registration=registration)
    for part in parts:
        import_module(part).load(event=event, accounts=accounts, rng=random.Random(f"{part}-2018"))
    return event


def _replay_today(event, accounts):
    """Move the replay to today, one hour into the sprint, and set the live day going."""
    from citehack.events.models import Event, Phase, ProgrammeItem

    sprint = event.programme.get(kind="sprint")
    shift = (timezone.now() - timedelta(hours=1)) - sprint.starts_at
    Event.objects.filter(pk=event.pk).update(starts_at=event.starts_at + shift, ends_at=event.ends_at + shift)
    for item in event.programme.all():
        ProgrammeItem.objects.filter(pk=item.pk).update(starts_at=item.starts_at + shift, ends_at=item.ends_at + shift)
    event.refresh_from_db()
    _set_phase(event, Phase.LIVE)
    import_module("citehack.demo.live").load(event=event, accounts=accounts, rng=random.Random("live-2018"))


REPLAY_SLUG = "creativite-citoyenne-en-direct"
NEXT_SLUG = "creativite-citoyenne-prochaine-edition"

# Each capability adds its part of the reference day, in this order, inside the same
# transaction: a module with `load(*, event, accounts, rng)`. The replay in progress takes
# the parts that come before the pitches.
REPLAY_PARTS = {"citehack.demo.challenges", "citehack.demo.teams"}
PARTS = [
    "citehack.demo.challenges",
    "citehack.demo.teams",
    "citehack.demo.audience",
    "citehack.demo.judging",
]


def sign_in_link(email):
    """A fresh single-use sign-in path for a demo account (printed at start)."""
    from citehack.accounts.models import User
    from citehack.accounts.services import create_sign_in_link, sign_in_path

    user = User.objects.get(email=email)
    return sign_in_path(create_sign_in_link(user=user, next_url=f"/e/{EVENT_SLUG}/"))


