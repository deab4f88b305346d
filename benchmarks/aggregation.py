"""Benchmark jury-score aggregation: accuracy of each method and bootstrap time.

Simulates events of 40 teams and 7 jurors. Every juror has a severity (offset) and a
leniency of spread (scale): a score is ``5 + severity_j + scale_j * 1.5 * quality_t + noise``
on each of three criteria (weights 3, 2, 1), rounded and clipped to 0-10. Each team is
scored by 4 jurors chosen at random, the other 3 being conflicts, so the design is
incomplete. Prints Kendall's tau between each method's scores and the true quality (mean
over the simulated events), the time of `aggregate` and of 1,000 bootstrap resamples per
method, and as its last line one JSON object.

    .venv/bin/python benchmarks/aggregation.py [--events 200] [--seed 2024]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from citehack.judging.aggregation import METHODS, Criterion, Score, aggregate, bootstrap  # noqa: E402

N_TEAMS, N_JURORS, JURORS_PER_TEAM = 40, 7, 4
SEVERITY_SD, LOG_SCALE_SD, QUALITY_SPREAD, NOISE_SD = 1.5, 0.4, 1.5, 1.0
CRITERIA = (
    Criterion("impact", 3, True, 0, 10),
    Criterion("feasibility", 2, True, 0, 10),
    Criterion("clarity", 1, True, 0, 10),
)


def simulate(rng):
    """Return the true quality per team, the scores and the conflicts of one event."""
    quality = rng.normal(size=N_TEAMS)
    severity = rng.normal(0, SEVERITY_SD, N_JURORS)
    scale = np.exp(rng.normal(0, LOG_SCALE_SD, N_JURORS))
    scores, conflicts = [], set()
    for t in range(N_TEAMS):
        team = f"team-{t:02d}"
        scoring = set(rng.choice(N_JURORS, JURORS_PER_TEAM, replace=False).tolist())
        for j in range(N_JURORS):
            juror = f"juror-{j}"
            if j not in scoring:
                conflicts.add((juror, team))
                continue
            for criterion in CRITERIA:
                value = 5 + severity[j] + scale[j] * QUALITY_SPREAD * quality[t] + rng.normal(0, NOISE_SD)
                scores.append(Score(juror, team, criterion.id, float(np.clip(np.rint(value), 0, 10))))
    return {f"team-{t:02d}": q for t, q in enumerate(quality)}, scores, conflicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    taus = {m: [] for m in METHODS}
    aggregate_times = []
    for _ in range(args.events):
        quality, scores, conflicts = simulate(rng)
        start = time.perf_counter()
        result = aggregate(CRITERIA, scores, conflicts)
        aggregate_times.append(time.perf_counter() - start)
        for method in METHODS:
            estimated = result.methods[method].scores
            teams = [t for t in result.teams if estimated[t] is not None]
            tau = kendalltau([quality[t] for t in teams], [estimated[t] for t in teams]).statistic
            taus[method].append(tau)

    boot_times = {}
    for method in METHODS:
        runs = []
        for seed in range(3):
            start = time.perf_counter()
            boot = bootstrap(result, method, resamples=1000, seed=seed)
            runs.append(time.perf_counter() - start)
        boot_times[method] = statistics.median(runs)
        assert abs(sum(i.p_first for i in boot.teams.values()) - 1) < 1e-9

    print(
        f"{args.events} simulated events: {N_TEAMS} teams, {N_JURORS} jurors, "
        f"{JURORS_PER_TEAM} jurors per team (the rest conflicts)"
    )
    print(
        f"severity SD {SEVERITY_SD}, log-scale SD {LOG_SCALE_SD}, quality spread {QUALITY_SPREAD}, "
        f"noise SD {NOISE_SD} per criterion, integer scores 0-10"
    )
    print(f"aggregate (all four methods): median {statistics.median(aggregate_times) * 1000:.1f} ms")
    print("Kendall tau to the true order, mean (5th-95th percentile over events):")
    for method in METHODS:
        values = np.array(taus[method])
        low, high = np.percentile(values, [5, 95])
        print(f"  {method:<13} {values.mean():.3f}  ({low:.3f}-{high:.3f})")
    print("1,000 bootstrap resamples, median of 3 runs:")
    for method in METHODS:
        print(f"  {method:<13} {boot_times[method]:.3f} s")
    figures = {
        "bootstrap_seconds": round(max(boot_times.values()), 4),
        "bootstrap_seconds_by_method": {m: round(s, 4) for m, s in boot_times.items()},
        "aggregate_seconds": round(statistics.median(aggregate_times), 4),
        "tau_mean": round(float(np.mean(taus["mean"])), 4),
        "tau_median": round(float(np.mean(taus["median"])), 4),
        "tau_zscore": round(float(np.mean(taus["zscore"])), 4),
        "tau_offset_scale": round(float(np.mean(taus["offset-scale"])), 4),
        "events": args.events,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
