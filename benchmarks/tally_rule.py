"""Benchmark the challenge-vote rule on one million aggregated approval ballots.

Generates 1,000,000 approval ballots over 12 challenges (seeded; popularity falls off as
a power law, and a 35 % bloc has its own favourites), aggregates them with numpy into
distinct ballots and weights, then runs citehack's ``equal-shares`` and abcvoting's on the
same weighted profile. Prints the figures, then one JSON object on the last line.

    python benchmarks/tally_rule.py [--voters N] [--seats K] [--repeat R] [--exact-reference]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from citehack.challenges.tally import tally

CHALLENGES = 12


def generate(voters: int, seed: int) -> np.ndarray:
    """Return a voters x CHALLENGES boolean approval matrix."""
    rng = np.random.default_rng(seed)
    popularity = 0.6 * np.arange(1, CHALLENGES + 1) ** -0.75
    bloc = rng.random(voters) < 0.35
    bloc_popularity = popularity[rng.permutation(CHALLENGES)]
    p = np.where(bloc[:, None], bloc_popularity[None, :], popularity[None, :])
    return rng.random((voters, CHALLENGES)) < p


def aggregate(approvals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct ballots as bit masks and how many voters cast each."""
    masks = approvals @ (1 << np.arange(approvals.shape[1]))
    return np.unique(masks, return_counts=True)


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--seats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    parser.add_argument(
        "--exact-reference",
        action="store_true",
        help="also time abcvoting with exact fractions (slow)",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    approvals = generate(args.voters, args.seed)
    generate_seconds = time.perf_counter() - start
    start = time.perf_counter()
    masks, counts = aggregate(approvals)
    aggregate_seconds = time.perf_counter() - start

    candidates = [f"C{i + 1:02d}" for i in range(CHALLENGES)]
    bits = [[c for c in range(CHALLENGES) if mask >> c & 1] for mask in masks.tolist()]
    ballots = [(frozenset(candidates[c] for c in b), n) for b, n in zip(bits, counts.tolist())]
    rule_seconds, ours = best_of(
        args.repeat, lambda: tally("equal-shares", candidates, ballots, args.seats)
    )

    others = {
        rule: round(best_of(args.repeat, lambda r=rule: tally(r, candidates, ballots, args.seats))[0], 4)
        for rule in ("av", "seqphragmen")
    }

    from abcvoting import abcrules
    from abcvoting.preferences import Profile, Voter

    profile = Profile(num_cand=CHALLENGES, cand_names=candidates)
    profile.add_voters([Voter(b, weight=n) for b, n in zip(bits, counts.tolist())])
    abc_seconds, committees = best_of(
        args.repeat,
        lambda: abcrules.compute("equal-shares", profile, args.seats, resolute=True),
    )
    reference = {candidates[c] for c in committees[0]}
    figures = {
        "voters": args.voters,
        "distinct_ballots": len(masks),
        "seats": args.seats,
        "generate_seconds": round(generate_seconds, 3),
        "aggregate_seconds": round(aggregate_seconds, 3),
        "rule_seconds": round(rule_seconds, 4),
        "abcvoting_seconds": round(abc_seconds, 4),
        "same_winners": set(ours.winners) == reference,
        "winners": ours.winners,
        "ties": len(ours.ties),
        "other_rules_seconds": others,
        "seats_by_equal_shares": sum(r["phase"] == "equal shares" for r in ours.details["rounds"]),
    }
    if args.exact_reference:
        exact_seconds, exact = best_of(
            1,
            lambda: abcrules.compute(
                "equal-shares", profile, args.seats, resolute=True, algorithm="standard-fractions"
            ),
        )
        figures["abcvoting_exact_seconds"] = round(exact_seconds, 3)
        figures["same_winners_as_exact"] = set(ours.winners) == {candidates[c] for c in exact[0]}

    print(f"{args.voters:,} ballots over {CHALLENGES} challenges -> {len(masks):,} distinct ballots")
    print(f"generate {generate_seconds:.3f} s, aggregate (numpy) {aggregate_seconds:.3f} s")
    print(f"citehack equal-shares, k={args.seats}: {rule_seconds:.4f} s (best of {args.repeat})")
    print(f"abcvoting equal-shares (float):  {abc_seconds:.4f} s (best of {args.repeat})")
    print(f"citehack av {others['av']} s, seqphragmen {others['seqphragmen']} s")
    if args.exact_reference:
        print(f"abcvoting equal-shares (exact):  {figures['abcvoting_exact_seconds']:.3f} s")
    print(f"winners: {', '.join(ours.winners)}; identical: {figures['same_winners']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
