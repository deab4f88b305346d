"""Who may do what with the jury's work, as named predicates over (user, event).

These say who; when (scoring open or closed, the juror's own submission, publication) is
for the services and selectors, so that a refusal can say why in words.
"""

import rules

from citehack.core.rules import is_juror
from citehack.events.rules import can_manage


@rules.predicate
def is_jury_president(user, event):
    if event is None or not user.is_authenticated or not is_juror(user, event):
        return False
    from .models import Juror

    return Juror.objects.filter(event=event, user=user, president=True).exists()


rules.add_perm("judging.manage", can_manage)
rules.add_perm("judging.score", is_juror)
rules.add_perm("judging.deliberate", is_juror | can_manage)
rules.add_perm("judging.record_decision", can_manage | is_jury_president)
