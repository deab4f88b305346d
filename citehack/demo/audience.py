"""The reference day's audience vote: 152 phones in the room, changed minds, closed after the pitches.

One vote per phone, as a room without accounts votes. The room liked « La table du monde »
(team n°5) best, the jury's winner n°2 close behind; nine people changed their mind before
the close. Votes go through the services (the same upsert as the phones); the times are then
moved back to the day: opened at 17:32 after the last pitch, closed at 17:50.
"""

from datetime import timedelta

# How much the room liked each team, by number.
APPEAL = {1: 0.9, 2: 1.3, 3: 0.8, 4: 1.0, 5: 1.45, 6: 0.75, 7: 0.6}
VOTERS = 152
CHANGES = 9


def load(*, event, accounts, rng):
    from citehack.audience import identity, services
    from citehack.audience.models import Poll, Vote, VoterKind
    from citehack.core.models import AuditEntry
    from citehack.demo import at
    from citehack.teams.models import Team

    teams = list(Team.objects.filter(event=event, published_at__isnull=False).order_by("number"))
    if not teams:
        return
    organiser = accounts["organiser"]
    services.configure_poll(actor=organiser, event=event, title="Prix du public", eligibility="device")
    poll = services.open_poll(actor=organiser, event=event)
    opened, closed = at(17, 32), at(17, 50)
    weights = [APPEAL.get(team.number, 0.8) for team in teams]
    # Each team's share of the room, with a little noise, then the phones in a random order.
    shares = [VOTERS * weight / sum(weights) + rng.uniform(-1.5, 1.5) for weight in weights]
    counts = [int(share) for share in shares]
    for index in sorted(range(len(teams)), key=lambda i: counts[i] - shares[i])[: VOTERS - sum(counts)]:
        counts[index] += 1
    choices = [team for team, count in zip(teams, counts) for _ in range(count)]
    rng.shuffle(choices)
    voters = []
    for team in choices:
        voter = identity.device_key(identity.new_token())
        services.cast_vote(poll_id=poll.pk, team_id=team.pk, voter=voter, kind=VoterKind.DEVICE)
        voters.append(voter)
    # Some change their mind, between the two favourites, which keeps the totals.
    favourites = sorted(teams, key=lambda team: -APPEAL.get(team.number, 0.8))[:2]
    by_team = {team.pk: [i for i, chosen in enumerate(choices) if chosen.pk == team.pk] for team in favourites}
    changed = set()
    for step in range(CHANGES):
        source, target = (favourites[0], favourites[1]) if step % 2 == 0 else (favourites[1], favourites[0])
        index = rng.choice([i for i in by_team[source.pk] if i not in changed])
        changed.add(index)
        services.cast_vote(poll_id=poll.pk, team_id=target.pk, voter=voters[index], kind=VoterKind.DEVICE)
    poll = services.close_poll(actor=organiser, event=event)

    # Back to the day: most phones vote in the first minutes, a few wait for the last call.
    span = (closed - opened).total_seconds()
    for index, voter in enumerate(voters):
        first = opened + timedelta(seconds=span * min(rng.expovariate(4.0), 0.95))
        last = first + timedelta(seconds=rng.uniform(20, 240)) if index in changed else first
        Vote.objects.filter(poll=poll, voter=voter).update(created_at=first, updated_at=min(last, closed))
    configured = opened - timedelta(hours=9)
    Poll.objects.filter(pk=poll.pk).update(opened_at=opened, closed_at=closed, created_at=configured, updated_at=closed)
    for action, when in (("audience.configure", configured), ("audience.open", opened), ("audience.close", closed)):
        AuditEntry.objects.filter(event=event, action=action).update(created_at=when)
