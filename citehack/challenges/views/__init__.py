"""Challenge pages: the public list and proposals, the ballot, the results, the organiser's pages."""

from .manage import (
    manage_accept, manage_list, manage_merge, manage_reject, paper, paper_remove, turnout, vote_close, vote_open,
    vote_setup,
)
from .public import ballot, ballots_csv, challenge_list, propose, results

__all__ = [
    "ballot", "ballots_csv", "challenge_list", "manage_accept", "manage_list", "manage_merge", "manage_reject",
    "paper", "paper_remove", "propose", "results", "turnout", "vote_close", "vote_open", "vote_setup",
]
