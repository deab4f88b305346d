"""Check candidates and weighted ballots, and aggregate them into profiles."""

from __future__ import annotations

import numbers
from collections import defaultdict
from collections.abc import Mapping

from .result import TallyError


def _check_candidates(candidates):
    if not candidates:
        raise TallyError("there are no candidates")
    seen = set()
    for c in candidates:
        if isinstance(c, bool) or not isinstance(c, (str, int)):
            raise TallyError(f"candidate identifiers must be strings or integers, got {c!r}")
        if c == "":
            raise TallyError("a candidate identifier is empty")
        # The tie-break order hashes str(c): two identifiers must not share it.
        if str(c) in seen:
            raise TallyError(f"candidate {c!r} is listed twice")
        seen.add(str(c))


def _weight(weight):
    if isinstance(weight, bool) or not isinstance(weight, numbers.Integral):
        raise TallyError(f"a ballot weight must be a positive integer, got {weight!r}")
    if weight <= 0:
        raise TallyError(f"a ballot weight must be a positive integer, got {weight}")
    return int(weight)


def _pairs(ballots):
    for item in ballots:
        if not isinstance(item, tuple) or len(item) != 2:
            raise TallyError(f"each ballot must be a (ballot, weight) pair, got {item!r}")
        yield item[0], _weight(item[1])


def _candidate(index, c):
    try:
        return index[c]
    except (KeyError, TypeError):
        raise TallyError(f"unknown candidate {c!r} in a ballot") from None


def _approval_profile(ballots, index) -> dict[frozenset, int]:
    profile: dict[frozenset, int] = defaultdict(int)
    for ballot, weight in _pairs(ballots):
        if not isinstance(ballot, (set, frozenset)):
            raise TallyError(
                f"an approval ballot must be a set of candidates, got {type(ballot).__name__}"
                " (rankings go to schulze or stv)"
            )
        profile[frozenset(_candidate(index, c) for c in ballot)] += weight
    return dict(profile)


def _ranking_profile(ballots, index, *, allow_equal_ranks) -> dict[tuple, int]:
    """Aggregate rankings as tuples of tiers (tuples of candidate indices), best first."""
    profile: dict[tuple, int] = defaultdict(int)
    for ballot, weight in _pairs(ballots):
        if isinstance(ballot, Mapping):
            by_rank = defaultdict(list)
            for c, rank in ballot.items():
                if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or rank < 1:
                    raise TallyError(f"rank of {c!r} must be a positive integer, got {rank!r}")
                by_rank[int(rank)].append(_candidate(index, c))
            tiers = tuple(tuple(sorted(by_rank[r])) for r in sorted(by_rank))
        elif isinstance(ballot, (tuple, list)):
            tiers = tuple((_candidate(index, c),) for c in ballot)
            if len(set(tiers)) != len(tiers):
                raise TallyError(f"a ranking lists a candidate twice: {ballot!r}")
        else:
            raise TallyError(
                f"a ranking must be a tuple of candidates or a mapping candidate -> rank, got "
                f"{type(ballot).__name__} (sets of candidates go to av, seqphragmen or equal-shares)"
            )
        if not allow_equal_ranks and any(len(t) > 1 for t in tiers):
            raise TallyError("stv does not accept equal ranks on a ballot")
        profile[tiers] += weight
    return dict(profile)
