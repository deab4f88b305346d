"""Who may do what with challenges, as named predicates over (user, event).

These say who; when (the phase, the state of the vote) is the services' business, so that a
refusal can say why in words.
"""

import rules

from citehack.events.rules import can_manage


@rules.predicate
def is_confirmed_participant(user, event):
    """A person whose registration to `event` is confirmed (not waitlisted, not cancelled)."""
    if event is None or not user.is_authenticated:
        return False
    return event.registrations.filter(user=user, state="confirmed").exists()


rules.add_perm("challenges.propose", can_manage | is_confirmed_participant)
rules.add_perm("challenges.moderate", can_manage)
rules.add_perm("challenges.vote", is_confirmed_participant)
