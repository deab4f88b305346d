"""Who may do what with the audience vote. Voting needs no permission: the audience has no
account; who may vote (a phone, a checked-in participant) is the poll's eligibility, checked
by the vote view and the services."""

import rules

from citehack.events.rules import can_manage

rules.add_perm("audience.manage", can_manage)
