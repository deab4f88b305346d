"""The reference day's jury in the demo: five jurors, seven pitches scored, the first prize to n°2."""

import pytest
from django.core import mail
from django.urls import reverse

from citehack import demo
from citehack.events.models import Membership
from citehack.judging.models import Conflict, Criterion, JudgingSession, Juror, Prize, RevealState, Scorecard
from citehack.judging.screen import reveal_provider

pytestmark = pytest.mark.django_db


def test_the_reference_days_jury(client):
    """One load (it takes seconds), every check of the demo's jury."""
    event = demo.load()

    jurors = Membership.objects.filter(event=event, role="juror").select_related("user")
    assert jurors.count() == 5
    assert "jury@citeslab.example.org" in {m.user.email for m in jurors}
    assert Juror.objects.get(event=event, user__email="jury@citeslab.example.org").president
    assert Criterion.objects.filter(event=event).count() == 5
    assert Conflict.objects.filter(event=event).count() == 1
    assert Scorecard.objects.filter(event=event).count() == 5 * 7 - 1
    assert all(card.scores.count() == 5 for card in Scorecard.objects.filter(event=event))
    assert not Juror.objects.filter(event=event, submitted_at__isnull=True).exists()
    session = JudgingSession.objects.get(event=event)
    assert session.state == "closed" and session.results_published

    first = Prize.objects.get(event=event, kind="jury", order=1)
    decision = first.decisions.get()
    assert decision.team.challenge.number == 2
    assert "Démocratisation du numérique" in decision.team.challenge.title
    assert "numérique" in decision.rationale and decision.decided_by.email == "jury@citeslab.example.org"
    assert Prize.objects.filter(event=event, kind="jury").count() == 3
    assert all(prize.decisions.exists() for prize in Prize.objects.filter(event=event))

    revealed = RevealState.objects.get(event=event).revealed
    assert len(revealed) == Prize.objects.filter(event=event).count()
    shown = reveal_provider(event)["revealed"]
    assert [entry["prize"] for entry in shown][:3] == ["Troisième prix", "Deuxième prix", "Premier prix"]

    page = client.get(reverse("judging:results", args=[event.slug]))
    assert page.status_code == 200 and "Démocratisation du numérique" in page.content.decode()
    assert not mail.outbox
