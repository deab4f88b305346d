"""The replay of the reference day, in progress: one hour into the three-hour sprint.

The control room has moved to the sprint (which starts the countdown), an hour has been
taken off so that two remain, two announcements are on the screens and the pitch order is
drawn from a published seed. Everything goes through the control room's services, so the
audit log and "undo" show the same history an organiser would have made.
"""

from django.utils import timezone

PITCH_SEED = "amiens-2018"


def load(*, event, accounts, rng):
    from citehack.live import services
    from citehack.teams.models import Team

    organiser = accounts["organiser"]
    sprint = event.programme.get(kind="sprint")
    services.go_to_item(actor=organiser, event=event, item=sprint)
    left = sprint.ends_at - timezone.now()
    services.extend_timer(actor=organiser, event=event, minutes=round(left.total_seconds() / 60) - 180)
    services.announce(
        actor=organiser, event=event,
        text="Bienvenue ! Les mentors passent dans chaque équipe : levez la main si vous êtes bloqués.",
    )
    services.announce(
        actor=organiser, event=event,
        text="Pensez à enregistrer votre fiche projet : elle se verrouille à la fin du sprint.",
    )
    teams = list(Team.objects.filter(event=event, published_at__isnull=False).values_list("pk", flat=True))
    if teams:
        services.draw_pitch_order(actor=organiser, event=event, team_ids=teams, seed=PITCH_SEED)
    services.set_screen(actor=organiser, event=event, mode="countdown")
