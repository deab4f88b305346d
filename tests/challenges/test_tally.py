import hashlib
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citehack.challenges.tally import (
    DEFAULT_SEED,
    RULES,
    TallyError,
    seed_commitment,
    tally,
    tie_break_order,
)

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
APPROVAL_RULES = ["av", "seqphragmen", "equal-shares"]
RANKING_RULES = ["schulze", "stv"]
A = [f"A{i}" for i in range(1, 8)]
B = [f"B{i}" for i in range(1, 8)]
POLARISED = [(frozenset(A), 60), (frozenset(B), 40)]


def test_rules_declare_ballot_kind_explanation_and_version():
    assert set(RULES) == {"av", "seqphragmen", "equal-shares", "schulze", "stv"}
    for rule, info in RULES.items():
        assert info.ballot == ("approval" if rule in APPROVAL_RULES else "ranking")
        assert info.explanation and info.name and info.version


# -- the seed ---------------------------------------------------------------------------


def test_seed_commitment_is_the_sha256_of_the_seed():
    assert seed_commitment("fête 2025") == hashlib.sha256("fête 2025".encode()).hexdigest()
    assert seed_commitment("") == hashlib.sha256(b"").hexdigest()


def test_tie_break_order_sorts_by_hash_of_seed_and_candidate():
    expected = sorted("ABCD", key=lambda c: hashlib.sha256(f"s:{c}".encode()).hexdigest())
    assert tie_break_order("s", list("ABCD")) == expected
    assert tie_break_order("s", list("DCBA")) == expected  # listing order plays no part


def test_result_carries_seed_and_its_hash():
    result = tally("av", ["x", "y"], [(frozenset({"x"}), 1)], 1, seed="abc")
    assert (result.seed, result.seed_hash) == ("abc", seed_commitment("abc"))
    assert tally("av", ["x", "y"], [(frozenset({"x"}), 1)], 1).seed == DEFAULT_SEED == ""


# -- approval voting --------------------------------------------------------------------


def test_av_takes_the_most_approved():
    ballots = [(frozenset("AB"), 3), (frozenset("A"), 2), (frozenset("C"), 4), (frozenset("D"), 1)]
    result = tally("av", list("ABCD"), ballots, 2)
    assert result.winners == ["A", "C"]
    assert result.counts == {"A": 5, "B": 3, "C": 4, "D": 1}
    assert result.ballots == 10
    assert result.ties == []


def test_av_reports_a_tie_at_the_cut_only():
    ballots = [(frozenset("AB"), 2), (frozenset("CD"), 1)]
    result = tally("av", list("ABCD"), ballots, 3, seed="x")
    assert result.winners[:2] in (["A", "B"], ["B", "A"])
    assert result.winners[2] in ("C", "D")
    [tie] = result.ties
    assert tie["tied"] == ["C", "D"] and tie["chosen"] == [result.winners[2]]
    assert tie["how"] == "seeded order" and tie["value"] == 1
    favoured = [c for c in tie_break_order("x", list("ABCD")) if c in "CD"][0]
    assert result.winners[2] == favoured


def test_polarised_60_40_av_gives_every_seat_to_the_majority():
    assert sorted(tally("av", A + B, POLARISED, 7).winners) == A


@pytest.mark.parametrize("rule", ["seqphragmen", "equal-shares"])
def test_polarised_60_40_proportional_rules_give_4_and_3(rule):
    winners = tally(rule, A + B, POLARISED, 7).winners
    assert len([w for w in winners if w in A]) == 4
    assert len([w for w in winners if w in B]) == 3


# -- sequential Phragmén ----------------------------------------------------------------

SMALL = [(frozenset("AB"), 3), (frozenset("AC"), 2), (frozenset("C"), 2)]


def test_seqphragmen_hand_computed():
    # Round 1: A 1/5, B 1/3, C 1/4 -> A; loads AB, AC = 1/5.
    # Round 2: B (3/5 + 1)/3 = 8/15, C (2/5 + 1)/4 = 7/20 -> C.
    result = tally("seqphragmen", list("ABC"), SMALL, 2)
    assert result.winners == ["A", "C"]
    assert [r["max_load"] for r in result.details["rounds"]] == [Fraction(1, 5), Fraction(7, 20)]
    assert result.counts == {"A": 5, "B": 3, "C": 4}


def test_seqphragmen_fills_with_unapproved_candidates_in_seeded_order():
    result = tally("seqphragmen", list("ABCD"), [(frozenset("A"), 5)], 3, seed="s")
    assert result.winners[0] == "A"
    expected = [c for c in tie_break_order("s", list("ABCD")) if c != "A"][:2]
    assert result.winners[1:] == expected
    [tie] = result.ties
    assert tie["stage"] == "fill: no approvals left"
    assert tie["tied"] == ["B", "C", "D"] and tie["chosen"] == expected


# -- Equal Shares -----------------------------------------------------------------------


def test_equal_shares_hand_computed_with_phragmen_completion():
    # Budgets 2/7 each. A costs 1/5 per supporter (B unaffordable: 6/7 < 1; C 1/4) -> A.
    # Left: AB, AC 3/35; C 10/35. Nothing affordable: Phragmén from loads -3/35, -10/35:
    # B (1 - 9/35)/3 = 26/105, C (1 - 26/35)/4 = 9/140 -> C.
    result = tally("equal-shares", list("ABC"), SMALL, 2)
    assert result.winners == ["A", "C"]
    first, second = result.details["rounds"]
    assert first["phase"] == "equal shares" and first["price_per_voter"] == Fraction(1, 5)
    assert first["budget_left"] == Fraction(2) - 1
    assert second["phase"] == "phragmen completion" and second["max_load"] == Fraction(9, 140)
    assert result.details["completed_by_phragmen"] is True


def test_equal_shares_tie_in_the_first_round_then_completion():
    # 3 voters {A,B}, 1 voter {C}, k=2, budgets 1/2. A and B both cost 1/3 per supporter:
    # a tie. Then nothing is affordable (3 x 1/6, 1/2); Phragmén from loads -1/6, -1/2
    # gives the other of A, B load 1/6 against C's 1/2.
    ballots = [(frozenset("AB"), 3), (frozenset("C"), 1)]
    result = tally("equal-shares", list("ABC"), ballots, 2, seed="t")
    assert sorted(result.winners) == ["A", "B"]
    [tie] = result.ties
    assert tie["stage"] == "equal shares" and tie["tied"] == ["A", "B"]
    assert tie["value"] == Fraction(1, 3)
    assert result.details["rounds"][1]["max_load"] == Fraction(1, 6)


def test_equal_shares_with_only_blank_ballots_fills_in_seeded_order():
    result = tally("equal-shares", list("ABC"), [(frozenset(), 4)], 2, seed="q")
    assert result.winners == tie_break_order("q", list("ABC"))[:2]
    assert result.ballots == 4
    assert result.counts == {"A": 0, "B": 0, "C": 0}


def test_blank_approval_ballots_count_and_shrink_budgets():
    with_blank = tally("equal-shares", list("AB"), [(frozenset("A"), 1), (frozenset(), 3)], 1)
    assert with_blank.ballots == 4
    assert with_blank.winners == ["A"]
    assert with_blank.details["completed_by_phragmen"] is True  # 1 voter holds 1/4 < 1


# -- Schulze ----------------------------------------------------------------------------

# The example of the Wikipedia article "Schulze method": ranking E > A > C > B > D.
WIKIPEDIA = [
    (tuple("ACBED"), 5),
    (tuple("ADECB"), 5),
    (tuple("BEDAC"), 8),
    (tuple("CABED"), 3),
    (tuple("CAEBD"), 7),
    (tuple("CBADE"), 2),
    (tuple("DCEBA"), 7),
    (tuple("EBADC"), 8),
]


def test_schulze_hand_computed_ranking():
    result = tally("schulze", list("ABCDE"), WIKIPEDIA, 3)
    assert result.winners == ["E", "A", "C"]
    assert result.details["ranking"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert result.details["pairwise"]["A"]["B"] == 20
    assert result.details["strongest_paths"]["E"]["D"] == 31 - 14  # via E-D margin 17
    assert result.counts == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}
    assert result.ballots == 45 and result.ties == []


def test_schulze_counts_unranked_below_ranked_and_accepts_equal_ranks():
    ballots = [({"A": 1, "B": 1}, 2), (("C",), 1)]
    result = tally("schulze", list("ABC"), ballots, 1, seed="z")
    assert result.details["ranking"] == [["A", "B"], ["C"]]
    [tie] = result.ties
    assert tie["tied"] == ["A", "B"]
    assert result.winners == [[c for c in tie_break_order("z", list("ABC")) if c != "C"][0]]


# -- Scottish STV -----------------------------------------------------------------------


def test_stv_hand_computed_with_truncated_transfer_values():
    # Quota 11 // 3 + 1 = 4. A elected with 6; the surplus 2 moves at 0.33333 per paper,
    # so B gets 1.99998 and is excluded before D (2). D's papers then elect C.
    ballots = [(("A", "B"), 6), (("C",), 3), (("D", "C"), 2)]
    result = tally("stv", list("ABCD"), ballots, 2)
    assert result.winners == ["A", "C"]
    assert result.details["quota"] == 4
    events = [(s["event"], s["candidates"]) for s in result.details["stages"]]
    assert events == [
        ("first preferences", []),
        ("elected", ["A"]),
        ("surplus transferred", ["A"]),
        ("excluded", ["B"]),
        ("excluded", ["D"]),
        ("elected", ["C"]),
    ]
    after_surplus = result.details["stages"][2]["totals"]
    assert after_surplus["B"] == Fraction(199998, 100000)
    assert after_surplus["A"] == Fraction(400002, 100000)
    assert result.ties == []
    assert result.counts == {"A": 6, "B": 0, "C": 3, "D": 2}


def test_stv_exclusion_tie_is_decided_by_an_earlier_stage_whatever_the_seed():
    # Stage 1: A 5, B 3, C 4, D 1. D out -> B 4, C 4 tied lowest; at stage 1 B had less,
    # so B goes (Rule 51) and A wins; excluding C instead would have elected B.
    ballots = [(("A",), 5), (("B",), 3), (("C", "B"), 4), (("D", "B"), 1)]
    for seed in ("", "1", "2", "3"):
        result = tally("stv", list("ABCD"), ballots, 1, seed=seed)
        assert result.winners == ["A"]
        [tie] = result.ties
        assert tie == {
            "stage": "stv exclusion",
            "round": 2,
            "tied": ["B", "C"],
            "chosen": ["B"],
            "how": "totals at an earlier stage",
        }


def test_stv_blank_ballots_are_counted_but_not_in_the_quota():
    result = tally("stv", list("AB"), [(("A",), 3), (("B",), 2), ((), 5)], 1)
    assert result.ballots == 10
    assert result.details["valid_ballots"] == 5 and result.details["quota"] == 3
    assert result.winners == ["A"]


# -- ties and the seed ------------------------------------------------------------------

TIED = {
    "av": [(frozenset({c}), 1) for c in "ABCD"],
    "seqphragmen": [(frozenset({c}), 1) for c in "ABCD"],
    "equal-shares": [(frozenset({c}), 1) for c in "ABCD"],
    "schulze": [((c,), 1) for c in "ABCD"],
    "stv": [((c,), 1) for c in "ABCD"],
}


@pytest.mark.parametrize("rule", sorted(TIED))
def test_perfect_tie_is_reported_and_broken_by_the_seed(rule):
    winners = {}
    for seed in (str(i) for i in range(12)):
        result = tally(rule, list("ABCD"), TIED[rule], 2, seed=seed)
        again = tally(rule, list("ABCD"), TIED[rule], 2, seed=seed)
        assert again.winners == result.winners and again.ties == result.ties
        assert result.ties and all(t["how"] == "seeded order" for t in result.ties)
        winners[seed] = tuple(result.winners)
    assert len(set(winners.values())) > 1


def test_perfect_tie_follows_the_published_order():
    for rule in ("av", "seqphragmen", "equal-shares", "schulze"):
        result = tally(rule, list("ABCD"), TIED[rule], 2, seed="open day")
        assert result.winners == tie_break_order("open day", list("ABCD"))[:2]


def test_stv_perfect_tie_excludes_the_least_favoured():
    order = tie_break_order("open day", list("ABCD"))
    result = tally("stv", list("ABCD"), TIED["stv"], 2, seed="open day")
    assert sorted(result.winners) == sorted(order[:2])
    assert result.ties[0]["chosen"] == [order[-1]]


def test_ties_are_never_broken_by_listing_order():
    ballots = [(frozenset({c}), 1) for c in "ABCD"]
    firsts = {tally("av", list("ABCD"), ballots, 1, seed=str(s)).winners[0] for s in range(40)}
    assert firsts == set("ABCD")


# -- errors -----------------------------------------------------------------------------

ONE = [(frozenset("A"), 1)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tally("borda", list("AB"), ONE, 1), "unknown rule"),
        (lambda: tally("av", list("AB"), ONE, 0), "between 1 and 2"),
        (lambda: tally("av", list("AB"), ONE, 3), "between 1 and 2"),
        (lambda: tally("av", list("AB"), ONE, 1.0), "integer"),
        (lambda: tally("av", [], ONE, 1), "no candidates"),
        (lambda: tally("av", ["A", "A"], ONE, 1), "twice"),
        (lambda: tally("av", ["A", ""], ONE, 1), "empty"),
        (lambda: tally("av", ["1", 1], ONE, 1), "twice"),
        (lambda: tally("av", list("AB"), [(frozenset("Z"), 1)], 1), "unknown candidate 'Z'"),
        (lambda: tally("av", list("AB"), [(frozenset("A"), 0)], 1), "positive integer"),
        (lambda: tally("av", list("AB"), [(frozenset("A"), -2)], 1), "positive integer"),
        (lambda: tally("av", list("AB"), [(frozenset("A"), 1.5)], 1), "positive integer"),
        (lambda: tally("av", list("AB"), [(frozenset("A"), True)], 1), "positive integer"),
        (lambda: tally("av", list("AB"), [frozenset("A")], 1), "pair"),
        (lambda: tally("av", list("AB"), [], 1), "no ballots"),
        (lambda: tally("av", list("AB"), [(("A", "B"), 1)], 1), "approval ballot must be a set"),
        (lambda: tally("av", list("AB"), [({"A": 1}, 1)], 1), "approval ballot must be a set"),
        (lambda: tally("stv", list("AB"), [(frozenset("A"), 1)], 1), "ranking must be"),
        (lambda: tally("stv", list("AB"), ONE, 1, ballot_kind="approval"), "takes ranking ballots"),
        (lambda: tally("stv", list("AB"), [({"A": 1, "B": 1}, 1)], 1), "equal ranks"),
        (lambda: tally("schulze", list("AB"), [({"A": 0}, 1)], 1), "positive integer"),
        (lambda: tally("schulze", list("AB"), [(("A", "A"), 1)], 1), "twice"),
        (lambda: tally("schulze", list("AB"), [(("Z",), 1)], 1), "unknown candidate"),
        (lambda: tally("av", list("AB"), ONE, 1, seed=3), "seed"),
    ],
)
def test_bad_input_raises_tally_error(call, message):
    with pytest.raises(TallyError, match=message):
        call()


def test_tally_error_is_a_value_error():
    assert issubclass(TallyError, ValueError)


# -- properties -------------------------------------------------------------------------


@st.composite
def profiles(draw, rule):
    m = draw(st.integers(1, 7))
    cands = [f"c{i}" for i in range(m)]
    ballots = []
    for _ in range(draw(st.integers(1, 10))):
        if RULES[rule].ballot == "approval":
            ballot = frozenset(draw(st.sets(st.sampled_from(cands))))
        else:
            ballot = tuple(draw(st.permutations(cands))[: draw(st.integers(0, m))])
            if rule == "schulze" and ballot and draw(st.booleans()):
                ballot = {c: draw(st.integers(1, 3)) for c in ballot}
        ballots.append((ballot, draw(st.integers(1, 6))))
    return cands, ballots, draw(st.integers(1, m))


@pytest.mark.parametrize("rule", sorted(RULES))
@PROPERTY
@given(data=st.data())
def test_winners_are_exactly_k_distinct_candidates(rule, data):
    cands, ballots, k = data.draw(profiles(rule))
    result = tally(rule, cands, ballots, k, seed=data.draw(st.text(max_size=5)))
    assert len(result.winners) == k == len(set(result.winners))
    assert set(result.winners) <= set(cands)
    assert result.ballots == sum(w for _, w in ballots)
    for tie in result.ties:
        assert set(tie["chosen"]) <= set(tie["tied"]) and len(tie["tied"]) > len(tie["chosen"])


@pytest.mark.parametrize("rule", sorted(RULES))
@PROPERTY
@given(data=st.data())
def test_aggregated_ballots_give_the_same_result_as_repeated_ones(rule, data):
    cands, ballots, k = data.draw(profiles(rule))
    repeated = [(ballot, 1) for ballot, weight in ballots for _ in range(weight)]
    random.Random(data.draw(st.integers())).shuffle(repeated)
    aggregated = tally(rule, cands, ballots, k, seed="s")
    one_by_one = tally(rule, cands, repeated, k, seed="s")
    assert one_by_one.winners == aggregated.winners
    assert one_by_one.ties == aggregated.ties
    assert one_by_one.counts == aggregated.counts
    assert one_by_one.details == aggregated.details


def test_equal_shares_is_exact_where_floats_would_blur_a_tie():
    # Two candidates whose prices differ by far less than float precision.
    big = 10**17
    ballots = [(frozenset("A"), big), (frozenset("B"), big + 1), (frozenset("C"), 1)]
    result = tally("equal-shares", list("ABC"), ballots, 1)
    assert result.winners == ["B"] and result.ties == []


def test_to_dict_is_json_ready():
    import json

    result = tally("equal-shares", list("ABC"), SMALL, 2)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["winners"] == ["A", "C"]
    assert data["details"]["rounds"][0]["price_per_voter"] == 0.2
