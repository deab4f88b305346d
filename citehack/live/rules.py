import rules

from citehack.events.rules import can_manage

rules.add_perm("live.control", can_manage)
