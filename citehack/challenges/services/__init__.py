"""Every write on challenges and the challenge vote.

Each service runs in one transaction and writes an audit row for anything that changes what
the vote can produce (proposals, moderation, settings, opening, paper ballots, closing). An
online ballot writes no audit row: the row would tie a person to a moment of voting, and the
VoterRecord already says who voted.

Organiser-side services lock the event row, so that moderation, settings, opening and
closing never interleave. A ballot takes a shared lock on the vote row (PostgreSQL): ballots
do not wait for each other, but the close waits for those in flight, and none lands after it.

common.py holds the lock-timeout message, the event lock and the phase rules; proposals.py the
proposals and their moderation; vote.py the vote from its settings to its close.
"""

from .common import Busy, moderation_refusal, proposal_refusal, vote_refusal
from .proposals import accept_challenge, merge_challenge, propose_challenge, reject_challenge
from .vote import (
    add_paper_ballots, ballot_content, cast_ballot, close_vote, configure_vote, open_refusal, open_vote, own_ballot,
    remove_paper_ballots, tally_vote, voter_key,
)

__all__ = [
    "Busy", "accept_challenge", "add_paper_ballots", "ballot_content", "cast_ballot", "close_vote", "configure_vote",
    "merge_challenge", "moderation_refusal", "open_refusal", "open_vote", "own_ballot", "proposal_refusal",
    "propose_challenge", "reject_challenge", "remove_paper_ballots", "tally_vote", "vote_refusal", "voter_key",
]
