"""What every judging service shares: the per-event lock and the screen update."""

from django.db import transaction

from ..models import JudgingSession


def locked_session(event):
    """The event's judging session, locked until the transaction ends.

    Every judging write takes this lock first, so that a score and the closing of scoring,
    or a decision and the reveal, never interleave.
    """
    JudgingSession.objects.get_or_create(event=event)
    return JudgingSession.objects.select_for_update().get(event=event)


def bump_screen_after_commit(event):
    """Tell the screens to fetch the state again once this transaction has committed."""

    def bump():
        from citehack.live.services import bump as bump_live

        bump_live(event)

    transaction.on_commit(bump)
