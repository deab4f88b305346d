"""The entry point: check the input, run the rule, name the result."""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Sequence

from .approval import _approval_voting, _equal_shares, _sequential_phragmen
from .profiles import _approval_profile, _check_candidates, _ranking_profile
from .ranked import _schulze, _scottish_stv
from .result import DEFAULT_SEED, RULES, TallyError, TallyResult
from .ties import _Ties, seed_commitment, tie_break_order


def tally(
    rule: str,
    candidates: Sequence[Hashable],
    ballots: Iterable[tuple[object, int]],
    seats: int,
    *,
    seed: str = DEFAULT_SEED,
    ballot_kind: str | None = None,
) -> TallyResult:
    """Elect ``seats`` of ``candidates`` with ``rule`` on weighted ballots.

    ``ballots`` holds ``(ballot, weight)`` pairs; identical ballots may be repeated or
    aggregated, the result is the same. ``ballot_kind``, when given, must match the rule.
    When 1 <= seats <= len(candidates) the winners are exactly ``seats`` distinct
    candidates. Raise TallyError on any invalid input.
    """
    info = RULES.get(rule)
    if info is None:
        raise TallyError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if ballot_kind is not None and ballot_kind != info.ballot:
        raise TallyError(f"rule {rule!r} takes {info.ballot} ballots, not {ballot_kind} ballots")
    if not isinstance(seed, str):
        raise TallyError("the seed must be a string")
    candidates = list(candidates)
    _check_candidates(candidates)
    if isinstance(seats, bool) or not isinstance(seats, numbers.Integral):
        raise TallyError("the number of seats must be an integer")
    seats = int(seats)
    if not 1 <= seats <= len(candidates):
        raise TallyError(
            f"seats must be between 1 and {len(candidates)} (the number of candidates), got {seats}"
        )

    index = {c: i for i, c in enumerate(candidates)}
    if info.ballot == "approval":
        profile = _approval_profile(ballots, index)
    else:
        profile = _ranking_profile(ballots, index, allow_equal_ranks=rule != "stv")
    if not profile:
        raise TallyError("there are no ballots")

    order = tie_break_order(seed, candidates)
    ties = _Ties(candidates, [index[c] for c in order])
    m = len(candidates)
    if rule == "av":
        winners, counts, details = _approval_voting(profile, m, seats, ties)
    elif rule == "seqphragmen":
        winners, counts, details = _sequential_phragmen(profile, m, seats, ties)
    elif rule == "equal-shares":
        winners, counts, details = _equal_shares(profile, m, seats, ties)
    elif rule == "schulze":
        winners, counts, details = _schulze(profile, m, seats, ties)
    else:
        winners, counts, details = _scottish_stv(profile, m, seats, ties)
    assert len(set(winners)) == seats, "a rule returned the wrong number of winners"

    details["tie_break_order"] = order
    return TallyResult(
        rule=rule,
        version=info.version,
        seats=seats,
        candidates=candidates,
        winners=[candidates[c] for c in winners],
        ballots=sum(profile.values()),
        counts={candidates[c]: counts[c] for c in range(m)},
        ties=ties.records,
        details=ties.name(details),
        seed=seed,
        seed_hash=seed_commitment(seed),
    )
