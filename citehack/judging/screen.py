"""The screen's podium: what the live state shows of the prizes, only as far as revealed."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def reveal_provider(event):
    """{"revealed": [{"prize", "kind", "team", "challenge", "awarded"}, ...]} in reveal order.

    Only what the organiser has revealed: an unrevealed decision never leaves the server.
    Written in the venue's language, whoever's action rebuilt the state.
    """
    from .models import Decision, RevealState

    revealed = RevealState.objects.filter(event=event).values_list("revealed", flat=True).first() or []
    if not revealed:
        return {"revealed": []}
    decisions = {
        d.pk: d
        for d in Decision.objects.filter(pk__in=[entry["decision"] for entry in revealed], prize__event=event)
        .select_related("prize", "team__challenge")
    }
    entries = []
    with translation.override(settings.LANGUAGE_CODE):
        for entry in revealed:
            decision = decisions.get(entry["decision"])
            if decision is None:
                continue
            team = decision.team
            entries.append({
                "prize": decision.prize.name,
                "kind": decision.prize.kind,
                "awarded": team is not None,
                "team": str(team.display_name) if team else _("Not awarded"),
                "challenge": team.challenge.title if team and team.challenge_id else "",
            })
    return {"revealed": entries}
