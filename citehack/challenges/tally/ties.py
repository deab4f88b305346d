"""The seeded tie-break order, its published commitment, and the record of ties broken."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence

SEEDED = "seeded order"
HISTORY = "totals at an earlier stage"


def seed_commitment(seed: str) -> str:
    """Return the SHA-256 hex digest of the seed, to publish before the vote opens."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def tie_break_order(seed: str, candidates: Sequence[Hashable]) -> list:
    """Return the candidates in tie-break priority, first = favoured.

    The order sorts candidates by sha256(seed + ":" + str(candidate)): anyone can
    recompute it once the seed is revealed, and nobody could aim for it beforehand.
    """

    def key(candidate):
        return hashlib.sha256(f"{seed}:{candidate}".encode()).hexdigest()

    return sorted(candidates, key=lambda c: (key(c), str(c)))


# -- ties -------------------------------------------------------------------------------


class _Ties:
    """Seeded tie-breaking and the record of every tie broken."""

    def __init__(self, candidates, order):
        self.candidates = candidates
        self.priority = {c: position for position, c in enumerate(order)}
        self.records: list[dict] = []

    def favoured(self, tied):
        return sorted(tied, key=self.priority.__getitem__)

    def record(self, *, stage, round, tied, chosen, how=SEEDED, value=None):
        entry = {
            "stage": stage,
            "round": round,
            "tied": [self.candidates[c] for c in sorted(tied)],
            "chosen": [self.candidates[c] for c in chosen],
            "how": how,
        }
        if value is not None:
            entry["value"] = value
        self.records.append(entry)

    def pick(self, tied, *, stage, round, value=None):
        """Return the favoured of the tied candidates, recording the tie if there is one."""
        chosen = self.favoured(tied)[0]
        if len(tied) > 1:
            self.record(stage=stage, round=round, tied=tied, chosen=[chosen], value=value)
        return chosen

    def name(self, details):
        """Replace candidate indices, kept in details as _Index, by identifiers."""
        if isinstance(details, _Index):
            return self.candidates[details]
        if isinstance(details, dict):
            return {self.name(k): self.name(v) for k, v in details.items()}
        if isinstance(details, list):
            return [self.name(v) for v in details]
        return details


class _Index(int):
    """A candidate index inside details, to be replaced by the candidate's identifier."""


def _names(cs):
    return [_Index(c) for c in cs]
