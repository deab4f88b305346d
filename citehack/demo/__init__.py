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
    """Create the reference day; do nothing if it exists (unless `reset`). Return the event."""
    from citehack.accounts.models import User
    from citehack.events.models import Event, Membership, Organisation, Phase, ProgrammeItem
    from citehack.registrations.models import Registration, WorkshopSignup

    with transaction.atomic():
        existing = Event.objects.filter(slug=EVENT_SLUG).first()
        if existing and not reset:
            return existing
        if existing:
            existing.delete()

        organisation, _ = Organisation.objects.get_or_create(
            slug="cites-lab-hauts-de-france",
            defaults={"name": "Cités Lab des Hauts-de-France"},
        )
        accounts = {}
        for account in ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                user = User.objects.create_user(email=account.email, name=account.name, password=account.password)
            accounts[account.role] = user
        organisation.organisers.add(accounts["organiser"])

        event = Event.objects.create(
            organisation=organisation,
            slug=EVENT_SLUG,
            title="Journée Créativité Citoyenne",
            tagline="Un hackathon citoyen pour relever sept défis des quartiers",
            description=(
                "Dans le cadre de leur labellisation des « 40 ans de la Politique de la ville », les "
                "Cités Lab des Hauts-de-France organisent une journée de « Créativité Citoyenne » à "
                "l'Odyssée d'Amiens.\n\nLe hackathon est le temps fort de la journée : des équipes se "
                "forment, chacune sur un défi choisi en amont par le vote des personnes inscrites. Au bout "
                "de trois heures, l'orateur de chaque équipe présente le projet au public et au jury.\n\n"
                "Ateliers et témoignages d'entrepreneurs complètent le programme."
            ),
            starts_at=at(9),
            ends_at=at(18, 30),
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
                event=event, kind=kind, title=title, starts_at=start, ends_at=end, room=room,
                speakers=speakers, capacity=capacity, description=description,
            )
            for kind, title, start, end, room, speakers, capacity, description in PROGRAMME
        ]

        rng = random.Random(20181008)
        people = [("Camille Martin", accounts["participant"].email), *_people(rng)]
        registered_at = DAY - timedelta(days=30)
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
        for part in PARTS:
            import_module(part).load(event=event, accounts=accounts, rng=random.Random(f"{part}-2018"))
    return event


# Each capability adds its part of the reference day, in this order, inside the same
# transaction: a module with `load(*, event, accounts, rng)`.
PARTS = [
    "citehack.demo.challenges",
    "citehack.demo.teams",
]


def sign_in_link(email):
    """A fresh single-use sign-in path for a demo account (printed at start)."""
    from citehack.accounts.models import User
    from citehack.accounts.services import create_sign_in_link, sign_in_path

    user = User.objects.get(email=email)
    return sign_in_path(create_sign_in_link(user=user, next_url=f"/e/{EVENT_SLUG}/"))


