"""``citehack tally``: count a challenge vote from a CSV file, with no server.

    citehack tally BALLOTS.csv --seats K --rule RULE [--ballot approval|ranking]
                   [--seed S] [--json]

The file: a header row of candidate identifiers, then one row per ballot. Approval rows
hold 1 (approved) or nothing in each candidate's column; ranking rows hold the rank
(1 = first, any positive whole numbers, only their order matters) or nothing (unranked).
An optional ``count`` column, anywhere in the header, makes a row stand for that many
identical ballots: this is the format in which aggregated ballots are published, so that
anyone can recount. The delimiter is ``,``, or ``;`` when the header holds no comma; a
UTF-8 byte order mark is accepted; blank lines are skipped; a row with no approval or no
rank is a blank ballot, counted but supporting nobody. ``-`` reads standard input.

Equal ranks in a row are accepted for ``schulze`` (a tie on that ballot) and refused for
``stv``. Without ``--seed`` the seed is the empty string, so that a recount without the
published seed still gives the same result; the output says so.

Exit status: 0 on success, 2 for bad arguments or a malformed file (the message names the
line).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections import defaultdict

from citehack.challenges.tally import DEFAULT_SEED, RULES, TallyError, tally

COUNT_COLUMN = "count"
_WHOLE_NUMBER = re.compile(r"[0-9]+")


class BallotFileError(Exception):
    """A malformed ballot file; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


def read_ballots(text: str, kind: str, *, allow_equal_ranks: bool = True):
    """Parse the CSV text of a ballot file into (candidates, [(ballot, count), ...]).

    Approval ballots come back as frozensets of identifiers, rankings as mappings
    identifier -> rank; identical rows are aggregated. Raise BallotFileError naming the line.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise BallotFileError(1, "the file is empty; expected a header row of candidate identifiers")
    header_line = lines[header_at]
    delimiter = ","
    if len(_split(header_line, ",")) == 1 and ";" in header_line:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    header = None
    ballots: dict = defaultdict(int)
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header, candidates, count_at = _read_header(row, line)
                header_line_number = line
                continue
            if len(row) != len(header):
                raise BallotFileError(
                    line, f"expected {len(header)} cells, one per column of the header, found {len(row)}"
                )
            count = 1
            if count_at is not None:
                cell = row[count_at].strip()
                if not _WHOLE_NUMBER.fullmatch(cell) or int(cell) == 0:
                    raise BallotFileError(line, f"the count must be a positive whole number, found {cell!r}")
                count = int(cell)
            cells = [(name, row[i].strip()) for i, name in candidates]
            if kind == "approval":
                ballot = _approval(cells, line)
            else:
                ballot = _ranking(cells, line, allow_equal_ranks)
            ballots[ballot] += count
    except csv.Error as error:
        raise BallotFileError(reader.line_num or 1, f"unreadable CSV: {error}") from None
    if header is None:
        raise BallotFileError(1, "the file is empty; expected a header row of candidate identifiers")
    if not ballots:
        raise BallotFileError(header_line_number, "no ballots after the header")
    names = [name for _, name in candidates]
    if kind == "approval":
        return names, list(ballots.items())
    return names, [(dict(ranking), count) for ranking, count in ballots.items()]


def _split(line, delimiter):
    return next(csv.reader([line], delimiter=delimiter), [])


def _read_header(row, line):
    names = [cell.strip() for cell in row]
    candidates, count_at, seen = [], None, {}
    for column, name in enumerate(names, start=1):
        if not name:
            raise BallotFileError(line, f"the header has an empty candidate identifier in column {column}")
        if name.lower() == COUNT_COLUMN:
            if count_at is not None:
                raise BallotFileError(line, f"the header has two count columns ({count_at + 1} and {column})")
            count_at = column - 1
            continue
        if name in seen:
            raise BallotFileError(
                line, f"duplicate candidate identifier {name!r} in columns {seen[name]} and {column}"
            )
        seen[name] = column
        candidates.append((column - 1, name))
    if not candidates:
        raise BallotFileError(line, "the header names no candidate")
    return names, candidates, count_at


def _approval(cells, line):
    approved = []
    for name, cell in cells:
        if cell == "1":
            approved.append(name)
        elif cell:
            raise BallotFileError(line, f"column {name!r}: an approval cell holds 1 or nothing, found {cell!r}")
    return frozenset(approved)


def _ranking(cells, line, allow_equal_ranks):
    ranks, first_at = {}, {}
    for name, cell in cells:
        if not cell:
            continue
        if not _WHOLE_NUMBER.fullmatch(cell) or int(cell) == 0:
            raise BallotFileError(line, f"column {name!r}: a rank is a positive whole number, found {cell!r}")
        rank = int(cell)
        if rank in first_at and not allow_equal_ranks:
            raise BallotFileError(
                line,
                f"rank {rank} is given to both {first_at[rank]!r} and {name!r}; "
                "equal ranks are not allowed with stv",
            )
        first_at.setdefault(rank, name)
        ranks[name] = rank
    # Only the order matters: ranks 1, 3 and 2, 7 are the same ballot.
    levels = {rank: level for level, rank in enumerate(sorted(set(ranks.values())), start=1)}
    return tuple(sorted((name, levels[rank]) for name, rank in ranks.items()))


def _positive_int(value):
    if not _WHOLE_NUMBER.fullmatch(value.strip()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value!r}")
    return int(value)


def build_parser(prog: str = "citehack tally") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Count a challenge vote from a CSV file of ballots.",
        epilog=(
            "Rules: "
            + "; ".join(f"{rule} ({info.ballot}): {info.name}" for rule, info in RULES.items())
            + ". Without --seed the tie-break seed is the empty string."
        ),
    )
    parser.add_argument("ballots", metavar="BALLOTS.csv", help="the ballot file, or - for standard input")
    parser.add_argument("--seats", metavar="K", type=_positive_int, required=True, help="number of challenges to choose")
    parser.add_argument("--rule", choices=list(RULES), required=True, help="the voting rule")
    parser.add_argument(
        "--ballot",
        choices=["approval", "ranking"],
        help="ballot kind; default: approval for av, seqphragmen, equal-shares, ranking for schulze, stv",
    )
    parser.add_argument(
        "--seed",
        help=f"the published tie-break seed (default: {DEFAULT_SEED!r}, the empty string)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``citehack tally``; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2

    info = RULES[args.rule]
    kind = args.ballot or info.ballot
    if kind != info.ballot:
        return _fail(f"rule {args.rule} takes {info.ballot} ballots, not {kind} ballots")
    try:
        data = sys.stdin.buffer.read() if args.ballots == "-" else open(args.ballots, "rb").read()
    except OSError as error:
        return _fail(f"cannot read {args.ballots}: {error.strerror or error}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return _fail(f"{args.ballots}, line {line}: not UTF-8 text")
    try:
        candidates, ballots = read_ballots(text, kind, allow_equal_ranks=args.rule != "stv")
    except BallotFileError as error:
        return _fail(f"{args.ballots}, {error}")
    if args.seats > len(candidates):
        return _fail(
            f"--seats {args.seats} is more than the {len(candidates)} candidates in {args.ballots}"
        )
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        result = tally(args.rule, candidates, ballots, args.seats, seed=seed, ballot_kind=kind)
    except TallyError as error:
        return _fail(str(error))

    if args.json:
        data = result.to_dict()
        data["ballot_kind"] = kind
        data["seed_is_default"] = args.seed is None
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(_summary(result, kind, args))
    return 0


def _fail(message: str) -> int:
    print(f"citehack tally: error: {message}", file=sys.stderr)
    return 2


def _summary(result, kind, args) -> str:
    info = RULES[result.rule]
    width = max(len(str(c)) for c in result.candidates)
    count_label = "Approvals" if kind == "approval" else "First preferences"
    seed_note = " (the default: no --seed given)" if args.seed is None else ""
    lines = [
        f"Rule: {result.rule}, {info.name} (version {result.version})",
        f"Ballots counted: {result.ballots}; candidates: {len(result.candidates)}; seats: {result.seats}",
        f"Seed: {result.seed!r}{seed_note}; SHA-256: {result.seed_hash}",
        "",
        f"{count_label}:",
        *(f"  {str(c):<{width}}  {result.counts[c]}" for c in result.candidates),
        "",
        "Chosen, in order of selection:",
        *(f"  {i}. {c}" for i, c in enumerate(result.winners, start=1)),
        "",
    ]
    if result.rule == "stv":
        lines.insert(4, f"Quota: {result.details['quota']}")
    if result.ties:
        lines.append("Ties broken:")
        for tie in result.ties:
            tied = ", ".join(map(str, tie["tied"]))
            chosen = ", ".join(map(str, tie["chosen"]))
            lines.append(f"  round {tie['round']}, {tie['stage']}: {tied} tied; {chosen} ({tie['how']})")
    else:
        lines.append("Ties broken: none")
    lines += ["", info.explanation]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
