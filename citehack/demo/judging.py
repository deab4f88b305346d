"""The reference day's jury: five jurors, the default rubric, seven pitches scored, the prizes.

The jury (fictional people) is the demo juror account, Paul Lefèvre, president of the jury,
and four others; one of them knows a member of a team and declares the conflict, so the
design is not quite complete, as on a real day. Every juror scores every other pitch on the
default rubric (in French) and submits; the scores are drawn from the demo's seeded
generator around a quality per challenge, each juror with their own severity, so that the
figures look like a real jury's. The jury gives the first prize to the team of challenge
n°2, « Démocratisation du numérique », as on the day, then the second and third prizes to
the next teams of the raw ranking. When the audience vote's result is there (its demo part
loaded before this one), the audience prize is decided from it. Everything is revealed and
the results are published.

Everything goes through the services; scoring needs the event in a judging phase, set for
the load and put back afterwards, and the times are then moved back to the day.
"""

from datetime import timedelta
from decimal import Decimal

JURORS = [
    # (e-mail, name, severity): a severe juror scores lower across the board.
    (None, "Paul Lefèvre", 0.0),
    ("samia.haddou@jury.example.org", "Samia Haddou", -0.5),
    ("jean-marc.delattre@jury.example.org", "Jean-Marc Delattre", 0.3),
    ("claire.vasseur@jury.example.org", "Claire Vasseur", -0.2),
    ("moussa.keita@jury.example.org", "Moussa Keita", 0.5),
]
CONFLICT = ("moussa.keita@jury.example.org", 5, "Un membre de l'équipe est mon voisin et je l'accompagne dans son projet.")
# Quality of each pitch, by challenge number, on the 1-5 scale.
QUALITY = {1: 3.7, 2: 4.4, 3: 3.5, 4: 3.1, 5: 3.3, 6: 2.9, 7: 2.6}
NOISE = 0.55

RUBRIC = [
    ("Pertinence au regard du défi", "Le projet répond-il au défi tel qu'il a été posé ?", 2),
    ("Innovation", "L'idée est-elle nouvelle, ou une idée connue mise ici à un nouvel usage ?", 1),
    ("Faisabilité", "L'équipe, ou un partenaire du territoire, pourrait-elle vraiment la mener avec les moyens disponibles ?", 1),
    ("Impact pour le quartier", "Changerait-elle quelque chose pour les personnes concernées, et pour combien ?", 2),
    ("Qualité du pitch", "La présentation était-elle claire, convaincante et dans le temps ?", 1),
]
LABELS = {"1": "Faible", "2": "Passable", "3": "Bien", "4": "Très bien", "5": "Excellent"}
COMMENTS = {
    2: "Très concret : le minibus répond à un vrai besoin, et les jeunes en service civique sont une belle idée.",
    1: "Bonne idée pour les rez-de-chaussée, il manque un porteur identifié.",
    3: "Le parrainage existe déjà ailleurs, mais l'ancrage local est convaincant.",
    5: "Chaleureux, simple à lancer dès le mois prochain.",
    7: "Le sujet compte beaucoup pour les familles ; le projet reste à construire.",
}
# The jury's rationales, by challenge number; another team on the podium gets the last one.
RATIONALES = {
    2: ("Le jury a été unanime sur la pertinence et l'impact : le « point numérique » itinérant va au-devant "
        "des habitants éloignés du numérique, s'appuie sur des partenaires déjà présents dans les quartiers "
        "et peut être essayé dès le printemps. C'est exactement l'esprit de la démocratisation du numérique."),
    1: "Une idée simple et concrète pour faire revivre les pieds d'immeubles, avec des partenaires à convaincre.",
    3: "Un projet solide pour recréer du lien avec les employeurs, que le jury encourage à poursuivre.",
    None: "Parmi les mieux notés par les jurés : un projet que le jury encourage à poursuivre avec les partenaires du quartier.",
}


def _person(email, name):
    from citehack.accounts.models import User

    return User.objects.filter(email=email).first() or User.objects.create_user(email=email, name=name)


def _score(rng, quality, severity):
    return max(1, min(5, round(quality + severity + rng.gauss(0, NOISE))))


def load(*, event, accounts, rng):
    from django.apps import apps

    from citehack.core.models import AuditEntry
    from citehack.demo import at
    from citehack.events.models import Event, Membership, Phase, Role
    from citehack.judging import aggregation as agg
    from citehack.judging import selectors, services
    from citehack.judging.models import (
        Conflict, Decision, JudgingSession, Juror, PrizeKind, RevealState, Score, Scorecard,
    )
    from citehack.teams.models import Team

    teams = {team.challenge.number: team for team in Team.objects.filter(event=event, published_at__isnull=False)
             .select_related("challenge") if team.challenge_id}
    if len(teams) < 3 or 2 not in teams:
        return
    organiser = accounts["organiser"]
    phase = event.phase
    Event.objects.filter(pk=event.pk).update(phase=Phase.JUDGING)
    event.phase = Phase.JUDGING

    jurors = []
    for email, name, severity in JURORS:
        user = accounts["juror"] if email is None else _person(email, name)
        Membership.objects.get_or_create(event=event, user=user, role=Role.JUROR)
        jurors.append((user, severity))
    president = accounts["juror"]
    for user, _severity in jurors:
        Juror.objects.update_or_create(event=event, user=user, defaults={"invited_at": at(9) - timedelta(days=10)})
    services.set_president(actor=organiser, juror=Juror.objects.get(event=event, user=president), president=True)

    rubric = [
        services.save_criterion(actor=organiser, event=event, name=name, description=description, scale_min=1,
                                scale_max=5, labels=dict(LABELS), weight=Decimal(weight), counted=True, order=order)
        for order, (name, description, weight) in enumerate(RUBRIC, start=1)
    ]
    services.open_scoring(actor=organiser, event=event, tiebreak_method="zscore")

    conflict_email, conflict_number, reason = CONFLICT
    by_email = {user.email: user for user, _ in jurors}
    services.declare_conflict(actor=by_email[conflict_email], event=event, team=teams[conflict_number], reason=reason)
    for index, (user, severity) in enumerate(jurors):
        for number, team in sorted(teams.items()):
            if (user.email, number) == (conflict_email, conflict_number):
                continue
            values = {c.pk: _score(rng, QUALITY.get(number, 3.0), severity) for c in rubric}
            comment = COMMENTS.get(number) if index == number % len(jurors) else None
            services.save_scorecard(actor=user, event=event, team=team, values=values, comment=comment)
        services.submit_scores(actor=user, event=event)
    services.close_scoring(actor=organiser, event=event)

    # The jury follows challenge n°2 for the first prize, then the raw ranking for the others.
    ranking = [row["team"] for row in selectors.deliberation(event, resamples=0).ranking(agg.MEAN)]
    podium = [teams[2], *[team for team in ranking if team != teams[2]][:2]]
    prizes = []
    for order, (name, team) in enumerate(zip(["Premier prix", "Deuxième prix", "Troisième prix"], podium), start=1):
        prize = services.save_prize(actor=organiser, event=event, name=name, kind=PrizeKind.JURY, order=order,
                                    description="Prix du jury" if order > 1 else "Le prix du jury de la journée")
        rationale = RATIONALES.get(team.challenge.number, RATIONALES[None])
        services.record_decision(actor=president, prize=prize, team=team, rationale=rationale)
        prizes.append(prize)

    audience = selectors.audience_results(event) if apps.is_installed("citehack.audience") else []
    if audience:
        prize = services.save_prize(actor=organiser, event=event, name="Prix du public", kind=PrizeKind.AUDIENCE, order=1,
                                    description="Voté par la salle depuis les téléphones")
        top = audience[0]
        services.record_decision(
            actor=organiser, prize=prize, team=top["team"],
            rationale=f"Le plus de voix du public : {top['votes']}.",
            figures={"poll": [{"team": r["team"].pk, "votes": r["votes"], "weight": r["weight"]} for r in audience]},
        )
        prizes.append(prize)
    while services.next_to_reveal(event) is not None:
        services.reveal_next(actor=organiser, event=event)
    services.publish_results(actor=organiser, event=event)

    Event.objects.filter(pk=event.pk).update(phase=phase)
    event.phase = phase

    # Put the story back in time: pitches from 16:30, deliberation at 17:30, awards at 18:00.
    opened, closed = at(16, 30), at(17, 35)
    JudgingSession.objects.filter(event=event).update(
        opened_at=opened, tiebreak_declared_at=opened, closed_at=closed, results_published_at=at(18, 25),
    )
    for index, (user, _severity) in enumerate(jurors):
        Juror.objects.filter(event=event, user=user).update(submitted_at=at(17, 25) + timedelta(minutes=index))
    order = sorted(teams)
    for card in Scorecard.objects.filter(event=event).select_related("team__challenge"):
        when = at(16, 38) + timedelta(minutes=8 * order.index(card.team.challenge.number))
        Scorecard.objects.filter(pk=card.pk).update(created_at=when, updated_at=when)
        Score.objects.filter(card=card).update(updated_at=when)
    Conflict.objects.filter(event=event).update(declared_at=at(16, 20))
    for index, prize in enumerate(prizes):
        Decision.objects.filter(prize=prize).update(decided_at=at(17, 50) + timedelta(minutes=index))
    RevealState.objects.filter(event=event).update(updated_at=at(18, 20))
    entries = AuditEntry.objects.filter(event=event, action__startswith="judging.")
    entries.filter(action__in=["judging.criterion.create", "judging.juror.president"]).update(created_at=at(9) - timedelta(days=2))
    entries.filter(action="judging.open").update(created_at=opened)
    entries.filter(action__in=["judging.score", "judging.submit", "judging.conflict.declare"]).update(created_at=at(17, 20))
    entries.filter(action="judging.close").update(created_at=closed)
    entries.filter(action__in=["judging.prize.create", "judging.decision"]).update(created_at=at(17, 50))
    entries.filter(action="judging.reveal").update(created_at=at(18, 20))
    entries.filter(action="judging.results.publish").update(created_at=at(18, 25))
