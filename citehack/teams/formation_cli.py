"""`citehack teams PEOPLE.csv ...`: form teams from a spreadsheet export, without a server.

PEOPLE.csv holds one person per line: `id`, optional `group` (the same label keeps
people together), `skills` (separated by `;`), optional `status`, `neighbourhood`,
`age_band`; every other column is a challenge and holds that person's rank of it
(1 = first choice, empty = unranked). Ranks must be whole numbers from 1 to the
number of challenges, and one person may not give the same rank to two challenges
(a tie is almost always a typing slip in a ranking form). Exit status: 0 on
success, 2 for a malformed file or options and for settings that cannot be met.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys

from citehack.teams.formation import FormationInfeasible, Person, Settings, form_teams, tradeoffs

KNOWN_COLUMNS = ("id", "group", "skills", "status", "neighbourhood", "age_band")
PAIR = re.compile(r"^\s*([^=]+?)\s*=\s*(-?\d+)\s*$")


class InputError(Exception):
    """A problem in the file or the options; the message names the line or the option."""


def read_people(text: str, *, name: str = "PEOPLE.csv") -> tuple[list[Person], list[str]]:
    """Parse the people file; return the people and the challenge identifiers in column order."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name} is empty") from None
    except csv.Error as exc:
        raise InputError(f"{name}, line 1: {exc}") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError(f"{name} is empty (the first line has no column names)")
    for pos, h in enumerate(header, start=1):
        if not h:
            raise InputError(f"{name}, line 1: column {pos} has no name")
        if header.index(h) != pos - 1:
            raise InputError(f"{name}, line 1: column {h!r} appears twice")
    if "id" not in header:
        raise InputError(f"{name}, line 1: no 'id' column (columns: {', '.join(header)})")
    challenges = [h for h in header if h not in KNOWN_COLUMNS]
    if not challenges:
        raise InputError(
            f"{name}, line 1: no challenge columns (every column other than {', '.join(KNOWN_COLUMNS)} "
            "is a challenge holding the person's rank of it)"
        )
    m = len(challenges)
    people: list[Person] = []
    first_line: dict[str, int] = {}
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"{name}, line {reader.line_num}: {exc}") from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{name}, line {line}: {len(row)} fields but the header has {len(header)}")
        cells = dict(zip(header, (c.strip() for c in row)))
        pid = cells.get("id", "")
        if not pid:
            raise InputError(f"{name}, line {line}: empty id")
        if pid in first_line:
            raise InputError(f"{name}, line {line}: duplicate id {pid!r} (first on line {first_line[pid]})")
        first_line[pid] = line
        ranks: dict[str, int] = {}
        by_rank: dict[int, str] = {}
        for c in challenges:
            raw = cells.get(c, "")
            if not raw:
                continue
            try:
                r = int(raw)
            except ValueError:
                raise InputError(f"{name}, line {line}, column {c}: rank {raw!r} is not a whole number") from None
            if r < 1:
                raise InputError(f"{name}, line {line}, column {c}: rank {r} is below 1 (1 = first choice)")
            if r > m:
                raise InputError(f"{name}, line {line}, column {c}: rank {r} is above the number of challenges ({m})")
            if r in by_rank:
                raise InputError(f"{name}, line {line}: rank {r} given to both {by_rank[r]} and {c}")
            by_rank[r] = c
            ranks[c] = r
        skills = frozenset(s.strip() for s in cells.get("skills", "").split(";") if s.strip())
        people.append(Person(
            id=pid, ranks=ranks, skills=skills, group=cells.get("group") or None,
            status=cells.get("status") or None, neighbourhood=cells.get("neighbourhood") or None,
            age_band=cells.get("age_band") or None,
        ))
    if not people:
        raise InputError(f"{name} has no people (only a header line)")
    return people, challenges


def _pairs(values, option, challenges, *, what="CHALLENGE"):
    out = {}
    for raw in [v for group in values or [] for v in group]:
        match = PAIR.match(raw)
        if not match:
            raise InputError(f"{option} {raw!r}: expected {what}=NUMBER, e.g. {option} C1=3")
        key, number = match.group(1), int(match.group(2))
        if challenges is not None and key not in challenges:
            raise InputError(f"{option} {raw!r}: unknown challenge {key!r} (challenges: {', '.join(challenges)})")
        if number < 0:
            raise InputError(f"{option} {raw!r}: the number must be at least 0")
        if key in out:
            raise InputError(f"{option}: {key} given twice")
        out[key] = number
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="citehack teams",
        description="Form teams from PEOPLE.csv: fewest teams missing a skill, then the best ranks, "
                    "friend groups kept together.",
        epilog="PEOPLE.csv columns: id, optional group (same label = same team), skills (separated by ;), "
               "optional status, neighbourhood, age_band; every other column is a challenge holding the "
               "person's rank of it (1 = first, empty = unranked; whole numbers from 1 to the number of "
               "challenges, no rank given twice by one person). Exit status 2: malformed file or options, "
               "or settings that cannot be met (the message says which bound and by how much).",
    )
    p.add_argument("people", metavar="PEOPLE.csv")
    p.add_argument("--min-size", type=int, required=True, metavar="L", help="minimum team size")
    p.add_argument("--max-size", type=int, required=True, metavar="U", help="maximum team size")
    p.add_argument("--capacity", action="append", nargs="+", metavar="C=N",
                   help="at most N people on challenge C (0 closes it)")
    p.add_argument("--teams-per-challenge", action="append", nargs="+", metavar="C=N",
                   help="exactly N teams on challenge C")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="S", help="solver time limit in seconds")
    p.add_argument("--lock", action="append", nargs="+", metavar="ID=C", help="place person ID on challenge C")
    p.add_argument("--skills", metavar="A;B", help="required skills (default: every skill in the file)")
    p.add_argument("--no-fairness", action="store_true", help="allow ranks worse than R*+1")
    p.add_argument("--no-diversity", action="store_true", help="ignore status, neighbourhood and age band")
    p.add_argument("--tradeoffs", action="store_true", help="also report what skill coverage and fairness cost")
    p.add_argument("--json", action="store_true", help="print teams and quality figures as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the problem
        return int(exc.code or 0)
    try:
        settings, people = _settings(args)
    except InputError as exc:
        print(f"citehack teams: {exc}", file=sys.stderr)
        return 2
    try:
        result = form_teams(people, settings)
        trade = tradeoffs(people, settings) if args.tradeoffs else None
    except FormationInfeasible as exc:
        print(f"citehack teams: cannot form teams: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"citehack teams: {exc}", file=sys.stderr)
        return 2
    if args.json:
        doc = result.as_dict()
        if trade is not None:
            doc["tradeoffs"] = {
                "first_choices": trade.first_choices,
                "moved_by_skill_coverage": trade.moved_by_skill_coverage,
                "moved_by_fairness": trade.moved_by_fairness,
                "shortages": trade.shortages,
                "messages": trade.messages,
            }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        _print_text(result, trade)
    return 0


def _settings(args) -> tuple[Settings, list[Person]]:
    if args.min_size < 1:
        raise InputError(f"--min-size must be at least 1 (got {args.min_size})")
    if args.min_size > args.max_size:
        raise InputError(f"--min-size ({args.min_size}) is above --max-size ({args.max_size})")
    if not args.time_limit > 0:
        raise InputError(f"--time-limit must be positive (got {args.time_limit:g})")
    try:
        with open(args.people, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {args.people}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{args.people} is not UTF-8 text") from None
    people, challenges = read_people(text, name=args.people)
    capacity = _pairs(args.capacity, "--capacity", challenges)
    teams = _pairs(args.teams_per_challenge, "--teams-per-challenge", challenges)
    locks = {}
    ids = {p.id for p in people}
    for raw in [v for group in args.lock or [] for v in group]:
        pid, sep, c = raw.partition("=")
        if not sep or not pid.strip() or not c.strip():
            raise InputError(f"--lock {raw!r}: expected ID=CHALLENGE")
        pid, c = pid.strip(), c.strip()
        if pid not in ids:
            raise InputError(f"--lock {raw!r}: unknown person {pid!r}")
        if c not in challenges:
            raise InputError(f"--lock {raw!r}: unknown challenge {c!r} (challenges: {', '.join(challenges)})")
        locks[pid] = c
    required = None
    if args.skills is not None:
        required = frozenset(s.strip() for s in args.skills.split(";") if s.strip())
    settings = Settings(
        min_size=args.min_size, max_size=args.max_size, challenges=challenges, capacity=capacity,
        teams_per_challenge=teams, required_skills=required, fairness=not args.no_fairness,
        diversity=not args.no_diversity, time_limit=args.time_limit, locks=locks,
    )
    return settings, people


def _print_text(result, trade):
    current = None
    number = 0
    for team in result.teams:
        if team.challenge != current:
            current, number = team.challenge, 0
        number += 1
        print(f"{team.challenge} team {number} ({len(team.members)}): {', '.join(team.members)}")
    q = result.quality
    missing = ", ".join(f"{s} {n}" for s, n in q.teams_missing_skill.items() if n) or "none"
    print(
        f"\nfirst choice {100 * q.first_choice_share:.1f} %, top two {100 * q.top_two_share:.1f} %, "
        f"worst rank {q.worst_rank} (best achievable {q.r_star})\n"
        f"teams missing a skill: {missing} (minimum possible {q.min_teams_missing_skill}); "
        f"friend groups split: {q.groups_split}\n"
        f"{'proved optimal' if q.optimal else 'status: ' + q.status} in {q.seconds:.2f} s"
    )
    if trade is not None:
        for line in trade.messages:
            print(f"- {line}")


if __name__ == "__main__":
    sys.exit(main())
