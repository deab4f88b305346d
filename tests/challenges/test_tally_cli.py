import io
import json
import sys

import pytest

from citehack.challenges.tally import seed_commitment, tally, tie_break_order
from citehack.challenges.tally_cli import main

APPROVALS = "A,B,C,D\n1,1,,\n1,,,\n,,1,\n,,1,1\n1,1,,\n"


@pytest.fixture
def write(tmp_path):
    def write(content, name="ballots.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)

    return write


def run_json(capsys, *argv):
    status = main([*argv, "--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    return json.loads(out.out)


def run_error(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    assert status == 2
    assert out.out == ""
    return out.err


def test_json_output_holds_the_result(write, capsys):
    data = run_json(capsys, write(APPROVALS), "--seats", "2", "--rule", "av")
    favoured = [c for c in tie_break_order("", list("ABCD")) if c in "BC"][0]
    assert data["winners"] == ["A", favoured]
    assert data["rule"] == "av" and data["seats"] == 2 and data["ballots"] == 5
    assert data["counts"] == {"A": 3, "B": 2, "C": 2, "D": 1}
    assert data["seed"] == "" and data["seed_is_default"] is True
    assert data["seed_hash"] == seed_commitment("")
    assert data["ballot_kind"] == "approval"
    [tie] = data["ties"]
    assert tie["tied"] == ["B", "C"] and tie["chosen"] == [data["winners"][1]]


def test_json_output_matches_the_library(write, capsys):
    data = run_json(capsys, write(APPROVALS), "--seats", "3", "--rule", "equal-shares", "--seed", "s")
    ballots = [
        (frozenset("AB"), 2),
        (frozenset("A"), 1),
        (frozenset("C"), 1),
        (frozenset("CD"), 1),
    ]
    expected = tally("equal-shares", list("ABCD"), ballots, 3, seed="s")
    assert data["winners"] == expected.winners
    assert data["ties"] == expected.to_dict()["ties"]
    assert data["details"] == expected.to_dict()["details"]


def test_count_column_anywhere_equals_repeated_rows(write, capsys):
    repeated = run_json(capsys, write(APPROVALS), "--seats", "2", "--rule", "seqphragmen")
    counted = write("A,count,B,C,D\n1,2,1,,\n1,1,,,\n,1,,1,\n,1,,1,1\n", "counted.csv")
    aggregated = run_json(capsys, counted, "--seats", "2", "--rule", "seqphragmen")
    assert aggregated == repeated


def test_semicolons_bom_blank_lines_and_blank_ballots_are_accepted(write, capsys):
    content = "\ufeffA;B;C\r\n1;;\r\n\r\n;1;1\r\n;;\r\n   \r\n;;1\r\n".encode()
    data = run_json(capsys, write(content), "--seats", "1", "--rule", "av")
    assert data["ballots"] == 4  # the row ";;" is a blank ballot, the blank lines are not
    assert data["counts"] == {"A": 1, "B": 1, "C": 2}
    assert data["winners"] == ["C"]


def test_quoted_identifiers_with_commas_and_semicolon_delimiter(write, capsys):
    data = run_json(capsys, write('"Parc, jardins";Vélo\n1;\n1;1\n'), "--seats", "1", "--rule", "av")
    assert data["winners"] == ["Parc, jardins"]


def test_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(APPROVALS.encode())))
    data = run_json(capsys, "-", "--seats", "1", "--rule", "av")
    assert data["winners"] == ["A"]


def test_readable_summary(write, capsys):
    assert main([write(APPROVALS), "--seats", "2", "--rule", "equal-shares"]) == 0
    out = capsys.readouterr().out
    assert "Rule: equal-shares" in out
    assert "Ballots counted: 5" in out
    assert "Seed: '' (the default: no --seed given)" in out
    assert "Chosen, in order of selection:" in out
    assert "Approvals:" in out


def test_ranking_file_with_stv(write, capsys):
    # Quota 4; A's surplus goes to B at 0.33333 a paper, B is excluded before D.
    content = "A,B,C,D,count\n1,2,,,6\n,,1,,3\n,,2,1,2\n"
    data = run_json(capsys, write(content), "--seats", "2", "--rule", "stv")
    assert data["winners"] == ["A", "C"]
    assert data["details"]["quota"] == 4
    assert data["counts"] == {"A": 6, "B": 0, "C": 3, "D": 2}
    assert data["ballot_kind"] == "ranking"


def test_ranking_file_with_schulze_accepts_equal_ranks_and_gaps(write, capsys):
    content = "A,B,C\n1,1,\n1,1,\n,,5\n"
    data = run_json(capsys, write(content), "--seats", "1", "--rule", "schulze", "--seed", "k")
    assert data["details"]["ranking"] == [["A", "B"], ["C"]]
    assert data["winners"] == [[c for c in tie_break_order("k", list("ABC")) if c != "C"][0]]
    assert data["ties"][0]["tied"] == ["A", "B"]


def test_seed_changes_tie_breaks(write, capsys):
    path = write("A,B,C,D\n1,,,\n,1,,\n,,1,\n,,,1\n")
    results = {}
    for seed in map(str, range(10)):
        data = run_json(capsys, path, "--seats", "2", "--rule", "seqphragmen", "--seed", seed)
        assert data["winners"] == tie_break_order(seed, list("ABCD"))[:2]
        assert data["ties"] and data["seed_hash"] == seed_commitment(seed)
        results[seed] = tuple(data["winners"])
    assert len(set(results.values())) > 1
    again = run_json(capsys, path, "--seats", "2", "--rule", "seqphragmen", "--seed", "3")
    assert tuple(again["winners"]) == results["3"]


@pytest.mark.parametrize(
    ("rule", "content", "line", "message"),
    [
        ("av", "", 1, "empty"),
        ("av", "\n \n", 1, "empty"),
        ("av", "A,B,A\n1,,\n", 1, "duplicate candidate identifier 'A'"),
        ("av", "A,,C\n1,,\n", 1, "empty candidate identifier in column 2"),
        ("av", "A,B,\n1,,\n", 1, "empty candidate identifier in column 3"),
        ("av", "count\n1\n", 1, "no candidate"),
        ("av", "A,count,COUNT\n1,1,1\n", 1, "two count columns"),
        ("av", "A,B\n1,\n1\n", 3, "expected 2 cells"),
        ("av", "A,B\n1,\n1,,\n", 3, "found 3"),
        ("av", "A,B\n\n1,\n\n1,0\n", 5, "column 'B'"),
        ("av", "A,B\n1,x\n", 2, "holds 1 or nothing, found 'x'"),
        ("av", "A,B\n1,2\n", 2, "found '2'"),
        ("av", "A,B\nyes,\n", 2, "found 'yes'"),
        ("schulze", "A,B\n1,0\n", 2, "positive whole number, found '0'"),
        ("schulze", "A,B\n1,-1\n", 2, "found '-1'"),
        ("schulze", "A,B\n1,1.5\n", 2, "found '1.5'"),
        ("schulze", "A,B\nfirst,\n", 2, "found 'first'"),
        ("stv", "A,B\n1,2\n2,2\n", 3, "equal ranks are not allowed with stv"),
        ("av", "A,count\n1,0\n", 2, "count must be a positive whole number, found '0'"),
        ("av", "A,count\n1,-3\n", 2, "found '-3'"),
        ("av", "A,count\n1,2.5\n", 2, "found '2.5'"),
        ("av", "A,count\n1,\n", 2, "found ''"),
        ("av", "A,B\n", 1, "no ballots"),
        ("av", "A;B\n\n\n", 1, "no ballots"),
        ("av", "\ufeffA,B\n1,\n1,1,1\n", 3, "expected 2 cells"),
        ("av", b"A,B\n1,\n\xff,1\n", 3, "not UTF-8"),
        ("av", 'A,B\n1,"1\n', 2, "unreadable CSV"),
    ],
)
def test_malformed_file_exits_2_naming_the_line(write, capsys, rule, content, line, message):
    err = run_error(capsys, write(content), "--seats", "1", "--rule", rule)
    assert f"line {line}:" in err
    assert message in err


def test_missing_file_exits_2(tmp_path, capsys):
    err = run_error(capsys, str(tmp_path / "absent.csv"), "--seats", "1", "--rule", "av")
    assert "cannot read" in err and "absent.csv" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--seats", "1", "--rule", "borda"],
        ["--seats", "0", "--rule", "av"],
        ["--seats", "two", "--rule", "av"],
        ["--rule", "av"],
        ["--seats", "1"],
        ["--seats", "1", "--rule", "av", "--ballot", "score"],
    ],
)
def test_bad_arguments_exit_2(write, capsys, argv):
    status = main([write(APPROVALS), *argv])
    assert status == 2
    assert "usage:" in capsys.readouterr().err


def test_more_seats_than_candidates_exits_2(write, capsys):
    err = run_error(capsys, write(APPROVALS), "--seats", "5", "--rule", "av")
    assert "more than the 4 candidates" in err


def test_ballot_kind_must_fit_the_rule(write, capsys):
    err = run_error(capsys, write(APPROVALS), "--seats", "1", "--rule", "stv", "--ballot", "approval")
    assert "takes ranking ballots" in err
    assert main([write(APPROVALS), "--seats", "1", "--rule", "av", "--ballot", "approval", "--json"]) == 0
