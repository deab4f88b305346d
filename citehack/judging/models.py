"""The jury's part of an event: rubric, jurors, conflicts, scores, prizes, decisions, the reveal.

Scoring has one state per event (`JudgingSession`): not open, open, closed. The rubric and
the tie-break chain are fixed when scoring opens; scores are accepted only while it is open.
Decisions are never overwritten: each one is a new row and the latest per prize is the one
that counts, so the history of a deliberation is kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# The widest scale offered: 0 to 10 is eleven points, still usable as radio buttons on a phone.
MAX_SCALE_POINTS = 11


class Criterion(models.Model):
    """One line of the rubric: scored on an integer scale, counted with its weight or only shown."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    # {"1": "Weak", ..., "5": "Excellent"}: a label for every point or for the two ends only.
    labels = models.JSONField(_("scale labels"), default=dict, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    counted = models.BooleanField(
        _("counted"), default=True,
        help_text=_("A criterion that is not counted is scored and shown to the jury but left out of every total."),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["event", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="criterion_name_unique"),
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="criterion_scale_ordered"),
            models.CheckConstraint(
                condition=Q(scale_max__lte=F("scale_min") + MAX_SCALE_POINTS - 1), name="criterion_scale_not_too_wide"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_not_negative"),
            models.CheckConstraint(condition=Q(counted=False) | Q(weight__gt=0), name="criterion_counted_has_weight"),
        ]

    def __str__(self):
        return self.name

    def points(self):
        """(value, label) for every point of the scale, lowest first; the label may be empty."""
        return [(value, self.labels.get(str(value), "")) for value in range(self.scale_min, self.scale_max + 1)]

    def label_for(self, value):
        return self.labels.get(str(value), "")


class SessionState(models.TextChoices):
    NOT_OPEN = "not_open", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TieBreakMethod(models.TextChoices):
    # Values are the names used by aggregation.py.
    ZSCORE = "zscore", _("Z-score (each juror's scores on a common scale)")
    OFFSET_SCALE = "offset-scale", _("Offset and scale model (each juror's severity and range)")


class JudgingSession(models.Model):
    """The state of scoring for one event, and what was declared when it opened."""

    event = models.OneToOneField("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="judging")
    state = models.CharField(_("scoring"), max_length=10, choices=SessionState.choices, default=SessionState.NOT_OPEN)
    tiebreak_method = models.CharField(
        _("normalised score used first to break ties"), max_length=12, choices=TieBreakMethod.choices,
        default=TieBreakMethod.ZSCORE,
    )
    # The tie-break chain is declared before the pitches: fixed at the moment scoring opens.
    tiebreak_declared_at = models.DateTimeField(_("tie-break declared at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    results_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("results published by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("judging session")
        verbose_name_plural = _("judging sessions")

    def __str__(self):
        return f"{self.event} — {self.get_state_display()}"

    @property
    def is_open(self):
        return self.state == SessionState.OPEN

    @property
    def is_closed(self):
        return self.state == SessionState.CLOSED

    @property
    def rubric_frozen(self):
        return self.state != SessionState.NOT_OPEN

    @property
    def results_published(self):
        return self.results_published_at is not None


class Juror(models.Model):
    """What the jury part keeps about a juror; the role itself is the event Membership."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    president = models.BooleanField(
        _("president of the jury"), default=False, help_text=_("The president may record the jury's decisions."),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")
        ordering = ["event", "user__name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="juror_once_per_event")]

    def __str__(self):
        return f"{self.user} — {self.event}"


class Conflict(models.Model):
    """A juror's declared conflict with a team: the juror is never asked to score it."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("juror"), on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="jury_conflicts")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["event", "juror", "team"]
        constraints = [models.UniqueConstraint(fields=["juror", "team"], name="conflict_once")]

    def __str__(self):
        return f"{self.juror} × {self.team}"


class Scorecard(models.Model):
    """One juror's scores and comment for one team."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("juror"), on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="scorecards")
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set when the juror changed this card after submitting (and so after seeing the others').
    corrected_at = models.DateTimeField(_("corrected after submission at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["event", "team", "juror"]
        constraints = [models.UniqueConstraint(fields=["juror", "team"], name="scorecard_once")]

    def __str__(self):
        return f"{self.juror} → {self.team}"


class Score(models.Model):
    card = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.RESTRICT, related_name="scores")
    value = models.SmallIntegerField(_("score"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["card", "criterion"]
        constraints = [models.UniqueConstraint(fields=["card", "criterion"], name="score_once")]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class PrizeKind(models.TextChoices):
    JURY = "jury", _("Jury prize")
    AUDIENCE = "audience", _("Audience prize")


class Prize(models.Model):
    """A prize of the event. Jury prizes are ranked by `order` (1 is the first prize)."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="prizes")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("awarded by"), max_length=10, choices=PrizeKind.choices, default=PrizeKind.JURY)
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("1 for the first prize, 2 for the second… The reveal goes from the last to the first."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["event", "kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="prize_name_unique")]

    def __str__(self):
        return self.name


class Decision(models.Model):
    """The jury's (or, for the audience prize, the organiser's) decision on a prize.

    Append-only: changing a decision adds a row, the latest counts. No team means the prize
    is not awarded.
    """

    prize = models.ForeignKey(Prize, verbose_name=_("prize"), on_delete=models.CASCADE, related_name="decisions")
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.RESTRICT, related_name="+",
    )
    rationale = models.TextField(_("rationale"), max_length=3000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # For the audience prize: the poll's figures as they stood when the decision was recorded.
    figures = models.JSONField(_("figures"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["prize", "-decided_at", "-id"]
        get_latest_by = ["decided_at", "id"]

    def __str__(self):
        return f"{self.prize}: {self.team or _('not awarded')}"


class RevealState(models.Model):
    """What the screen has revealed so far: [{"prize": id, "decision": id}, ...] in reveal order."""

    event = models.OneToOneField("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="reveal")
    revealed = models.JSONField(_("revealed"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reveal")
        verbose_name_plural = _("reveals")

    def __str__(self):
        return str(self.event)

    @property
    def prize_ids(self):
        return [entry["prize"] for entry in self.revealed]
