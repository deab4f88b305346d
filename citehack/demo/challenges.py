"""The reference day's challenge vote: twelve proposals, about sixty ballots, seven retained.

The seven challenges of shared/seed (Défi n°1 to n°7) are proposed with five others invented
for the demo, each saying so. The participants vote by approval (at most four ticks) and the
Method of Equal Shares retains seven. The ballots are drawn at random, from the demo's
seeded generator, until the count retains the seed's seven in the seed's order, as the
reference day did; the draw is the same on every run.

The services need the event in the challenge-vote phase to open the vote: the phase is set
for the vote and put back as it was afterwards.
"""

from datetime import timedelta

INVENTED = " (défi inventé pour la démonstration)"

# key, title, problem, who is affected, expected outcome, theme. D1..D7 are the seed's
# challenges in its order; X1..X5 are invented. Proposals arrive in the order of this list.
PROPOSALS = [
    ("D2", "Démocratisation du numérique : comment offrir à chacun les opportunités de nouvelles technologies ?",
     "Beaucoup d'habitants n'ont ni ordinateur ni connexion fiable, et les démarches se font désormais en ligne.",
     "Les personnes âgées, les demandeurs d'emploi, les familles sans équipement.",
     "Un service de proximité pour accéder au numérique et apprendre à s'en servir.", "digital"),
    ("D1", "Redynamisation des quartiers : comment rendre nos territoires plus attractifs ?",
     "Les commerces ferment, les rez-de-chaussée restent vides et le quartier a mauvaise réputation.",
     "Les habitants, les commerçants et ceux qui voudraient s'installer.",
     "Des idées pour faire revivre les pieds d'immeubles et donner envie de venir.", "neighbourhoods"),
    ("X1", "Comment rompre l'isolement des personnes âgées dans nos quartiers ?",
     "Des personnes âgées vivent seules et ne sortent presque plus." + INVENTED,
     "Les personnes âgées isolées et leurs voisins.",
     "Un réseau de voisinage simple pour garder le lien.", "health"),
    ("D3", "Quels leviers pour rompre avec l’éloignement à l’emploi et sortir du chômage de longue durée ?",
     "Après des années sans emploi, la confiance et les contacts manquent pour revenir vers le travail.",
     "Les chômeurs de longue durée et les structures qui les accompagnent.",
     "Un outil ou une démarche pour recréer des liens avec les employeurs du territoire.", "employment"),
    ("D4", "Accompagnement des jeunes dans leur parcours de vie : quels nouveaux outils à imaginer ?",
     "Les jeunes ne savent pas vers qui se tourner pour l'orientation, le logement ou la santé.",
     "Les jeunes de 16 à 25 ans des quartiers prioritaires.",
     "Un outil qui rassemble les bons contacts au bon moment.", "youth"),
    ("X2", "Comment faciliter les déplacements entre les quartiers et le centre-ville ?",
     "Le soir et le week-end, les bus sont rares et certains quartiers sont coupés du centre." + INVENTED,
     "Les habitants sans voiture, les jeunes, les salariés en horaires décalés.",
     "Une solution de mobilité partagée entre habitants.", "neighbourhoods"),
    ("D5", "Nos quartiers, ces territoires cosmopolites : quels moyens pour favoriser des échanges interculturels ?",
     "Des habitants de nombreuses origines se côtoient sans vraiment se rencontrer.",
     "Tous les habitants, les associations culturelles.",
     "Des occasions de rencontre et de partage des cultures du quartier.", "culture"),
    ("X3", "Comment réduire et mieux trier les déchets au pied des immeubles ?",
     "Les encombrants s'accumulent et le tri est mal compris." + INVENTED,
     "Les habitants, les gardiens, le bailleur.",
     "Une campagne ou un service pour un quartier plus propre.", "environment"),
    ("D6", "Comment créer un écosystème favorable à l’émergence de projets ?",
     "Des habitants ont des idées d'activité mais ne savent pas par où commencer ni à qui parler.",
     "Les porteurs de projet, les créateurs d'entreprise des quartiers.",
     "Un parcours clair pour passer de l'idée au projet, avec les bons partenaires.", "entrepreneurship"),
    ("X4", "Comment rendre l'accès aux soins plus simple pour les habitants ?",
     "Les médecins sont loin et les rendez-vous difficiles à obtenir." + INVENTED,
     "Les familles, les personnes âgées, les personnes sans médecin traitant.",
     "Un moyen de trouver rapidement un soin près de chez soi.", "health"),
    ("D7", "Comment améliorer les espaces publics de nos quartiers ?",
     "Places et squares sont peu accueillants : peu de bancs, d'ombre ou de jeux.",
     "Les familles, les enfants, les personnes âgées, tous les passants.",
     "Des aménagements imaginés avec les habitants.", "neighbourhoods"),
    ("X5", "Comment donner envie de pratiquer un sport ou une activité culturelle près de chez soi ?",
     "Les activités existent mais restent méconnues ou trop chères." + INVENTED,
     "Les enfants, les adolescents, les adultes qui n'osent pas.",
     "Un moyen de découvrir les activités du quartier et de les essayer.", "culture"),
]
SEED_ORDER = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]
SEATS = 7
MAX_TICKS = 4
VOTERS = 58  # of the 60 confirmed participants
MAX_DRAWS = 5000


def _draw(rng, keys):
    """One profile of VOTERS approval ballots: the seed's challenges are the most popular."""
    rank = {key: i for i, key in enumerate(SEED_ORDER)}
    chance = {key: (0.7 - 0.06 * rank[key]) if key in rank else 0.15 for key in keys}
    ballots = []
    for _ in range(VOTERS):
        ticked = [key for key in keys if rng.random() < chance[key]]
        if not ticked:
            ticked = [rng.choice(SEED_ORDER)]
        if len(ticked) > MAX_TICKS:
            ticked = rng.sample(ticked, MAX_TICKS)
        ballots.append(sorted(ticked))
    return ballots


def draw_ballots(rng):
    """Draw profiles until Equal Shares retains the seed's seven in order, with no tie."""
    from citehack.challenges.tally import tally

    keys = [key for key, *_ in PROPOSALS]
    for _ in range(MAX_DRAWS):
        ballots = _draw(rng, keys)
        result = tally("equal-shares", keys, [(frozenset(b), 1) for b in ballots], SEATS)
        if result.winners == SEED_ORDER and not result.ties:
            return ballots
    raise RuntimeError("no draw retained the seed's challenges in order")  # pragma: no cover


def load(*, event, accounts, rng):
    from citehack.challenges import selectors, services
    from citehack.challenges.models import Challenge, ChallengeVote, VoterRecord
    from citehack.core.models import AuditEntry
    from citehack.demo import DAY
    from citehack.events.models import Event, Phase

    organiser = accounts["organiser"]
    people = [r.user for r in event.registrations.filter(state="confirmed").select_related("user").order_by("created_at", "id")]
    proposers = rng.sample(people[1:], len(PROPOSALS))

    by_key = {}
    for (key, title, problem, affected, outcome, theme), person in zip(PROPOSALS, proposers):
        challenge = services.propose_challenge(
            actor=person, event=event, title=title, problem=problem, affected=affected, outcome=outcome, theme=theme,
        )
        by_key[key] = services.accept_challenge(actor=organiser, challenge=challenge)
    services.configure_vote(
        actor=organiser, event=event, seats=SEATS, ballot_kind="approval", rule="equal-shares", max_approvals=MAX_TICKS,
    )

    phase = event.phase
    Event.objects.filter(pk=event.pk).update(phase=Phase.CHALLENGE_VOTE)
    event.phase = Phase.CHALLENGE_VOTE
    services.open_vote(actor=organiser, event=event)
    codes = dict(Challenge.objects.filter(event=event).values_list("pk", "code"))
    code_of = {key: codes[challenge.pk] for key, challenge in by_key.items()}
    ballots = draw_ballots(rng)
    for person, ballot in zip(rng.sample(people, VOTERS), ballots):
        services.cast_ballot(actor=person, event=event, selection=[code_of[key] for key in ballot])
    services.close_vote(actor=organiser, event=event)
    Event.objects.filter(pk=event.pk).update(phase=phase)
    event.phase = phase

    retained = [challenge.pk for challenge in selectors.retained_challenges(event)]
    if retained != [by_key[key].pk for key in SEED_ORDER]:  # pragma: no cover - draw_ballots checked it
        raise RuntimeError("the demo vote did not retain the seed's challenges in order")

    # Put the story back in time: proposals in September, the vote the week before the day.
    proposed_from = DAY - timedelta(days=35)
    for index, key in enumerate(key for key, *_ in PROPOSALS):
        when = proposed_from + timedelta(days=index, hours=3 * index)
        Challenge.objects.filter(pk=by_key[key].pk).update(created_at=when, updated_at=when)
    opened, closed = DAY - timedelta(days=14), DAY - timedelta(days=4)
    ChallengeVote.objects.filter(event=event).update(opened_at=opened, closed_at=closed, updated_at=closed)
    span = (closed - opened).total_seconds()
    records = list(VoterRecord.objects.filter(vote__event=event).order_by("pk").values_list("pk", flat=True))
    rng.shuffle(records)
    for index, pk in enumerate(records):
        VoterRecord.objects.filter(pk=pk).update(voted_at=opened + timedelta(seconds=span * (index + 0.5) / len(records)))
    entries = AuditEntry.objects.filter(event=event, action__startswith="challenge")
    entries.filter(action="challenge_vote.close").update(created_at=closed)
    entries.filter(action="challenge_vote.open").update(created_at=opened)
    entries.exclude(action__in=["challenge_vote.open", "challenge_vote.close"]).update(created_at=opened - timedelta(days=1))
