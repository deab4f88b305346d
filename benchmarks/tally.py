"""Benchmark the close of a challenge vote on 1,000,000 approval ballots (PostgreSQL).

(a) From the database: creates a scratch PostgreSQL database, migrates it, opens a vote on
    12 challenges (k = 7, Equal Shares) through the services, COPYs one million online
    ballots into the Ballot table, then times what ``close_vote`` runs to count: the
    GROUP BY aggregation (``selectors.aggregated_profile``) plus the rule
    (``services.tally_vote``). Finally runs the real ``close_vote`` once. The scratch
    database is dropped at the end, whatever happens.
(b) The rule alone on the same aggregated profile, side by side with abcvoting's
    ``equal-shares``; the winners must be the same.

    .venv/bin/python benchmarks/tally.py [--voters N] [--repeat R] [--database-url URL]

The ballots come from benchmarks/tally_rule.py's generator (seeded power-law popularity
with a 35 % bloc). The last line is one JSON object with at least ``db_seconds``,
``rule_seconds``, ``abcvoting_seconds`` and ``same_winners``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tally_rule import aggregate, best_of, generate  # noqa: E402

CHALLENGES = 12
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def scratch_database(admin_url):
    """Create a scratch database; return its URL and a function that drops it."""
    import psycopg
    from psycopg import sql

    name = f"citehack_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}", drop


def set_up_vote(seats):
    """An event in the vote phase with 12 accepted challenges and the vote open."""
    from datetime import timedelta

    from django.utils import timezone

    from citehack.accounts.models import User
    from citehack.challenges import services
    from citehack.challenges.models import Challenge
    from citehack.events.models import Event, Membership, Organisation, Phase

    organiser = User.objects.create_user(email="bench@example.org", name="Bench")
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        organisation=organisation, title="Bench", slug="bench", starts_at=start, ends_at=start + timedelta(hours=8),
        phase=Phase.CHALLENGE_VOTE,
    )
    Membership.objects.create(event=event, user=organiser, role="organiser")
    for i in range(CHALLENGES):
        Challenge.objects.create(
            event=event, title=f"Défi {i + 1}", problem="p", affected="a", outcome="o", status="accepted",
        )
    services.configure_vote(actor=organiser, event=event, seats=seats, ballot_kind="approval", rule="equal-shares")
    vote = services.open_vote(actor=organiser, event=event)
    return organiser, event, vote


def copy_ballots(vote, masks):
    """COPY one online ballot per row of `masks` (bit c = approves challenge C<c+1>)."""
    from django.db import connection

    from citehack.challenges.models import Ballot

    codes = [f"C{c + 1}" for c in range(CHALLENGES)]
    distinct = np.unique(masks)
    content = {
        int(m): json.dumps([codes[c] for c in range(CHALLENGES) if int(m) >> c & 1], separators=(",", ":"))
        for m in distinct
    }
    n = len(masks)
    ids = os.urandom(16 * n).hex()
    keys = os.urandom(32 * n).hex()
    table = Ballot._meta.db_table
    chunk = 100_000
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(f"COPY {table} (id, vote_id, content, count, source, voter_key) FROM STDIN") as copy:
            for start in range(0, n, chunk):
                buffer = io.StringIO()
                for i in range(start, min(start + chunk, n)):
                    buffer.write(
                        f"{ids[32 * i:32 * i + 32]}\t{vote.pk}\t{content[int(masks[i])]}\t1\tonline\t{keys[64 * i:64 * i + 64]}\n"
                    )
                copy.write(buffer.getvalue())
        cursor.execute(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--seats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
                        help="a PostgreSQL database to create the scratch database from")
    args = parser.parse_args()

    url, drop = scratch_database(args.database_url)
    try:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("CITEHACK_DATA_DIR", tempfile.mkdtemp(prefix="citehack-bench-"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "citehack.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        figures = run(args)
        connection.close()
    finally:
        from django.db import connections

        connections.close_all()
        drop()

    print(f"{args.voters:,} approval ballots over {CHALLENGES} challenges, k = {args.seats}, equal-shares")
    print(f"insert (COPY + ANALYZE): {figures['insert_seconds']:.2f} s")
    print(
        f"(a) database: aggregation {figures['aggregate_seconds']:.3f} s + rule = {figures['db_seconds']:.3f} s "
        f"(best of {args.repeat}; first run {figures['db_first_seconds']:.3f} s); the whole close_vote: "
        f"{figures['close_seconds']:.3f} s"
    )
    print(
        f"(b) rule alone on {figures['distinct_ballots']:,} distinct ballots: citehack {figures['rule_seconds']:.4f} s, "
        f"abcvoting {figures['abcvoting_seconds']:.4f} s; same winners: {figures['same_winners']}"
    )
    print(f"winners: {', '.join(figures['winners'])}")
    print(json.dumps(figures))


def run(args):
    from django.db import transaction

    from citehack.challenges import selectors, services
    from citehack.challenges.tally import tally

    organiser, event, vote = set_up_vote(args.seats)
    approvals = generate(args.voters, args.seed)
    masks = approvals @ (1 << np.arange(CHALLENGES))

    start = time.perf_counter()
    copy_ballots(vote, masks)
    insert_seconds = time.perf_counter() - start

    times, aggregate_times = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        with transaction.atomic():
            profile = selectors.aggregated_profile(vote)
            aggregate_times.append(time.perf_counter() - start)
            result = services.tally_vote(vote, profile)
        times.append(time.perf_counter() - start)

    start = time.perf_counter()
    closed = services.close_vote(actor=organiser, event=event)
    close_seconds = time.perf_counter() - start
    assert closed.result["winners"] == result.winners
    assert closed.result["ballots"] == args.voters

    # (b) The rule alone, on the same aggregated profile, against abcvoting.
    codes = [f"C{c + 1}" for c in range(CHALLENGES)]
    ballots = [(frozenset(content), n) for content, n in profile]
    rule_seconds, ours = best_of(
        args.repeat, lambda: tally("equal-shares", codes, ballots, args.seats, seed=vote.seed)
    )
    from abcvoting import abcrules
    from abcvoting.preferences import Profile, Voter

    abc_profile = Profile(num_cand=CHALLENGES, cand_names=codes)
    abc_profile.add_voters([Voter([codes.index(c) for c in content], weight=n) for content, n in profile])
    abc_seconds, committees = best_of(
        args.repeat, lambda: abcrules.compute("equal-shares", abc_profile, args.seats, resolute=True)
    )
    reference = {codes[c] for c in committees[0]}
    # Cross-check: the database's aggregation is numpy's.
    masks_distinct, _counts = aggregate(approvals)
    return {
        "voters": args.voters,
        "distinct_ballots": len(profile),
        "distinct_ballots_numpy": len(masks_distinct),
        "seats": args.seats,
        "insert_seconds": round(insert_seconds, 2),
        "aggregate_seconds": round(min(aggregate_times), 3),
        "db_seconds": round(min(times), 3),
        "db_first_seconds": round(times[0], 3),
        "close_seconds": round(close_seconds, 3),
        "rule_seconds": round(rule_seconds, 4),
        "abcvoting_seconds": round(abc_seconds, 4),
        "same_winners": set(ours.winners) == reference == set(result.winners),
        "winners": result.winners,
        "ties": len(result.ties),
    }


if __name__ == "__main__":
    main()
