"""The rules agree with their reference implementations on random tie-free profiles.

abcvoting defines av, seqphragmen and equal-shares; pref_voting defines Beat Path
(Schulze) and Scottish STV. Profiles where the reference finds several outcomes, or has to
draw lots, are discarded: there the seeded tie-break is meant to differ from theirs.
"""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from citehack.challenges.tally import tally

abcrules = pytest.importorskip("abcvoting.abcrules")
from abcvoting.preferences import Profile, Voter  # noqa: E402
from pref_voting.margin_based_methods import beat_path, beat_path_defeat  # noqa: E402
from pref_voting.profiles_with_ties import ProfileWithTies  # noqa: E402
from pref_voting.proportional_methods import stv_scottish  # noqa: E402

ORACLE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def test_abcvoting_computes_these_rules_without_a_gurobi_licence(tmp_path):
    """abcvoting imports gurobipy, but av, seqphragmen and equal-shares never build a model."""
    code = (
        "from abcvoting import abcrules\n"
        "from abcvoting.preferences import Profile\n"
        "p = Profile(3)\n"
        "p.add_voters([{0}, {1, 2}])\n"
        "print([sorted(abcrules.compute(r, p, 2)[0]) for r in ('av', 'seqphragmen', 'equal-shares')])\n"
        "import gurobipy\n"
        "try:\n"
        "    gurobipy.Model()\n"
        "except gurobipy.GurobiError:\n"
        "    print('no licence')\n"
    )
    env = {**os.environ, "GRB_LICENSE_FILE": str(tmp_path / "absent.lic")}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[:2] == ["[[0, 1], [0, 1], [0, 1]]", "no licence"]


@st.composite
def approval_profiles(draw, max_cands=9, clones=False):
    m = draw(st.integers(2, max_cands))
    ballots = draw(
        st.lists(
            st.tuples(st.frozensets(st.integers(0, m - 1), max_size=m), st.integers(1, 40)),
            min_size=1,
            max_size=14,
        )
    )
    # Clones (candidates approved on exactly the same ballots) are always tied, and make
    # abcvoting's search over every tie-break order factorial: keep one of each, unless
    # the profile is small and meant to hold ties.
    approvers = {}
    for c in range(m):
        key = c if clones else frozenset(i for i, (b, _) in enumerate(ballots) if c in b)
        approvers.setdefault(key, c)
    kept = sorted(approvers.values())
    assume(len(kept) >= 2)
    renumber = {c: i for i, c in enumerate(kept)}
    ballots = [(frozenset(renumber[c] for c in b if c in renumber), w) for b, w in ballots]
    return len(kept), ballots, draw(st.integers(1, len(kept) - 1))


@st.composite
def ranking_profiles(draw, *, equal_ranks, max_seats_left=0):
    m = draw(st.integers(2, 8 if max_seats_left else 7))
    ballots = []
    for _ in range(draw(st.integers(1, 14))):
        order = draw(st.permutations(range(m)))
        length = draw(st.integers(1, m))
        if equal_ranks:
            ranks, rank = {}, 0
            for c in order[:length]:
                rank += draw(st.sampled_from([0, 1, 1, 1])) or (rank == 0)
                ranks[c] = rank
            ballots.append((ranks, draw(st.integers(1, 40))))
        else:
            ballots.append((tuple(order[:length]), draw(st.integers(1, 40))))
    return m, ballots, draw(st.integers(1, max(1, m - max_seats_left)))


def abc_committees(rule, m, ballots, k, at_most=2):
    profile = Profile(num_cand=m)
    profile.add_voters([Voter(b, weight=w) for b, w in ballots])
    algorithm = "standard" if rule == "av" else "standard-fractions"
    return abcrules.compute(
        rule, profile, k, resolute=False, max_num_of_committees=at_most, algorithm=algorithm
    )


def check_against_abcvoting(rule, profile):
    m, ballots, k = profile
    committees = abc_committees(rule, m, ballots, k)
    assume(len(committees) == 1)
    result = tally(rule, list(range(m)), ballots, k)
    assert set(result.winners) == set(committees[0])
    if rule == "equal-shares":
        event(f"completed by Phragmén: {result.details['completed_by_phragmen']}")
    event(f"ties broken by seed on the way: {bool(result.ties)}")


@settings(ORACLE, max_examples=900)
@given(approval_profiles())
def test_av_agrees_with_abcvoting(profile):
    check_against_abcvoting("av", profile)


@settings(ORACLE, max_examples=700)
@given(approval_profiles())
def test_seqphragmen_agrees_with_abcvoting(profile):
    check_against_abcvoting("seqphragmen", profile)


@settings(ORACLE, max_examples=700)
@given(approval_profiles())
def test_equal_shares_agrees_with_abcvoting(profile):
    check_against_abcvoting("equal-shares", profile)


@settings(ORACLE, max_examples=100)
@given(approval_profiles())
def test_equal_shares_agrees_with_abcvoting_resolute_float_default(profile):
    """abcvoting's default (floats, lowest index on ties) on profiles it finds tie-free."""
    m, ballots, k = profile
    assume(len(abc_committees("equal-shares", m, ballots, k)) == 1)
    p = Profile(num_cand=m)
    p.add_voters([Voter(b, weight=w) for b, w in ballots])
    reference = abcrules.compute("equal-shares", p, k, resolute=True)
    assert set(tally("equal-shares", list(range(m)), ballots, k).winners) == set(reference[0])


@pytest.mark.parametrize("rule", ["av", "seqphragmen", "equal-shares"])
@settings(ORACLE, max_examples=150)
@given(profile=approval_profiles(max_cands=5, clones=True))
def test_seeded_tie_breaks_give_one_of_abcvoting_committees(rule, profile):
    """With ties, abcvoting lists the committees of every tie-break order; ours is one."""
    m, ballots, k = profile
    committees = {frozenset(c) for c in abc_committees(rule, m, ballots, k, at_most=None)}
    for seed in ("", "1", "2"):
        result = tally(rule, list(range(m)), ballots, k, seed=seed)
        assert frozenset(result.winners) in committees
        assert bool(result.ties) or len(committees) == 1
    event(f"several committees: {len(committees) > 1}")


def pref_voting_profile(m, ballots):
    rankings = [b if isinstance(b, dict) else {c: r for r, c in enumerate(b, start=1)} for b, _ in ballots]
    return ProfileWithTies(rankings, [w for _, w in ballots], candidates=list(range(m)))


def defeat_levels(defeats, m):
    remaining, levels = set(range(m)), []
    while remaining:
        level = {a for a in remaining if not any(defeats.has_edge(b, a) for b in remaining)}
        levels.append(level)
        remaining -= level
    return levels


@settings(ORACLE, max_examples=700)
@given(ranking_profiles(equal_ranks=True))
def test_schulze_agrees_with_pref_voting_beat_path(profile):
    m, ballots, k = profile
    reference = pref_voting_profile(m, ballots)
    reference.use_extended_strict_preference()  # unranked below ranked, as citehack counts
    result = tally("schulze", list(range(m)), ballots, k)
    levels = defeat_levels(beat_path_defeat(reference), m)
    assert [set(level) for level in result.details["ranking"]] == levels
    assert set(result.details["ranking"][0]) == set(beat_path(reference))
    chosen, cut = set(), set()
    for level in levels:
        if len(chosen) + len(level) > k:
            cut = level
            break
        chosen |= level
    # A level straddling the cut is a tie: the seed picks among it.
    assert chosen <= set(result.winners) <= chosen | cut
    assert bool(result.ties) == (len(chosen) < k)


class RecordingLot:
    """Stands in for pref_voting's random source and remembers whether lots were drawn."""

    def __init__(self):
        self.drawn = False

    def choice(self, options):
        self.drawn = True
        return options[0]


@settings(ORACLE, max_examples=700)
@given(ranking_profiles(equal_ranks=False, max_seats_left=2))
def test_stv_agrees_with_pref_voting_scottish_stv(profile):
    m, ballots, k = profile
    lot = RecordingLot()
    reference = stv_scottish(pref_voting_profile(m, ballots), num_seats=k, rng=lot)
    assume(not lot.drawn)
    result = tally("stv", list(range(m)), ballots, k)
    assert set(result.winners) == set(reference)
    events = {stage["event"] for stage in result.details["stages"]}
    event(f"surplus transferred: {'surplus transferred' in events}")
    event(f"exclusions: {'excluded' in events}")
    event(f"ties decided by earlier stages: {any(t['how'] != 'seeded order' for t in result.ties)}")
