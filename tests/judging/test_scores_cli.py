import json

import pytest

from citehack.judging.scores_cli import main

SCORES = """\
comment,score,juror,team,criterion,room
"great, really",8,J1,A,impact,1
,5,J1,A,feasibility,1
,6,J1,B,impact,1
,6,J1,B,feasibility,1
,4,J1,C,impact,1
,7,J1,C,feasibility,1
,9,J2,A,impact,2
,6,J2,A,feasibility,2
,7,J2,B,impact,2
,4,J2,B,feasibility,2
,5,J2,C,impact,2
,8,J2,C,feasibility,2
,5,J3,A,impact,2
,5,J3,A,feasibility,2
,8,J3,B,impact,2
,2,J3,B,feasibility,2
,3,J3,C,impact,2
,3,J3,C,feasibility,2
"""
WEIGHTS = """\
criterion,weight,counted,min,max
impact,2,yes,0,10
feasibility,1,1,0,10
presentation,1,no,0,10
"""


@pytest.fixture
def files(tmp_path):
    def write(name, text, encoding="utf-8"):
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return str(path)

    return write


def run_json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def run_error(capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_json_contract_with_weights(files, capsys):
    out = run_json(capsys, [files("s.csv", SCORES), "--weights", files("w.csv", WEIGHTS)])
    assert out["method"] == "mean"
    assert [(r["team"], r["rank"]) for r in out["ranking"]] == [("A", 1), ("B", 2), ("C", 3)]
    assert out["ranking"][0]["score"] == pytest.approx(20 / 3)
    assert set(out["methods"]) == {"mean", "median", "zscore", "offset-scale"}
    assert out["methods"]["median"]["scores"] == {"A": 7.0, "B": 6.0, "C": 5.0}
    assert out["methods"]["zscore"]["scores"]["A"] == pytest.approx(0.96874, abs=1e-5)
    assert [r["team"] for r in out["methods"]["zscore"]["ranking"]] == ["A", "B", "C"]
    assert out["ties"] == []
    assert out["design"]["complete"] is True
    assert out["design"]["connected"] is True
    assert out["design"]["components"] == [{"jurors": ["J1", "J2", "J3"], "teams": ["A", "B", "C"]}]
    assert "bootstrap" not in out


def test_json_bootstrap_is_seeded_and_p_first_sums_to_one(files, capsys):
    argv = [files("s.csv", SCORES), "--method", "zscore", "--bootstrap", "300", "--seed", "7"]
    out = run_json(capsys, argv)
    again = run_json(capsys, argv)
    assert out["bootstrap"] == again["bootstrap"]
    assert set(out["bootstrap"]) == {"A", "B", "C"}
    assert sum(v["p_first"] for v in out["bootstrap"].values()) == pytest.approx(1)
    assert all(v["low"] <= v["high"] for v in out["bootstrap"].values())
    assert out["bootstrap_settings"]["method"] == "zscore"


def test_without_weights_every_criterion_weighs_one_and_the_scale_is_observed(files, capsys):
    out = run_json(capsys, [files("s.csv", SCORES)])
    # J1/A: (8 + 5) / 2
    assert {(t["juror"], t["team"]): t["total"] for t in out["totals"]}["J1", "A"] == 6.5
    impact = next(c for c in out["criteria"] if c["id"] == "impact")
    assert impact == {"id": "impact", "weight": 1.0, "counted": True, "min": 3.0, "max": 9.0, "scale_inferred": True}


def test_ties_are_reported_in_json(files, capsys):
    text = "juror,team,criterion,score\nJ1,A,q,5\nJ1,B,q,5\nJ1,C,q,1\nJ2,A,q,5\nJ2,B,q,5\nJ2,C,q,2\n"
    out = run_json(capsys, [files("s.csv", text)])
    (tie,) = out["ties"]
    assert tie["teams"] == ["A", "B"] and tie["resolved"] is False
    assert [s["step"] for s in tie["steps"]] == ["normalised score", "head-to-head", "top-weighted criterion"]
    assert [(r["team"], r["rank"], r["resolved_by"]) for r in out["ranking"]] == [
        ("A", 1, "jury vote needed"),
        ("B", 1, "jury vote needed"),
        ("C", 3, None),
    ]


def test_incomplete_and_disconnected_design_in_json(files, capsys):
    text = "juror,team,criterion,score\nJ1,A,q,5\nJ1,B,q,6\nJ2,C,q,1\nJ2,D,q,2\n"
    design = run_json(capsys, [files("s.csv", text)])["design"]
    assert design["complete"] is False
    assert design["connected"] is False
    assert design["components"] == [{"jurors": ["J1"], "teams": ["A", "B"]}, {"jurors": ["J2"], "teams": ["C", "D"]}]
    assert {"juror": "J1", "team": "C", "reason": "not scored"} in design["missing_pairs"]


def test_semicolons_decimal_commas_and_windows_encoding_are_read(files, capsys):
    text = "Juré;juror;team;criterion;score\nÉlise;J1;A;q;7,5\nÉlise;J1;B;q;6\n"
    out = run_json(capsys, [files("s.csv", text, encoding="cp1252")])
    assert out["methods"]["mean"]["scores"] == {"A": 7.5, "B": 6.0}


def test_table_is_printed_in_english(files, capsys):
    assert main([files("s.csv", SCORES), "--weights", files("w.csv", WEIGHTS), "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ranking by mean of the jurors' weighted totals: 3 teams, 3 jurors, 2 counted criteria.")
    assert "Z-score" in out and "Offset-scale" in out and "P(first)" in out
    assert "Design: complete" in out


@pytest.mark.parametrize(
    ("scores", "weights", "expected"),
    [
        ("juror,team,score\nJ1,A,5\n", None, "s.csv, line 1: missing column 'criterion'"),
        ("juror,team,criterion,score\nJ1,A,q,5\nJ1,B,q,high\n", None, "s.csv, line 3: score 'high' is not a number"),
        ("juror,team,criterion,score\nJ1,A,q,5\nJ1,B,q,\n", None, "s.csv, line 3: empty score"),
        ("juror,team,criterion,score\nJ1,A,q,nan\n", None, "s.csv, line 2: score 'nan' is not a number"),
        ("juror,team,criterion,score\nJ1,A,q,5\n\nJ1,A,q,6\n", None, "s.csv, line 4: duplicate score"),
        ("", None, "s.csv, line 1: the file is empty"),
        ("\n\n", None, "s.csv, line 1: the file is empty"),
        ("juror,team,criterion,score\n", None, "s.csv, line 1: no data rows"),
        ("juror,team,criterion,score\nJ1,,q,5\n", None, "s.csv, line 2: empty team"),
        ("juror,team,criterion,score\nJ1,A,q,5,oops\n", None, "s.csv, line 2: 5 fields"),
        (SCORES, "criterion,weight\nimpact,2\n", "s.csv, line 3: unknown criterion 'feasibility'"),
        (SCORES, "criterion,weight\nimpact,2\nfeasibility,0\n", "w.csv, line 3: weight 0 of criterion 'feasibility' must be positive"),
        (SCORES, "criterion,weight\nimpact,-1\nfeasibility,1\n", "w.csv, line 2: weight -1"),
        (SCORES, "criterion,weight\nimpact,heavy\n", "w.csv, line 2: weight 'heavy' is not a number"),
        (SCORES, "criterion,counted\nimpact,1\n", "w.csv, line 1: missing column 'weight'"),
        (SCORES, "criterion,weight,counted\nimpact,1,maybe\n", "w.csv, line 2: counted 'maybe'"),
        (SCORES, "criterion,weight\nimpact,1\nimpact,2\n", "w.csv, line 3: criterion 'impact' listed twice"),
        (SCORES, "criterion,weight,min,max\nimpact,2,0,5\nfeasibility,1,0,10\n", "s.csv, line 2: score 8 is outside the scale 0 to 5"),
        (SCORES, "criterion,weight,min,max\nimpact,2,5,1\n", "w.csv, line 2: min 5 must be below max 1"),
        (SCORES, "", "w.csv, line 1: the file is empty"),
    ],
)
def test_malformed_files_exit_2_naming_the_line(files, capsys, scores, weights, expected):
    argv = [files("s.csv", scores)]
    if weights is not None:
        argv += ["--weights", files("w.csv", weights)]
    err = run_error(capsys, argv)
    assert expected in err


def test_line_numbers_count_quoted_newlines(files, capsys):
    text = 'juror,team,criterion,score,comment\nJ1,A,q,5,"two\nlines"\nJ1,B,q,x,\n'
    assert "line 4: score 'x' is not a number" in run_error(capsys, [files("s.csv", text)])


def test_missing_file_exits_2(tmp_path, capsys):
    assert "cannot read the file" in run_error(capsys, [str(tmp_path / "absent.csv")])


@pytest.mark.parametrize("argv", [["--method", "borda"], ["--bootstrap", "-1"], ["--level", "2"]])
def test_bad_options_exit_2(files, capsys, argv):
    assert main([files("s.csv", SCORES), *argv]) == 2


def test_only_uncounted_criteria_exits_2(files, capsys):
    weights = "criterion,weight,counted\nimpact,1,0\nfeasibility,1,no\n"
    err = run_error(capsys, [files("s.csv", SCORES), "--weights", files("w.csv", weights)])
    assert "no counted criterion" in err
