"""The optimiser's refusals in the organiser's words and language.

formation.FormationInfeasible carries a reason code and parameters (see
formation.types.REASONS) next to the English sentence the command line prints. The
optimiser names challenges, people and friend groups by the identifiers the adapter
gave them; `as_record` turns those into what a page can show later (challenge numbers
and titles, people's names) and the result is stored on the run as JSON. `describe`
phrases a record in the language of whoever reads the page, naming the settings on
the page ("maximum team size"), never the command line's flags.
"""

from django.contrib.auth import get_user_model
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .formation import REASONS

CHALLENGE_PARAMS = ("challenge",)


def as_record(error, *, challenge_of_id, people):
    """JSON-ready {"code", "params"} for `error`, identifiers replaced by what people read.

    `challenge_of_id`: the optimiser's challenge identifier -> Challenge; `people`: the
    formation.Person list the optimiser saw (person ids are user pks, as strings). None if
    the parameters are not what this module knows: the page then shows the English sentence.
    """
    try:
        return _record(error, challenge_of_id, people)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _record(error, challenge_of_id, people):
    names = _names(people)

    def challenge(key):
        found = challenge_of_id.get(key)
        if found is None:
            return {"number": None, "title": str(key)}
        return {"number": found.number, "title": found.title}

    def group(label):
        return sorted(names.get(p.id, "?") for p in people if p.group == label)

    params = {}
    for key, value in error.params.items():
        if key == "challenge":
            value = challenge(value)
        elif key == "challenges":
            value = [challenge(c) for c in value]
        elif key in ("fixed_teams", "by_challenge") and value is not None:
            value = [[challenge(c), n] for c, n in value.items()]
        elif key == "group" and value is not None:
            value = group(value)
        elif key == "person" and value is not None:
            value = names.get(value, "?")
        params[key] = value
    return {"code": error.code, "params": params}


def _names(people):
    pks = [int(p.id) for p in people if str(p.id).isdigit()]
    users = get_user_model().objects.filter(pk__in=pks).values_list("pk", "name", "email")
    return {str(pk): name or email for pk, name, email in users}


def _challenge(c):
    if c.get("number") is None:
        return c.get("title", "?")
    # Translators: how a refusal names a challenge: "challenge 2 (Title)".
    return _("challenge %(number)d (%(title)s)") % c


def _sizes(p):
    if p["min_size"] == p["max_size"]:
        return str(p["max_size"])
    # Translators: team sizes, e.g. "teams of 4 to 7 people" -> "4 to 7".
    return _("%(min)d to %(max)d") % {"min": p["min_size"], "max": p["max_size"]}


def _list(names):
    return ", ".join(names)


def _pairs(pairs):
    # Translators: one challenge and a number in a list, e.g. "challenge 2 (Title): 3".
    return ", ".join(_("%(challenge)s: %(count)d") % {"challenge": _challenge(c), "count": n} for c, n in pairs)


def describe(record):
    """The record's sentence in the active language; None if the record cannot be read."""
    if not record or record.get("code") not in REASONS:
        return None
    p = record.get("params") or {}
    try:
        return _SENTENCES[record["code"]](p)
    except (KeyError, TypeError, ValueError):
        return None


def _group_too_large(p):
    return _(
        "The friend group of %(names)s has %(size)d people, more than the maximum team size (%(max)d): "
        "raise the maximum team size to %(size)d, or ask the group to split."
    ) % {"names": _list(p["group"]), "size": p["size"], "max": p["max_size"]}


def _capacity_below_min(p):
    return _(
        "The capacity of %(challenge)s (%(capacity)d) is below the minimum team size (%(min)d): set it to 0 "
        "to close the challenge, or to at least %(min)d."
    ) % {"challenge": _challenge(p["challenge"]), "capacity": p["capacity"], "min": p["min_size"]}


def _teams(n):
    return ngettext("%(count)d team", "%(count)d teams", n) % {"count": n}


def _places(n):
    return ngettext("%(count)d place", "%(count)d places", n) % {"count": n}


def _capacity_below_fixed_teams(p):
    return _(
        "The capacity of %(challenge)s (%(capacity)d) cannot hold %(teams)s of at least %(min)d people "
        "(%(needed)d in all): %(short)s short. Raise the capacity or lower the number of teams."
    ) % {"challenge": _challenge(p["challenge"]), "capacity": p["capacity"], "min": p["min_size"],
         "needed": p["needed"],
         "teams": _teams(p["teams"]),
         "short": _places(p["short"])}


def _group_locked_apart(p):
    first, second = p["challenges"]
    return _(
        "The friend group of %(names)s has members locked to two challenges, %(first)s and %(second)s: "
        "unlock one of them."
    ) % {"names": _list(p["group"]), "first": _challenge(first), "second": _challenge(second)}


def _group_locked_to_teams(p):
    first, second = p["teams"]
    return _(
        "The friend group of %(names)s has members locked to two teams of %(challenge)s (teams %(first)d "
        "and %(second)d): unlock one of them."
    ) % {"names": _list(p["group"]), "challenge": _challenge(p["challenge"]), "first": first, "second": second}


def _team_lock_over_max(p):
    return _(
        "%(people)d people are locked to team %(team)d of %(challenge)s, more than the maximum team size "
        "(%(max)d): unlock some of them or raise the maximum team size."
    ) % {"people": p["people"], "team": p["team"], "challenge": _challenge(p["challenge"]), "max": p["max_size"]}


def _team_lock_missing_team(p):
    return ngettext(
        "Someone is locked to team %(team)d of %(challenge)s, which is to have only %(teams)d team: unlock "
        "them or allow more teams on this challenge.",
        "Someone is locked to team %(team)d of %(challenge)s, which is to have only %(teams)d teams: unlock "
        "them or allow more teams on this challenge.",
        p["teams"],
    ) % {"team": p["team"], "challenge": _challenge(p["challenge"]), "teams": p["teams"]}


def _locked_over_capacity(p):
    values = {"people": p["people"], "challenge": _challenge(p["challenge"]), "most": p["most"],
              "excess": p["excess"]}
    if p["most"] == 0:
        return ngettext(
            "%(people)d person is locked to %(challenge)s, which is closed: unlock them or open the challenge.",
            "%(people)d people are locked to %(challenge)s, which is closed: unlock them or open the challenge.",
            p["people"],
        ) % values
    return _(
        "%(people)d people are locked to %(challenge)s, which takes at most %(most)d: %(excess)d too many. "
        "Unlock some of them or raise its capacity."
    ) % values


def _team_locks_over_capacity(p):
    values = {"teams": p["teams"], "challenge": _challenge(p["challenge"]), "capacity": p.get("capacity"),
              "most": p["most_teams"], "people": p.get("people"), "min": p.get("min_size")}
    if p.get("capacity") is None:
        return _(
            "The locked people need %(teams)d teams on %(challenge)s, but %(people)d people make at most "
            "%(most)d teams of at least %(min)d: unlock some of them or lower the minimum team size."
        ) % values
    return _(
        "The locked people need %(teams)d teams on %(challenge)s, but its capacity (%(capacity)d) holds at "
        "most %(most)d: raise the capacity or unlock some of them."
    ) % values


def _too_few_people(p):
    values = {"needed": p["needed"], "min": p["min_size"], "people": p["people"], "short": p["short"],
              "fixed": _pairs(p["fixed_teams"]), "count": len(p["fixed_teams"])}
    every = len(p["fixed_teams"]) == p.get("challenge_count", len(p["fixed_teams"]))
    if p["fixed_teams"] and every and all(n == 1 for _c, n in p["fixed_teams"]):
        lead = ngettext("With one team for the %(count)d challenge", "With one team for each of the %(count)d challenges",
                        len(p["fixed_teams"])) % values
    else:
        lead = _("With the numbers of teams fixed (%(fixed)s)") % values
    return ngettext(
        "%(lead)s and teams of at least %(min)d, %(needed)d people are needed; there are %(people)d: "
        "%(short)d person short. Lower the minimum team size or fix fewer teams.",
        "%(lead)s and teams of at least %(min)d, %(needed)d people are needed; there are %(people)d: "
        "%(short)d people short. Lower the minimum team size or fix fewer teams.",
        p["short"],
    ) % {**values, "lead": lead}


def _too_few_places(p):
    values = {"people": p["people"], "places": p["places"], "missing": p["missing"], "max": p["max_size"]}
    if p.get("by_challenge"):
        values["detail"] = _pairs(p["by_challenge"])
        return ngettext(
            "%(people)d people but only %(places)d places (%(detail)s): %(missing)d place missing. Raise the "
            "capacities, the maximum team size or the numbers of teams.",
            "%(people)d people but only %(places)d places (%(detail)s): %(missing)d places missing. Raise the "
            "capacities, the maximum team size or the numbers of teams.",
            p["missing"],
        ) % values
    teams = p.get("teams", 0)
    if not teams or not p.get("suggested_max_size"):
        return ngettext(
            "%(people)d people but no team is allowed on any challenge: allow at least one team.",
            "%(people)d people but no team is allowed on any challenge: allow at least one team.",
            p["people"],
        ) % values
    values.update(teams=_teams(teams), suggested=p["suggested_max_size"],
                  missing=_places(p["missing"]))
    return _(
        "%(people)d people but at most %(teams)s of at most %(max)d, that is %(places)d places: %(missing)s "
        "missing. Raise the maximum team size to %(suggested)d or allow more teams."
    ) % values


def _sizes_cannot_split(p):
    if not p["teams"]:
        return ngettext(
            "%(people)d person cannot make a team of at least %(min)d: lower the minimum team size to %(people)d.",
            "%(people)d people cannot make a team of at least %(min)d: lower the minimum team size to %(people)d.",
            p["people"],
        ) % {"people": p["people"], "min": p["min_size"]}
    return ngettext(
        "%(people)d people cannot be split into teams of %(sizes)s: %(teams)d team holds at most %(most)d "
        "people, %(more)d teams need at least %(least)d. Change the minimum or the maximum team size.",
        "%(people)d people cannot be split into teams of %(sizes)s: %(teams)d teams hold at most %(most)d "
        "people, %(more)d teams need at least %(least)d. Change the minimum or the maximum team size.",
        p["teams"],
    ) % {"people": p["people"], "sizes": _sizes(p), "teams": p["teams"], "most": p["most"],
         "more": p["teams"] + 1, "least": p["least"]}


def _groups_cannot_fit(p):
    if not p["outside"]:
        return _(
            "The friend groups (sizes %(sizes_list)s) cannot be kept together in teams of %(sizes)s, and nobody "
            "outside the groups can complete their teams. Widen the team sizes or ask a group to split."
        ) % {"sizes_list": ", ".join(str(s) for s in p["group_sizes"]), "sizes": _sizes(p)}
    return ngettext(
        "The friend groups (sizes %(sizes_list)s) cannot be kept together in teams of %(sizes)s: the "
        "%(outside)d person outside groups is not enough to complete their teams. Widen the team sizes or ask "
        "a group to split.",
        "The friend groups (sizes %(sizes_list)s) cannot be kept together in teams of %(sizes)s: the "
        "%(outside)d people outside groups are not enough to complete their teams. Widen the team sizes or "
        "ask a group to split.",
        p["outside"],
    ) % {"sizes_list": ", ".join(str(s) for s in p["group_sizes"]), "sizes": _sizes(p), "outside": p["outside"]}


def _unit_fits_nowhere(p):
    if p.get("group"):
        return _(
            "The friend group of %(names)s fits on no challenge: the capacities are too small or the "
            "challenges closed."
        ) % {"names": _list(p["group"])}
    return _("%(name)s fits on no challenge: the capacities are too small or the challenges closed.") % {
        "name": p.get("person") or "?"}


def _time_limit(p):
    return _(
        "No set of teams was found within the time limit (%(seconds)s s): raise the time limit and run again."
    ) % {"seconds": number_format(p["time_limit"], decimal_pos=0 if float(p["time_limit"]).is_integer() else 1)}


def _group_team_full(p):
    if p.get("at_capacity"):
        return _(
            "The team of this person's friend group has room, but %(challenge)s is at its capacity: raise the "
            "capacity of this challenge."
        ) % {"challenge": _challenge(p["challenge"])}
    return _(
        "The team of this person's friend group, on %(challenge)s, is full (%(members)d of at most %(max)d): "
        "raise the maximum team size to %(next)d, or move someone out of that team."
    ) % {"challenge": _challenge(p["challenge"]), "members": p["members"], "max": p["max_size"],
         "next": p["members"] + 1}


_SENTENCES = {
    "min_size_below_one": lambda p: _("The minimum team size must be at least 1 (it is %(min)d).") % {
        "min": p["min_size"]},
    "min_above_max": lambda p: _(
        "The minimum team size (%(min)d) is above the maximum team size (%(max)d).") % {
        "min": p["min_size"], "max": p["max_size"]},
    "no_challenges": lambda p: _("There is no retained challenge to place people on."),
    "group_too_large": _group_too_large,
    "capacity_below_min": _capacity_below_min,
    "capacity_below_fixed_teams": _capacity_below_fixed_teams,
    "group_locked_apart": _group_locked_apart,
    "group_locked_to_teams": _group_locked_to_teams,
    "team_lock_over_max": _team_lock_over_max,
    "team_lock_missing_team": _team_lock_missing_team,
    "locked_over_capacity": _locked_over_capacity,
    "team_locks_over_capacity": _team_locks_over_capacity,
    "too_few_people": _too_few_people,
    "too_few_places": _too_few_places,
    "sizes_cannot_split": _sizes_cannot_split,
    "groups_cannot_fit": _groups_cannot_fit,
    "locks_conflict": lambda p: _(
        "The locked people cannot all stay where they are with teams of %(sizes)s and the capacities: unlock "
        "some of them.") % {"sizes": _sizes(p)},
    "capacities_conflict": lambda p: _(
        "The capacities cannot be met with teams of %(sizes)s (each challenge takes a whole number of teams): "
        "raise or remove some capacities.") % {"sizes": _sizes(p)},
    "no_assignment": lambda p: _(
        "No set of teams meets teams of %(sizes)s together with the capacities and the fixed numbers of "
        "teams: relax one of them.") % {"sizes": _sizes(p)},
    "time_limit": _time_limit,
    "groups_not_packed": lambda p: _(
        "The friend groups could not be packed into teams of the allowed sizes: widen the team sizes."),
    "group_team_full": _group_team_full,
    "locked_challenge_full": lambda p: _(
        "Every team of %(challenge)s, where this person is locked, is full (at most %(max)d people) or the "
        "challenge is at capacity: raise the maximum team size or the capacity.") % {
        "challenge": _challenge(p["challenge"]), "max": p["max_size"]},
    "no_teams": lambda p: _("There are no published teams to join yet."),
    "all_teams_full": lambda p: _(
        "Every team is full (at most %(max)d people) or at its challenge's capacity: raise the maximum team "
        "size to %(next)d.") % {"max": p["max_size"], "next": p["max_size"] + 1},
    "unit_fits_nowhere": _unit_fits_nowhere,
}
