"""`citehack teams PEOPLE.csv`: the JSON contract and every refusal (exit status 2 with a message)."""

from __future__ import annotations

import io
import json
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from citehack.teams.formation_cli import main

HEADER = "id,group,skills,status,neighbourhood,age_band,C1,C2,C3\n"
ROWS = [
    "a,,code;design,student,n1,<25,1,2,3",
    "b,g1,code,,n2,,2,1,",
    "c,g1,design,,,,1,,2",
    "d,,data,employed,,,3,2,1",
    "e,,code,,,,1,2,3",
    "f,,,,,,1,3,2",
    "g,,design,,,,2,1,3",
    "h,,data;code,,,,3,1,2",
    "i,,,,,,1,2,3",
]


def write(tmp_path, text, name="people.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_places_everyone_within_the_bounds(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, out, err = run(capsys, path, "--min-size", "2", "--max-size", "3", "--capacity", "C1=4", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"teams", "quality"}
    members = [m for t in doc["teams"] for m in t["members"]]
    assert sorted(members) == list("abcdefghi")
    assert all(2 <= len(t["members"]) <= 3 for t in doc["teams"])
    assert sum(len(t["members"]) for t in doc["teams"] if t["challenge"] == "C1") <= 4
    assert any({"b", "c"} <= set(t["members"]) for t in doc["teams"])
    q = doc["quality"]
    for key in ("first_choice_share", "top_two_share", "worst_rank", "r_star", "teams_missing_skill",
                "min_teams_missing_skill", "groups_split", "optimal", "status", "seconds"):
        assert key in q
    assert q["groups_split"] == 0
    assert set(q["teams_missing_skill"]) == {"code", "design", "data"}
    assert q["worst_rank"] <= q["r_star"] + 1
    assert q["optimal"] is True and q["status"] == "optimal"


def test_teams_per_challenge_is_honoured(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, out, err = run(capsys, path, "--min-size", "2", "--max-size", "5",
                         "--teams-per-challenge", "C1=1", "C2=1", "C3=1", "--json")
    assert code == 0, err
    assert Counter(t["challenge"] for t in json.loads(out)["teams"]) == {"C1": 1, "C2": 1, "C3": 1}


def test_text_output_lists_teams_and_figures(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, out, _ = run(capsys, path, "--min-size", "2", "--max-size", "3", "--tradeoffs")
    assert code == 0
    assert "team 1" in out and "first choice" in out and "enforcing full skill coverage" in out


def test_byte_order_mark_and_blank_lines_are_accepted(tmp_path, capsys):
    path = tmp_path / "bom.csv"
    path.write_text("\ufeff" + HEADER + ROWS[0] + "\n\n" + "\n".join(ROWS[1:]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, str(path), "--min-size", "2", "--max-size", "3", "--json")
    assert code == 0, err


@pytest.mark.parametrize("text, fragment", [
    ("", "is empty"),
    ("name,C1\nx,1\n", "line 1: no 'id' column"),
    ("id,group,skills\na,,\n", "line 1: no challenge columns"),
    ("id,C1,C1\na,1,2\n", "line 1: column 'C1' appears twice"),
    ("id,C1,C2\n", "has no people"),
    ("id,C1,C2\na,1,2\nb,2,1\na,1,2\n", "line 4: duplicate id 'a' (first on line 2)"),
    ("id,C1,C2\na,1,x\n", "line 2, column C2: rank 'x' is not a whole number"),
    ("id,C1,C2\na,1,1.5\n", "line 2, column C2: rank '1.5' is not a whole number"),
    ("id,C1,C2\na,0,1\n", "line 2, column C1: rank 0 is below 1"),
    ("id,C1,C2\na,1,3\n", "line 2, column C2: rank 3 is above the number of challenges (2)"),
    ("id,C1,C2\na,1,1\n", "line 2: rank 1 given to both C1 and C2"),
    ("id,C1,C2\n,1,2\n", "line 2: empty id"),
    ("id,C1,C2\na,1,2,3\n", "line 2: 4 fields but the header has 3"),
])
def test_malformed_files_are_refused_with_the_line(tmp_path, capsys, text, fragment):
    path = write(tmp_path, text)
    code, out, err = run(capsys, path, "--min-size", "1", "--max-size", "3")
    assert code == 2
    assert fragment in err
    assert out == ""


@pytest.mark.parametrize("options, fragment", [
    (["--capacity", "C9=3"], "--capacity 'C9=3': unknown challenge 'C9'"),
    (["--capacity", "C1:3"], "--capacity 'C1:3': expected CHALLENGE=NUMBER"),
    (["--capacity", "C1=-1"], "the number must be at least 0"),
    (["--teams-per-challenge", "C1"], "--teams-per-challenge 'C1': expected CHALLENGE=NUMBER"),
    (["--teams-per-challenge", "X=1"], "unknown challenge 'X'"),
    (["--capacity", "C1=3", "--capacity", "C1=4"], "--capacity: C1 given twice"),
    (["--lock", "zz=C1"], "unknown person 'zz'"),
    (["--time-limit", "0"], "--time-limit must be positive"),
])
def test_bad_options_are_refused(tmp_path, capsys, options, fragment):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, _, err = run(capsys, path, "--min-size", "2", "--max-size", "3", *options)
    assert code == 2
    assert fragment in err


def test_min_size_above_max_size_is_refused(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, _, err = run(capsys, path, "--min-size", "4", "--max-size", "3")
    assert code == 2 and "--min-size (4) is above --max-size (3)" in err


def test_min_size_below_one_is_refused(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, _, err = run(capsys, path, "--min-size", "0", "--max-size", "3")
    assert code == 2 and "--min-size must be at least 1" in err


def test_missing_file_and_missing_options_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path / "nope.csv"), "--min-size", "1", "--max-size", "2")
    assert code == 2 and "cannot read" in err
    code, _, err = run(capsys, str(tmp_path / "nope.csv"), "--min-size", "1")
    assert code == 2 and "--max-size" in err


def test_infeasible_settings_say_which_bound_and_by_how_much(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, out, err = run(capsys, path, "--min-size", "2", "--max-size", "2",
                         "--teams-per-challenge", "C1=1", "C2=1", "C3=1", "--json")
    assert code == 2
    assert out == ""
    assert "9 people but at most 3 teams of at most 2 = 6 places: 3 places missing; raise --max-size to 3" in err


def test_capacity_below_min_size_exits_2(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    code, _, err = run(capsys, path, "--min-size", "3", "--max-size", "4", "--capacity", "C1=2")
    assert code == 2 and "capacity of C1 (2) is below the minimum team size (3)" in err


def test_friend_group_above_max_size_exits_2(tmp_path, capsys):
    rows = [f"p{i},big,,,,,1,2,3" for i in range(4)] + ROWS[:4]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    code, _, err = run(capsys, path, "--min-size", "2", "--max-size", "3")
    assert code == 2 and "a friend group of 4 (group 'big') is larger than the maximum team size 3" in err


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_files_give_valid_teams_or_a_reason(tmp_path_factory, data):
    """Whatever the file and options, either every bound holds in the JSON or exit 2 says why."""
    draw = data.draw
    m = draw(st.integers(1, 4))
    chs = [f"K{i}" for i in range(m)]
    n = draw(st.integers(1, 30))
    L = draw(st.integers(1, 4))
    U = draw(st.integers(L, 7))
    lines = ["id,group,skills," + ",".join(chs)]
    groups = {}
    for i in range(n):
        order = draw(st.permutations(chs))
        ranked = draw(st.integers(0, m))
        rank = {c: r + 1 for r, c in enumerate(order[:ranked])}
        group = draw(st.sampled_from(["", "", "", "g1", "g2", "g3"]))
        groups.setdefault(group, []).append(f"p{i}")
        skills = ";".join(draw(st.sets(st.sampled_from(["a", "b", "c"]), max_size=2)))
        lines.append(f"p{i},{group},{skills}," + ",".join(str(rank.get(c, "")) for c in chs))
    path = tmp_path_factory.mktemp("cli") / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capacity = {c: draw(st.integers(0, n)) for c in chs if draw(st.booleans())}
    fixed = {c: draw(st.integers(0, 3)) for c in chs if draw(st.integers(0, 2)) == 0}
    argv = [str(path), "--min-size", str(L), "--max-size", str(U), "--json", "--time-limit", "20"]
    if capacity:
        argv += ["--capacity", *[f"{c}={v}" for c, v in capacity.items()]]
    if fixed:
        argv += ["--teams-per-challenge", *[f"{c}={v}" for c, v in fixed.items()]]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):  # capsys does not reset between hypothesis examples
        code = main(argv)
    assert code in (0, 2)
    if code == 2:
        assert err.getvalue().strip()
        return
    doc = json.loads(out.getvalue())
    placed = [pid for t in doc["teams"] for pid in t["members"]]
    assert sorted(placed) == sorted(f"p{i}" for i in range(n))
    assert all(L <= len(t["members"]) <= U for t in doc["teams"])
    on = Counter()
    for t in doc["teams"]:
        on[t["challenge"]] += len(t["members"])
    assert all(on[c] <= v for c, v in capacity.items())
    per_c = Counter(t["challenge"] for t in doc["teams"])
    assert all(per_c[c] == v for c, v in fixed.items())
    team_of = {pid: i for i, t in enumerate(doc["teams"]) for pid in t["members"]}
    for label, ids in groups.items():
        if label:
            assert len({team_of[p] for p in ids}) == 1
    assert doc["quality"]["groups_split"] == 0
    assert doc["quality"]["worst_rank"] <= doc["quality"]["r_star"] + 1
