"""The rules' declarations, the result of a tally and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

VERSION = "1.0"
DEFAULT_SEED = ""


class TallyError(ValueError):
    """The rule, the seats or the ballots cannot be tallied."""


@dataclass(frozen=True)
class RuleInfo:
    name: str
    ballot: str  # "approval" or "ranking"
    explanation: str
    version: str = VERSION


RULES: dict[str, RuleInfo] = {
    "av": RuleInfo(
        name="Approval voting",
        ballot="approval",
        explanation=(
            "The k challenges with the most approvals are chosen. Simple, but a majority "
            "can take every seat."
        ),
    ),
    "seqphragmen": RuleInfo(
        name="Sequential Phragmén",
        ballot="approval",
        explanation=(
            "Challenges are chosen one at a time. Each chosen challenge puts one unit of "
            "load on its supporters, shared so that their loads are as equal as possible; "
            "the next challenge is the one whose supporters would end with the smallest "
            "maximum load. A group of voters gets seats in proportion to its size."
        ),
    ),
    "equal-shares": RuleInfo(
        name="Method of Equal Shares (with Phragmén completion)",
        ballot="approval",
        explanation=(
            "Every voter receives an equal share of a budget that pays for k challenges. "
            "A challenge is bought when its supporters can pay its price together; the next "
            "one bought is the one where the most any supporter has to pay is smallest. "
            "When no remaining challenge is affordable, the remaining seats are filled by "
            "sequential Phragmén, starting from what each voter has left."
        ),
    ),
    "schulze": RuleInfo(
        name="Schulze",
        ballot="ranking",
        explanation=(
            "Every pair of challenges is compared: how many voters rank one above the "
            "other. A challenge beats another if its strongest chain of pairwise wins to it "
            "is stronger than the strongest chain back. The k best of the resulting ranking "
            "are chosen."
        ),
    ),
    "stv": RuleInfo(
        name="Single transferable vote (Scottish rules)",
        ballot="ranking",
        explanation=(
            "Each ballot counts for its highest-ranked challenge still in the count. A "
            "challenge reaching the quota is chosen and the votes it does not need move on "
            "to the next preferences; when none reaches it, the challenge with the fewest "
            "votes is excluded and its ballots move on."
        ),
    ),
}


@dataclass(frozen=True)
class TallyResult:
    rule: str
    version: str
    seats: int
    candidates: list
    winners: list  # identifiers, in order of selection
    ballots: int  # total weight counted, blank ballots included
    counts: dict  # approvals, or first preferences, per candidate
    ties: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    seed: str = DEFAULT_SEED
    seed_hash: str = ""

    def to_dict(self) -> dict:
        """Return the result as JSON-ready data (fractions become floats)."""
        return _plain(
            {
                "rule": self.rule,
                "version": self.version,
                "seats": self.seats,
                "candidates": self.candidates,
                "winners": self.winners,
                "ballots": self.ballots,
                "counts": self.counts,
                "ties": self.ties,
                "details": self.details,
                "seed": self.seed,
                "seed_hash": self.seed_hash,
            }
        )


def _plain(value):
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
