"""`citehack scores`: rank teams from a spreadsheet export of jury scores.

    citehack scores SCORES.csv [--weights W.csv] [--method mean|median|zscore|offset-scale]
                    [--bootstrap N] [--seed S] [--level L] [--close-threshold D] [--json]

SCORES.csv has the columns ``juror``, ``team``, ``criterion``, ``score`` in any order;
other columns (a ``comment``, say) are ignored. W.csv has ``criterion``, ``weight`` and
optionally ``counted`` (1/0, yes/no, true/false; counted when empty) and ``min``, ``max``.
Column names are matched without regard to case; the delimiter (comma, semicolon or tab)
is taken from the header line; a decimal comma ("7,5") is read as a decimal point; files
are read as UTF-8, or as Windows-1252 when they are not valid UTF-8.

Without W.csv every criterion is counted with weight 1 and its scale is the range of the
scores observed, so no score is out of scale; the same holds for a criterion of W.csv without
``min``/``max``. A criterion with weight 0 is allowed only when it is not counted.

A malformed file prints ``FILE, line N: problem`` on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys

from citehack.judging.aggregation import (
    METHODS,
    AggregationError,
    AggregationResult,
    Criterion,
    STEP_JURY_VOTE,
    Score,
    aggregate,
)

SCORE_COLUMNS = ("juror", "team", "criterion", "score")
WEIGHT_COLUMNS = ("criterion", "weight")
TRUE_WORDS = {"1", "yes", "y", "true", "t", "oui", "o", "x"}
FALSE_WORDS = {"0", "no", "n", "false", "f", "non"}
METHOD_LABELS = {
    "mean": "mean of the jurors' weighted totals",
    "median": "median of the jurors' weighted totals",
    "zscore": "mean of per-juror z-scores",
    "offset-scale": "offset-and-scale model (team quality estimate)",
}
COLUMN_TITLES = {"mean": "Mean", "median": "Median", "zscore": "Z-score", "offset-scale": "Offset-scale"}


class InputError(Exception):
    """A problem in an input file, located by file and line."""

    def __init__(self, path: str, line: int | None, message: str):
        super().__init__(message)
        self.path, self.line, self.message = path, line, message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}, line {self.line}"
        return f"{where}: {self.message}"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already printed by argparse
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        declared = read_weights(args.weights) if args.weights else None
        scores = read_scores(args.scores, declared)
        criteria = declared if declared is not None else _inferred_criteria(scores)
        result = aggregate(
            criteria,
            scores,
            method=args.method,
            bootstrap_resamples=args.bootstrap,
            seed=args.seed,
            level=args.level,
            close_threshold=args.close_threshold,
        )
    except InputError as error:
        print(f"citehack scores: {error}", file=sys.stderr)
        return 2
    except AggregationError as error:
        print(f"citehack scores: {args.scores}: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(to_json(result, scores), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(to_text(result))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citehack scores",
        description="Rank teams from jury scores; normalised rankings are shown beside the raw one.",
    )
    parser.add_argument("scores", metavar="SCORES.csv", help="columns juror, team, criterion, score")
    parser.add_argument("--weights", metavar="W.csv", help="columns criterion, weight[, counted, min, max]")
    parser.add_argument("--method", choices=METHODS, default="mean", help="the ranking to lead with (default: mean)")
    parser.add_argument(
        "--bootstrap", type=_non_negative_int, default=0, metavar="N", help="resample the jurors N times"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the bootstrap (default: 0)")
    parser.add_argument("--level", type=_level, default=0.9, metavar="L", help="interval level (default: 0.9)")
    parser.add_argument(
        "--close-threshold",
        type=float,
        default=None,
        metavar="D",
        help="flag adjacent teams closer than D (default: a tenth of the scores' standard deviation)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _level(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("must lie between 0 and 1")
    return value


# --- reading -----------------------------------------------------------------------


def read_scores(path: str, criteria: list[Criterion] | None = None) -> list[Score]:
    """Read SCORES.csv; with ``criteria``, check each score's criterion and scale."""
    by_id = None if criteria is None else {c.id: c for c in criteria}
    scores: list[Score] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in _read_table(path, SCORE_COLUMNS):
        juror, team, criterion = (_required(path, line, row, name) for name in ("juror", "team", "criterion"))
        value = _number(path, line, row, "score")
        key = (juror, team, criterion)
        if key in first_line:
            raise InputError(
                path,
                line,
                f"duplicate score for juror {juror!r}, team {team!r}, criterion {criterion!r} "
                f"(first given on line {first_line[key]})",
            )
        first_line[key] = line
        if by_id is not None:
            declared = by_id.get(criterion)
            if declared is None:
                raise InputError(path, line, f"unknown criterion {criterion!r} (not in the weights file)")
            low, high = declared.scale_min, declared.scale_max
            if (low is not None and value < low) or (high is not None and value > high):
                scale = f"{'-inf' if low is None else f'{low:g}'} to {'inf' if high is None else f'{high:g}'}"
                raise InputError(path, line, f"score {value:g} is outside the scale {scale} of criterion {criterion!r}")
        scores.append(Score(juror, team, criterion, value))
    return scores


def read_weights(path: str) -> list[Criterion]:
    """Read W.csv into criteria, in the file's order."""
    criteria: list[Criterion] = []
    first_line: dict[str, int] = {}
    for line, row in _read_table(path, WEIGHT_COLUMNS):
        criterion = _required(path, line, row, "criterion")
        if criterion in first_line:
            first = first_line[criterion]
            raise InputError(path, line, f"criterion {criterion!r} listed twice (first on line {first})")
        first_line[criterion] = line
        weight = _number(path, line, row, "weight")
        counted = _flag(path, line, row.get("counted", ""))
        if weight < 0 or (counted and weight == 0):
            raise InputError(path, line, f"weight {weight:g} of criterion {criterion!r} must be positive")
        low = _number(path, line, row, "min") if row.get("min", "").strip() else None
        high = _number(path, line, row, "max") if row.get("max", "").strip() else None
        if low is not None and high is not None and low >= high:
            raise InputError(path, line, f"min {low:g} must be below max {high:g}")
        criteria.append(Criterion(criterion, weight, counted, low, high))
    if not any(c.counted for c in criteria):
        raise InputError(path, None, "no counted criterion")
    return criteria


def _inferred_criteria(scores: list[Score]) -> list[Criterion]:
    ids = dict.fromkeys(s.criterion for s in scores)
    return [Criterion(criterion) for criterion in ids]


def _read_table(path: str, required: tuple[str, ...]):
    """Yield (line number, {column: value}) for each non-blank row after the header."""
    text = _read_text(path)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise InputError(path, 1, "the file is empty")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, header_line, rows = None, 0, 0
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header, header_line = _header(path, line, cells, required), line
                continue
            extra = [cell for cell in cells[len(header) :] if cell.strip()]
            if extra:
                raise InputError(path, line, f"{len(cells)} fields, but the header has {len(header)}")
            rows += 1
            yield line, {name: cell for name, cell in zip(header, cells) if name}
    except csv.Error as error:
        raise InputError(path, reader.line_num, f"unreadable CSV ({error})") from None
    if rows == 0:
        raise InputError(path, header_line, "no data rows after the header")


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise InputError(path, None, f"cannot read the file ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(path, None, "the file is neither UTF-8 nor Windows-1252 text") from None


def _header(path: str, line: int, cells: list[str], required: tuple[str, ...]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    for name in required:
        if name not in header:
            found = ", ".join(h for h in header if h) or "none"
            raise InputError(path, line, f"missing column {name!r} (columns found: {found})")
    for name in set(header):
        if name and header.count(name) > 1:
            raise InputError(path, line, f"column {name!r} appears twice")
    return header


def _required(path: str, line: int, row: dict[str, str], name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise InputError(path, line, f"empty {name}")
    return value


_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def _number(path: str, line: int, row: dict[str, str], name: str) -> float:
    text = (row.get(name) or "").strip()
    if not text:
        raise InputError(path, line, f"empty {name}")
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(path, line, f"{name} {row.get(name, '').strip()!r} is not a number")
    return value


def _flag(path: str, line: int, text: str) -> bool:
    word = text.strip().lower()
    if not word or word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InputError(path, line, f"counted {text.strip()!r} is not one of 1/0, yes/no, true/false")


# --- output ------------------------------------------------------------------------


def to_json(result: AggregationResult, scores: list[Score] | None = None) -> dict:
    """Return the JSON-ready form of a result."""
    design = result.design
    observed: dict[str, list[float]] = {}
    for score in scores or ():
        observed.setdefault(score.criterion, []).append(score.value)
    out = {
        "method": result.method,
        "ranking": [_ranked(r) for r in result.ranking],
        "methods": {},
        "ties": [_tie(t) for t in result.ties],
        "tiebreak_chain": [
            f"normalised score ({result.tiebreak_normalised})",
            "head-to-head among common jurors",
            f"top-weighted criterion ({result.top_criterion})",
            "jury vote needed",
        ],
        "design": {
            "complete": design.complete,
            "connected": design.connected,
            "components": [{"jurors": list(c.jurors), "teams": list(c.teams)} for c in design.components],
            "missing_pairs": [{"juror": j, "team": t, "reason": why} for j, t, why in design.missing_pairs],
            "incomplete_pairs": [
                {"juror": j, "team": t, "missing_criteria": list(m)} for j, t, m in design.incomplete_pairs
            ],
            "jurors_too_few_teams": list(design.jurors_too_few_teams),
            "jurors_zero_variance": list(design.jurors_zero_variance),
            "unscored_teams": list(design.unscored_teams),
            "excluded_conflict_scores": len(design.excluded_conflict_scores),
            "warnings": list(design.warnings),
        },
        "criteria": [_criterion(c, observed.get(c.id, ())) for c in result.criteria],
        "jurors": list(result.jurors),
        "teams": list(result.teams),
        "totals": [
            {"juror": p.juror, "team": p.team, "total": p.value, "complete": p.complete}
            for p in result.totals.values()
        ],
        "close_pairs": [
            {
                "upper": c.upper,
                "lower": c.lower,
                "difference": c.difference,
                "below_threshold": c.below_threshold,
                "intervals_overlap": c.intervals_overlap,
            }
            for c in result.close_pairs
        ],
    }
    for name, method in result.methods.items():
        entry = {"scores": dict(method.scores), "ranking": [_ranked(r) for r in method.ranking]}
        entry["ties"] = [_tie(t) for t in method.ties]
        if method.juror_scales is not None:
            entry["juror_offsets"] = dict(method.juror_offsets)
            entry["juror_scales"] = dict(method.juror_scales)
        out["methods"][name] = entry
    if result.bootstrap is not None:
        boot = result.bootstrap
        out["bootstrap"] = {
            team: {"low": i.low, "high": i.high, "p_first": i.p_first, "coverage": i.coverage}
            for team, i in boot.teams.items()
        }
        out["bootstrap_settings"] = {
            "method": boot.method,
            "resamples": boot.resamples,
            "seed": boot.seed,
            "level": boot.level,
            "unit": "jurors, resampled with replacement",
        }
    return out


def _ranked(r) -> dict:
    return {"team": r.team, "score": r.score, "rank": r.rank, "tied": r.tied, "resolved_by": r.resolved_by}


def _tie(t) -> dict:
    return {
        "teams": list(t.teams),
        "resolved": t.resolved,
        "steps": [
            {"step": s.step, "teams": list(s.teams), "values": dict(s.values), "groups": [list(g) for g in s.groups]}
            for s in t.steps
        ],
    }


def _criterion(c: Criterion, observed) -> dict:
    inferred = c.scale_min is None or c.scale_max is None
    low = c.scale_min if c.scale_min is not None else (min(observed) if observed else None)
    high = c.scale_max if c.scale_max is not None else (max(observed) if observed else None)
    return {"id": c.id, "weight": c.weight, "counted": c.counted, "min": low, "max": high, "scale_inferred": inferred}


def to_text(result: AggregationResult) -> str:
    """Return the ranking as an English table with the other methods beside it."""
    boot = result.bootstrap
    counted = sum(c.counted for c in result.criteria)
    lines = [
        f"Ranking by {METHOD_LABELS[result.method]}: {len(result.teams)} teams, "
        f"{len(result.jurors)} jurors, {counted} counted {'criterion' if counted == 1 else 'criteria'}.",
        "",
    ]
    header = ["Rank", "Team", "Score"] + [COLUMN_TITLES[m] for m in METHODS if m != result.method]
    if boot is not None:
        header += [f"{boot.level:.0%} interval", "P(first)"]
    header.append("Tie")
    table = [header]
    for r in result.ranking:
        rank = "-" if r.rank is None else f"{r.rank}{'=' if r.resolved_by == STEP_JURY_VOTE else ''}"
        row = [rank, r.team, _fmt(r.score)]
        row += [_fmt(result.methods[m].scores[r.team]) for m in METHODS if m != result.method]
        if boot is not None:
            i = boot.teams[r.team]
            row += [f"{_fmt(i.low)} to {_fmt(i.high)}", f"{i.p_first:.2f}"]
        row.append(r.resolved_by or "")
        table.append(row)
    widths = [max(len(row[k]) for row in table) for k in range(len(header))]
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    lines += ["", "Normalised scores are shown beside the raw ones for comparison; the ranking uses --method."]
    for tie in result.ties:
        steps = "; ".join(f"{s.step}: {' > '.join('/'.join(g) for g in s.groups)}" for s in tie.steps)
        outcome = "resolved" if tie.resolved else "jury vote needed"
        lines.append(f"Tie between {', '.join(tie.teams)} ({outcome}): {steps}.")
    for c in result.close_pairs:
        reasons = (("difference below threshold", c.below_threshold), ("intervals overlap", c.intervals_overlap))
        why = [reason for reason, flag in reasons if flag]
        lines.append(f"Close: {c.upper} and {c.lower} (difference {c.difference:.3f}; {', '.join(why)}).")
    design = result.design
    if design.complete:
        lines.append("Design: complete, every juror scored every team on every counted criterion.")
    else:
        lines.append(
            f"Design: incomplete, {_count(len(design.missing_pairs), 'juror-team pair')} without a total, "
            f"{_count(len(design.incomplete_pairs), 'pair')} missing some criteria."
        )
    if not design.connected:
        groups = " | ".join(f"jurors {', '.join(c.jurors)}; teams {', '.join(c.teams)}" for c in design.components)
        lines.append(f"Design: not connected, {len(design.components)} groups: {groups}.")
    lines += [f"Warning: {w}." for w in design.warnings]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
