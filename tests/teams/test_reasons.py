"""Why settings cannot be met: the optimiser's reason codes, and the organiser's sentences for them."""

import html
import json

import pytest
from django.urls import reverse
from django.utils import translation

from citehack.teams import reasons
from citehack.teams.formation import (
    REASONS, FormationInfeasible, Person, Settings, Team, form_teams, place_late_arrival,
)
from citehack.teams.models import FormationRun, Team as TeamModel, TeamMember
from tests.teams.conftest import choices, form_and_publish, participant, rank


def person(pid, ranks=None, group=None, skills=()):
    return Person(pid, ranks if ranks is not None else {"A": 1, "B": 2}, frozenset(skills), group=group)


def crowd(n, chs=("A", "B"), group=None):
    return [person(f"p{i}", {c: r + 1 for r, c in enumerate(chs)}, group=group) for i in range(n)]


# The optimiser: each refusal carries a code and the figures behind it ---------------------------

CASES = [
    ("min_size_below_one", crowd(2), Settings(min_size=0, max_size=2), {"min_size": 0}),
    ("min_above_max", crowd(2), Settings(min_size=3, max_size=2), {"min_size": 3, "max_size": 2}),
    ("no_challenges", crowd(2), Settings(min_size=1, max_size=2, challenges=[]), {}),
    ("group_too_large", crowd(4, group="g"), Settings(min_size=1, max_size=3),
     {"group": "g", "size": 4, "max_size": 3}),
    ("capacity_below_min", crowd(6), Settings(min_size=3, max_size=4, capacity={"A": 2}),
     {"challenge": "A", "capacity": 2, "min_size": 3}),
    ("capacity_below_fixed_teams", crowd(12), Settings(min_size=3, max_size=4, capacity={"A": 5},
                                                       teams_per_challenge={"A": 2}),
     {"challenge": "A", "capacity": 5, "teams": 2, "needed": 6, "short": 1}),
    ("group_locked_apart", crowd(4, group="g"), Settings(min_size=2, max_size=4, locks={"p0": "A", "p1": "B"}),
     {"group": "g", "challenges": ["A", "B"]}),
    ("group_locked_to_teams", crowd(4, group="g"),
     Settings(min_size=2, max_size=4, locks={"p0": "A", "p1": "A"}, team_locks={"p0": 0, "p1": 1}),
     {"group": "g", "challenge": "A", "teams": [1, 2]}),
    ("team_lock_over_max", crowd(8), Settings(min_size=2, max_size=2, locks={f"p{i}": "A" for i in range(3)},
                                              team_locks={f"p{i}": 0 for i in range(3)}),
     {"challenge": "A", "team": 1, "people": 3, "max_size": 2}),
    ("team_lock_missing_team", crowd(8), Settings(min_size=2, max_size=4, teams_per_challenge={"A": 1},
                                                  locks={"p0": "A"}, team_locks={"p0": 1}),
     {"challenge": "A", "team": 2, "teams": 1}),
    ("locked_over_capacity", crowd(8), Settings(min_size=2, max_size=4, capacity={"A": 2},
                                                locks={f"p{i}": "A" for i in range(3)}),
     {"challenge": "A", "people": 3, "most": 2, "excess": 1}),
    ("team_locks_over_capacity", crowd(8), Settings(min_size=2, max_size=4, capacity={"A": 3},
                                                    locks={"p0": "A"}, team_locks={"p0": 1}),
     {"challenge": "A", "teams": 2, "capacity": 3, "most_teams": 1}),
    ("too_few_people", crowd(5, chs=("A", "B", "C")),
     Settings(min_size=2, max_size=4, teams_per_challenge={"A": 1, "B": 1, "C": 1}),
     {"people": 5, "needed": 6, "short": 1, "fixed_teams": {"A": 1, "B": 1, "C": 1}}),
    ("too_few_places", crowd(9), Settings(min_size=2, max_size=3, teams_per_challenge={"A": 1, "B": 1}),
     {"people": 9, "places": 6, "missing": 3, "teams": 2, "suggested_max_size": 5}),
    ("too_few_places", crowd(9), Settings(min_size=2, max_size=3, capacity={"A": 3, "B": 4}),
     {"people": 9, "places": 7, "missing": 2, "by_challenge": {"A": 3, "B": 4}}),
    ("sizes_cannot_split", crowd(5), Settings(min_size=3, max_size=4),
     {"people": 5, "teams": 1, "most": 4, "least": 6}),
    ("sizes_cannot_split", crowd(2), Settings(min_size=3, max_size=4),
     {"people": 2, "teams": 0, "most": 0, "least": 3}),
    ("groups_cannot_fit", [*crowd(3, group="g")[:3], *[person(f"q{i}", group="h") for i in range(3)],
                           *[person(f"r{i}", group="k") for i in range(2)]],
     Settings(min_size=4, max_size=4), {"group_sizes": [3, 3, 2], "outside": 0}),
]


@pytest.mark.parametrize("code, people, options, expected", CASES, ids=[c[0] for c in CASES])
def test_each_refusal_says_which_bound_as_data(code, people, options, expected):
    with pytest.raises(FormationInfeasible) as caught:
        form_teams(people, options)

    error = caught.value
    assert error.code == code, str(error)
    for key, value in expected.items():
        assert error.params[key] == value, (key, error.params)
    assert REASONS[code] <= error.params.keys()
    json.dumps(error.params)  # stored on the run as it is


def test_a_late_arrival_refusal_says_why_as_data():
    teams = [Team("A", ("p0", "p1")), Team("B", ("p2", "p3"))]
    known = crowd(4)
    with pytest.raises(FormationInfeasible) as caught:
        place_late_arrival(teams, person("late"), Settings(min_size=1, max_size=2), people=known)
    assert caught.value.code == "all_teams_full" and caught.value.params == {"max_size": 2}

    friends = [person("p0", group="g"), *known[1:]]
    with pytest.raises(FormationInfeasible) as caught:
        place_late_arrival(teams, person("late", group="g"), Settings(min_size=1, max_size=2), people=friends)
    assert caught.value.code == "group_team_full"
    assert caught.value.params == {"group": "g", "challenge": "A", "members": 2, "max_size": 2}

    with pytest.raises(FormationInfeasible) as caught:
        place_late_arrival([], person("late"), Settings(min_size=1, max_size=2))
    assert caught.value.code == "no_teams"


def test_a_refusal_needs_a_known_code_and_its_figures():
    with pytest.raises(ValueError, match="unknown reason code"):
        FormationInfeasible("x", code="nope")
    with pytest.raises(ValueError, match="needs"):
        FormationInfeasible("x", code="min_above_max", min_size=3)


# The organiser's sentences ------------------------------------------------------------------------

C1 = {"number": 1, "title": "Mobilité"}
C2 = {"number": 2, "title": "Emploi"}
SAMPLES = {
    "min_size_below_one": {"min_size": 0},
    "min_above_max": {"min_size": 5, "max_size": 3},
    "no_challenges": {},
    "group_too_large": {"group": ["Ana", "Bo"], "size": 9, "max_size": 7},
    "capacity_below_min": {"challenge": C1, "capacity": 3, "min_size": 4},
    "capacity_below_fixed_teams": {"challenge": C1, "capacity": 7, "teams": 2, "min_size": 4, "needed": 8,
                                   "short": 1},
    "group_locked_apart": {"group": ["Ana", "Bo"], "challenges": [C1, C2]},
    "group_locked_to_teams": {"group": ["Ana", "Bo"], "challenge": C1, "teams": [1, 2]},
    "team_lock_over_max": {"challenge": C1, "team": 1, "people": 9, "max_size": 7},
    "team_lock_missing_team": {"challenge": C1, "team": 3, "teams": 2},
    "locked_over_capacity": {"challenge": C1, "people": 9, "most": 7, "excess": 2},
    "team_locks_over_capacity": {"challenge": C1, "teams": 3, "capacity": 11, "most_teams": 2},
    "too_few_people": {"people": 23, "needed": 28, "short": 5, "min_size": 4, "fixed_teams": [[C1, 1], [C2, 1]]},
    "too_few_places": {"people": 52, "places": 42, "missing": 10, "max_size": 6, "by_challenge": None,
                       "teams": 7, "suggested_max_size": 8},
    "sizes_cannot_split": {"people": 5, "min_size": 3, "max_size": 4, "teams": 1, "most": 4, "least": 6},
    "groups_cannot_fit": {"group_sizes": [3, 3, 2], "outside": 1, "min_size": 4, "max_size": 4},
    "locks_conflict": {"min_size": 4, "max_size": 6},
    "capacities_conflict": {"min_size": 4, "max_size": 6},
    "no_assignment": {"min_size": 4, "max_size": 6},
    "time_limit": {"time_limit": 17},
    "groups_not_packed": {},
    "group_team_full": {"group": ["Ana"], "challenge": C1, "members": 7, "max_size": 7},
    "locked_challenge_full": {"person": "Ana", "challenge": C1, "max_size": 7},
    "no_teams": {},
    "all_teams_full": {"max_size": 7},
    "unit_fits_nowhere": {"group": None, "person": "Ana Lopez", "size": 1},
}


# Figures a sentence may leave out: a person is one person.
UNSAID = {("unit_fits_nowhere", "size")}


def test_every_reason_code_has_a_sample_here():
    assert set(SAMPLES) == set(REASONS)


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_reads_in_french_and_english_without_command_line_flags(code):
    record = {"code": code, "params": SAMPLES[code]}
    with translation.override("en"):
        english = reasons.describe(record)
    with translation.override("fr"):
        french = reasons.describe(record)

    assert english and french and english != french
    for text in (english, french):
        assert "--" not in text and "%(" not in text
        numbers = [v for k, v in SAMPLES[code].items() if isinstance(v, int) and (code, k) not in UNSAID]
        for number in numbers:
            assert str(number) in text, (number, text)
    if "challenge" in SAMPLES[code]:
        assert "Mobilité" in english and "Mobilité" in french


def test_specific_sentences():
    with translation.override("fr"):
        text = reasons.describe({"code": "too_few_places", "params": SAMPLES["too_few_places"]})
        assert text == ("52 personnes mais au plus 7 équipes d'au plus 6, soit 42 places : il manque 10 places. "
                        "Portez la taille maximale des équipes à 8 ou autorisez plus d'équipes.")
        closed = {**SAMPLES["locked_over_capacity"], "most": 0, "people": 1}
        assert "fermé" in reasons.describe({"code": "locked_over_capacity", "params": closed})
        one = reasons.describe({"code": "too_few_people",
                                "params": {**SAMPLES["too_few_people"], "fixed_teams": [[C1, 2]]}})
        assert "défi 1 (Mobilité) : 2" in one
        some = reasons.describe({"code": "too_few_people", "params": {**SAMPLES["too_few_people"], "challenge_count": 3}})
        assert some.startswith("Avec les nombres d'équipes fixés (défi 1 (Mobilité) : 1, défi 2 (Emploi) : 1)")
        every = reasons.describe({"code": "too_few_people", "params": {**SAMPLES["too_few_people"], "challenge_count": 2}})
        assert every.startswith("Avec une équipe pour chacun des 2 défis et des équipes d'au moins 4")


def test_too_few_people_for_a_single_team():
    record = {"code": "sizes_cannot_split",
              "params": {"people": 2, "min_size": 3, "max_size": 4, "teams": 0, "most": 0, "least": 3}}
    with translation.override("fr"):
        assert reasons.describe(record) == ("2 personnes ne peuvent pas former une équipe d'au moins 3 : "
                                            "baissez la taille minimale des équipes à 2.")
    with pytest.raises(FormationInfeasible, match="^2 people cannot make a team of at least 3; lower --min-size to 2$"):
        form_teams(crowd(2), Settings(min_size=3, max_size=4))


def test_an_unreadable_record_gives_none_not_an_error():
    assert reasons.describe(None) is None
    assert reasons.describe({"code": "nope"}) is None
    assert reasons.describe({"code": "min_above_max", "params": {"min_size": 3}}) is None


# The pages ---------------------------------------------------------------------------------------


def url(name, event, *args):
    return reverse(f"teams:{name}", args=[event.slug, *args])


def test_the_run_records_the_reason_with_challenges_and_people_named(event, organiser, challenges, people):
    run = _lock_three_on_first_challenge(event, organiser, challenges, people)

    assert run.status == "infeasible"
    assert run.reason["code"] == "locked_over_capacity"
    assert run.reason["params"]["challenge"] == {"number": 1, "title": challenges[0].title}
    assert "too many" in run.message  # the optimiser's own sentence is kept too


def _lock_three_on_first_challenge(event, organiser, challenges, people):
    from citehack.teams import services

    services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=1, max_size=3,
                                                                         per_challenge=None))
    team = TeamModel.objects.filter(event=event, challenge=challenges[0]).first()
    for user in people[:3]:
        member = TeamMember.objects.get(user=user)
        if member.team_id != team.pk:
            member.team = team
        member.locked = True
        member.save()
    return services.run_formation(actor=organiser, event=event,
                                  choices=choices(challenges, min_size=1, max_size=3, per_challenge=None,
                                                  capacity={challenges[0].pk: 2}))


def test_a_friend_group_is_named_by_its_members(event, organiser, challenges):
    from citehack.teams import services

    first, second = participant(event), participant(event)
    for user in (first, second):
        rank(event, user, challenges)
    code = services.create_friend_group(actor=first, event=event).code
    member = services.join_friend_group(actor=second, event=event, code=code)
    services.accept_friend(actor=first, event=event, member_id=member.pk)
    run = services.run_formation(actor=organiser, event=event, choices=choices(challenges, min_size=1, max_size=1,
                                                                               per_challenge=None))
    assert run.reason["code"] == "group_too_large"
    assert sorted(run.reason["params"]["group"]) == sorted([first.name, second.name])


def test_the_page_explains_in_french_without_command_line_flags(client, event, organiser, challenges, people):
    FormationRun.objects.all().delete()
    client.force_login(organiser)
    client.cookies["django_language"] = "fr"
    client.post(url("run", event), {"min_size": "5", "max_size": "5", "fairness": "on", "skill_coverage": "on",
                                    "time_limit": "10", **{f"teams_{c.pk}": "1" for c in challenges},
                                    **{f"capacity_{c.pk}": "" for c in challenges}})

    with translation.override("fr"):
        body = html.unescape(client.get(url("manage", event)).content.decode())
    run = FormationRun.objects.get()
    assert run.status == "infeasible" and run.reason["code"] == "too_few_people"
    assert "Ces réglages sont impossibles à respecter" in body
    assert "Avec une équipe pour chacun des 3 défis et des équipes d'au moins 5, il faut 15 personnes" in body
    assert "--min-size" not in body and "people short" not in body


def test_a_late_arrival_refusal_is_explained_in_french(client, event, organiser, challenges, people):
    form_and_publish(event, organiser, challenges, min_size=2, max_size=2)
    late = participant(event)
    client.force_login(organiser)
    client.cookies["django_language"] = "fr"

    with translation.override("fr"):
        body = html.unescape(client.post(url("late", event), {"user": late.pk}, follow=True).content.decode())

    assert "Aucune équipe ne peut accueillir cette personne." in body
    assert "Toutes les équipes sont complètes (2 personnes au plus)" in body
    assert "--max-size" not in body
    assert not TeamMember.objects.filter(user=late).exists()


def test_a_reason_with_unexpected_figures_falls_back_to_the_optimisers_sentence(db):
    error = FormationInfeasible("friend group 'g' has members locked to A and B", code="group_locked_apart",
                                group="g", challenges=5)
    assert reasons.as_record(error, challenge_of_id={}, people=[]) is None


def test_sentences_agree_in_number_and_name_only_settings_the_organiser_made():
    with translation.override("en"):
        one_short = reasons.describe({"code": "capacity_below_fixed_teams", "params": {
            "challenge": C1, "capacity": 7, "teams": 2, "min_size": 4, "needed": 8, "short": 1}})
        assert "1 place short" in one_short and "2 teams" in one_short and one_short.startswith("The capacity")
        one_team = reasons.describe({"code": "too_few_places", "params": {
            "people": 9, "places": 6, "missing": 3, "max_size": 6, "by_challenge": None, "teams": 1,
            "suggested_max_size": 9}})
        assert "at most 1 team of at most 6" in one_team and "3 places missing" in one_team
        no_team = reasons.describe({"code": "too_few_places", "params": {
            "people": 9, "places": 0, "missing": 9, "max_size": 6, "by_challenge": None, "teams": 0,
            "suggested_max_size": None}})
        assert "no team is allowed" in no_team and "maximum team size" not in no_team
        assert "(20 s)" in reasons.describe({"code": "time_limit", "params": {"time_limit": 20.0}})


def test_team_locks_beyond_what_the_people_can_fill_do_not_name_a_capacity_nobody_set():
    people = crowd(8)
    with pytest.raises(FormationInfeasible) as caught:
        form_teams(people, Settings(min_size=4, max_size=4, locks={"p0": "A"}, team_locks={"p0": 2}))
    assert caught.value.code == "team_locks_over_capacity" and caught.value.params["capacity"] is None
    with translation.override("en"):
        text = reasons.describe({"code": caught.value.code, "params": {**caught.value.params, "challenge": C1}})
    assert "8 people make at most 2 teams of at least 4" in text and "capacity" not in text


def test_a_late_friend_whose_groups_team_has_room_but_the_challenge_is_full_is_told_so():
    teams = [Team("A", ("p0", "p1")), Team("B", ("p2", "p3"))]
    friends = [person("p0", group="g"), *crowd(4)[1:]]
    with pytest.raises(FormationInfeasible) as caught:
        place_late_arrival(teams, person("late", group="g"), Settings(min_size=1, max_size=3, capacity={"A": 2}),
                           people=friends)
    assert caught.value.code == "group_team_full" and caught.value.params["at_capacity"] is True
    with translation.override("en"):
        text = reasons.describe({"code": caught.value.code, "params": {**caught.value.params, "challenge": C1}})
    assert "has room" in text and "raise the capacity" in text
