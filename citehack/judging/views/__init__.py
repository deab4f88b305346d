"""The jury's pages: the juror's (phone), the deliberation and decisions, the organiser's, the public results."""

from .deliberation import deliberation, prize, results
from .juror import conflicts, juror_home, score, submit
from .manage import (
    close_scoring, criterion_delete, criterion_edit, juror_president, juror_resend, jurors, open_scoring, overview,
    prize_delete, prize_edit, prizes, publish, reopen_scoring, reveal, reveal_next, reveal_reset, rubric, unpublish,
)

__all__ = [
    "close_scoring", "conflicts", "criterion_delete", "criterion_edit", "deliberation", "juror_home", "juror_president",
    "juror_resend", "jurors", "open_scoring", "overview", "prize", "prize_delete", "prize_edit", "prizes", "publish",
    "reopen_scoring", "results", "reveal", "reveal_next", "reveal_reset", "rubric", "score", "submit", "unpublish",
]
