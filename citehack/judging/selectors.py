"""Reads shared by the jury's pages: progress, the organiser's grid, and the adapter from the
models to aggregation.py. Every function runs a fixed number of queries, whatever the size."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citehack.events.models import Role
from citehack.teams.models import Team

from . import aggregation as agg
from .models import Conflict, Criterion, JudgingSession, Juror, Prize, Score, Scorecard

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20181008
INTERVAL_LEVEL = 0.9

METHOD_LABELS = {
    agg.MEAN: gettext_lazy("Mean (raw)"),
    agg.MEDIAN: gettext_lazy("Median (raw)"),
    agg.ZSCORE: gettext_lazy("Z-score (normalised)"),
    agg.OFFSET_SCALE: gettext_lazy("Offset and scale (normalised)"),
}
METHOD_EXPLANATIONS = {
    agg.MEAN: gettext_lazy(
        "The average of the jurors' weighted totals, on the rubric's scale. What the jurors gave, each counted "
        "equally: the figure shown first."
    ),
    agg.MEDIAN: gettext_lazy(
        "The middle value of the jurors' weighted totals: one juror far above or below the others weighs less."
    ),
    agg.ZSCORE: gettext_lazy(
        "Each juror's totals are first put on a common footing (that juror's own average becomes 0, their own "
        "spread 1), then averaged: a severe or a generous juror counts as much as the others. In units of spread."
    ),
    agg.OFFSET_SCALE: gettext_lazy(
        "A model estimates at once each juror's severity and range and each team's quality; the figure is the "
        "estimated quality (average 0, spread 1). Most useful when not every juror scored every team."
    ),
}
STEP_LABELS = {
    agg.STEP_NORMALISED: gettext_lazy("normalised score"),
    agg.STEP_HEAD_TO_HEAD: gettext_lazy("head-to-head among common jurors"),
    agg.STEP_TOP_CRITERION: gettext_lazy("the top-weighted criterion"),
    agg.STEP_JURY_VOTE: gettext_lazy("a jury vote is needed"),
}


def session_for(event):
    """The event's judging session, unsaved (not open) when it has never been touched."""
    return JudgingSession.objects.filter(event=event).first() or JudgingSession(event=event)


def criteria(event):
    return list(Criterion.objects.filter(event=event))


def scoring_teams(event):
    """The published teams, in the pitch order when the control room has set one, else by number."""
    teams = list(Team.objects.filter(event=event, published_at__isnull=False).select_related("challenge"))
    order = []
    if apps.is_installed("citehack.live"):
        from citehack.live.models import LiveState

        order = LiveState.objects.filter(event=event).values_list("pitch_order", flat=True).first() or []
    position = {pk: index for index, pk in enumerate(order)}
    teams.sort(key=lambda team: (position.get(team.pk, len(position)), team.number))
    return teams


def pitching_team_id(event):
    """The team pitching now, according to the control room, or None."""
    if not apps.is_installed("citehack.live"):
        return None
    from citehack.live.models import LiveState

    live = LiveState.objects.filter(event=event).values("pitch_order", "pitch_index", "pitch_stage").first()
    if not live or live["pitch_index"] is None or not live["pitch_stage"]:
        return None
    order = live["pitch_order"] or []
    return order[live["pitch_index"]] if 0 <= live["pitch_index"] < len(order) else None


def screen_mode(event):
    """What the screens show now ("results" for the podium), or None without a live state."""
    if not apps.is_installed("citehack.live"):
        return None
    from citehack.live.models import LiveState

    return LiveState.objects.filter(event=event).values_list("screen_mode", flat=True).first()


def juror_record(event, user):
    """The juror's judging record, unsaved when it does not exist yet."""
    return Juror.objects.filter(event=event, user=user).first() or Juror(event=event, user=user)


@dataclass
class ProgressRow:
    team: Team
    status: str  # "conflict", "done", "partial", "todo"
    scored: int
    total: int
    pitching: bool = False


def juror_progress(event, user, *, rubric=None, teams=None):
    """One row per published team: what `user` has scored of it."""
    rubric = criteria(event) if rubric is None else rubric
    teams = scoring_teams(event) if teams is None else teams
    conflicted = set(Conflict.objects.filter(event=event, juror=user).values_list("team_id", flat=True))
    counts = dict(
        Scorecard.objects.filter(event=event, juror=user).annotate(n=Count("scores")).values_list("team_id", "n")
    )
    pitching = pitching_team_id(event)
    rows = []
    for team in teams:
        scored = counts.get(team.pk, 0)
        if team.pk in conflicted:
            status = "conflict"
        elif rubric and scored >= len(rubric):
            status = "done"
        elif scored:
            status = "partial"
        else:
            status = "todo"
        rows.append(ProgressRow(team, status, scored, len(rubric), team.pk == pitching))
    return rows


def scorecard(event, user, team):
    """The juror's card for `team` (unsaved when empty) and {criterion id: value}."""
    card = Scorecard.objects.filter(event=event, juror=user, team=team).first()
    if card is None:
        return Scorecard(event=event, juror=user, team=team), {}
    return card, dict(Score.objects.filter(card=card).values_list("criterion_id", "value"))


def jurors(event):
    """The event's jurors (people with the role), each with their judging record (maybe unsaved)."""
    people = [m.user for m in event.memberships.filter(role=Role.JUROR).select_related("user").order_by("user__name", "user_id")]
    records = {j.user_id: j for j in Juror.objects.filter(event=event)}
    return [(user, records.get(user.pk) or Juror(event=event, user=user)) for user in people]


@dataclass
class Grid:
    jurors: list
    teams: list
    rubric_size: int
    rows: list = field(default_factory=list)  # [(user, record, [cell, ...])]


def scoring_grid(event):
    """Who has scored what: a juror × team grid of cells "done", "partial", "todo" or "conflict"."""
    people = jurors(event)
    teams = scoring_teams(event)
    size = Criterion.objects.filter(event=event).count()
    counts = {
        (row["juror_id"], row["team_id"]): row
        for row in Scorecard.objects.filter(event=event).annotate(n=Count("scores")).values("juror_id", "team_id", "n", "corrected_at")
    }
    conflicts = set(Conflict.objects.filter(event=event).values_list("juror_id", "team_id"))
    grid = Grid(people, teams, size)
    for user, record in people:
        cells = []
        for team in teams:
            row = counts.get((user.pk, team.pk))
            scored = row["n"] if row else 0
            if (user.pk, team.pk) in conflicts:
                status = "conflict"
            elif size and scored >= size:
                status = "done"
            elif scored:
                status = "partial"
            else:
                status = "todo"
            cells.append({"team": team, "status": status, "scored": scored,
                          "corrected": bool(row and row["corrected_at"])})
        grid.rows.append((user, record, cells))
    return grid


# --- the adapter to aggregation.py -------------------------------------------------------


def _key(prefix, pk):
    return f"{prefix}{pk}"


@dataclass
class AggregationInput:
    criteria: list  # aggregation.Criterion
    scores: list  # aggregation.Score
    conflicts: list  # (juror key, team key)
    team_keys: list
    teams: dict  # key -> Team
    jurors: dict  # key -> User
    rubric: dict  # key -> models.Criterion
    comments: list  # (team, juror, comment, corrected_at)


def aggregation_input(event):
    """Read the event's rubric, scores and conflicts as aggregation.py's plain data.

    Only the published teams and the people who are jurors now count; keys are "c<pk>",
    "j<pk>", "t<pk>".
    """
    rubric = criteria(event)
    teams = {_key("t", team.pk): team for team in scoring_teams(event)}
    people = {
        _key("j", m.user_id): m.user
        for m in event.memberships.filter(role=Role.JUROR).select_related("user")
    }
    juror_ids = [user.pk for user in people.values()]
    team_ids = [team.pk for team in teams.values()]
    cards = (
        Scorecard.objects.filter(event=event, juror_id__in=juror_ids, team_id__in=team_ids)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.only("card_id", "criterion_id", "value")))
        .order_by("team_id", "juror__name", "juror_id")
    )
    scores, comments = [], []
    for card in cards:
        for score in card.scores.all():
            scores.append(agg.Score(_key("j", card.juror_id), _key("t", card.team_id), _key("c", score.criterion_id), float(score.value)))
        if card.comment:
            comments.append((teams[_key("t", card.team_id)], people[_key("j", card.juror_id)], card.comment, card.corrected_at))
    conflicts = [
        (_key("j", juror_id), _key("t", team_id))
        for juror_id, team_id in Conflict.objects.filter(event=event).values_list("juror_id", "team_id")
    ]
    return AggregationInput(
        criteria=[
            agg.Criterion(_key("c", c.pk), weight=float(c.weight), counted=c.counted,
                          scale_min=float(c.scale_min), scale_max=float(c.scale_max))
            for c in rubric
        ],
        scores=scores,
        conflicts=conflicts,
        team_keys=list(teams),
        teams=teams,
        jurors=people,
        rubric={_key("c", c.pk): c for c in rubric},
        comments=comments,
    )


@dataclass
class Deliberation:
    """Everything the deliberation page shows, with the models in place of the keys."""

    data: AggregationInput
    result: agg.AggregationResult | None
    method: str
    error: str = ""
    bootstraps: dict = field(default_factory=dict)
    close: dict = field(default_factory=dict)

    def team(self, key):
        return self.data.teams[key]

    def juror(self, key):
        return self.data.jurors[key]

    def ranking(self, method=None):
        """Rows best first under `method`: rank, team, score, interval, chance of being first, close flags."""
        method = method or self.method
        boot = self.bootstraps.get(method)
        close_below = {pair.upper: pair for pair in self.close.get(method, ())}
        rows = []
        for ranked in self.result.methods[method].ranking:
            interval = boot.teams.get(ranked.team) if boot else None
            rows.append({
                "team": self.team(ranked.team), "rank": ranked.rank, "score": ranked.score, "tied": ranked.tied,
                "resolved_by": STEP_LABELS.get(ranked.resolved_by) if ranked.resolved_by else "",
                "low": interval.low if interval else None, "high": interval.high if interval else None,
                "p_first": interval.p_first if interval else None,
                "close_to_next": close_below.get(ranked.team),
            })
        return rows

    def side_by_side(self):
        """Position by position, each method's team and score: [(position, [(team, score, rank), ...])]."""
        columns = [self.result.methods[m].ranking for m in agg.METHODS]
        return [
            (position + 1, [(self.team(col[position].team), col[position].score, col[position].rank) for col in columns])
            for position in range(len(self.result.teams))
        ]

    def ties(self):
        """The lead method's tie-breaks, in words."""
        described = []
        for tie in self.result.methods[self.method].ties:
            steps = [
                {"step": STEP_LABELS[step.step],
                 "groups": [[self.team(t) for t in group] for group in step.groups]}
                for step in tie.steps
            ]
            described.append({"teams": [self.team(t) for t in tie.teams], "steps": steps, "resolved": tie.resolved})
        return described

    def matrix(self):
        """Juror × team weighted totals (raw): [(juror, [(team, total or None, reason)])]."""
        totals = self.result.totals
        missing = {(j, t): reason for j, t, reason in self.result.design.missing_pairs}
        conflicts = set(self.data.conflicts)
        rows = []
        for jkey, user in self.data.jurors.items():
            cells = []
            for tkey in self.data.team_keys:
                total = totals.get((jkey, tkey))
                reason = "conflict" if (jkey, tkey) in conflicts else missing.get((jkey, tkey), "")
                cells.append((self.team(tkey), total.value if total else None, reason,
                              bool(total and not total.complete)))
            rows.append((user, cells))
        return rows

    def warnings(self):
        """The design's problems, in words the jury reads."""
        design = self.result.design
        names = lambda keys, kind: ", ".join(str(kind(k)) for k in keys)  # noqa: E731
        notes = []
        missing = [(j, t) for j, t, reason in design.missing_pairs if reason != "conflict"]
        if missing:
            notes.append(_("Incomplete: %(count)d juror–team pairs have no score (not counting conflicts).")
                         % {"count": len(missing)})
        if design.incomplete_pairs:
            notes.append(_("Partly scored: %(count)d juror–team pairs miss some counted criteria; their totals use the "
                           "criteria scored.") % {"count": len(design.incomplete_pairs)})
        if not design.connected:
            notes.append(_("Disconnected: the jurors and teams fall into %(count)d separate groups with no juror in "
                           "common; normalised scores cannot be compared across groups.") % {"count": len(design.components)})
        if design.jurors_too_few_teams:
            notes.append(_("Left out of the normalised scores (fewer than two teams scored): %(names)s.")
                         % {"names": names(design.jurors_too_few_teams, self.juror)})
        if design.jurors_zero_variance:
            notes.append(_("Left out of the normalised scores (the same total for every team): %(names)s.")
                         % {"names": names(design.jurors_zero_variance, self.juror)})
        if design.unscored_teams:
            notes.append(_("Teams without any counted score: %(names)s.")
                         % {"names": names(design.unscored_teams, self.team)})
        if design.excluded_conflict_scores:
            pairs = sorted({(s.juror, s.team) for s in design.excluded_conflict_scores})
            notes.append(_("Scores given before a conflict was declared are left out: %(pairs)s.") % {
                "pairs": ", ".join(f"{self.juror(j)} / {self.team(t)}" for j, t in pairs)})
        scales = self.result.methods[agg.OFFSET_SCALE].juror_scales or {}
        against = [j for j in self.result.jurors if scales.get(j) == 0
                   and j not in design.jurors_too_few_teams and j not in design.jurors_zero_variance]
        if against:
            notes.append(_("Totals running against the other jurors' (weight 0 in the offset and scale model): %(names)s.")
                         % {"names": names(against, self.juror)})
        return notes

    def comments_by_team(self):
        """[(team, [(juror, comment, corrected_at), ...])] in the teams' order, teams without comment left out."""
        grouped = {}
        for team, juror, comment, corrected in self.data.comments:
            grouped.setdefault(team.pk, []).append((juror, comment, corrected))
        return [(team, grouped[team.pk]) for team in self.data.teams.values() if team.pk in grouped]

    def top_criterion(self):
        return self.data.rubric[self.result.top_criterion]


def deliberation(event, *, session=None, method=agg.MEAN, resamples=BOOTSTRAP_RESAMPLES):
    """Aggregate the event's scores under every method, with bootstrap intervals and close pairs."""
    session = session or session_for(event)
    data = aggregation_input(event)
    if method not in agg.METHODS:
        method = agg.MEAN
    if not data.scores:
        return Deliberation(data, None, method, error=_("No score yet."))
    try:
        result = agg.aggregate(
            data.criteria, data.scores, data.conflicts, teams=data.team_keys, method=method,
            tiebreak_normalised=session.tiebreak_method,
        )
    except agg.AggregationError:
        # Conflicts may have left nothing to count: say so rather than fail.
        return Deliberation(data, None, method, error=_("No score can be counted yet."))
    view = Deliberation(data, result, method)
    for m in agg.METHODS:
        boot = None
        if resamples:
            boot = agg.bootstrap(result, m, resamples=resamples, seed=BOOTSTRAP_SEED, level=INTERVAL_LEVEL)
            view.bootstraps[m] = boot
        view.close[m] = agg.close_pairs(result, m, intervals=boot)
    return view


# --- prizes and the audience ---------------------------------------------------------


def prizes(event):
    return list(Prize.objects.filter(event=event))


def decision_history(prize):
    return list(prize.decisions.select_related("team__challenge", "decided_by"))


def audience_results(event):
    """The audience vote's result (best first) as [{team, votes, weight}], or [] without a closed poll."""
    if not apps.is_installed("citehack.audience"):
        return []
    try:
        from citehack.audience.selectors import poll_results
    except ImportError:
        return []
    rows = poll_results(event) or []
    teams = {team.pk: team for team in Team.objects.filter(event=event, pk__in=[row["team_id"] for row in rows]).select_related("challenge")}
    return [{"team": teams[row["team_id"]], "votes": row.get("votes"), "weight": row.get("weight")}
            for row in rows if row["team_id"] in teams]
