"""The audience prize: one poll per event, one vote per voter, voters known only by a keyed hash.

A voter is a device (a random token kept in a cookie) or a checked-in participant (signed in
on their phone); either way only an HMAC of the identity is stored (identity.py), so the
table says how many voted for whom and never who. The unique (poll, voter) constraint is
what counts each voter once: the vote is an upsert against it (services.cast_vote).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citehack.core.models import TimeStampedModel

MAX_WEIGHT = 10


class PollStatus(models.TextChoices):
    NOT_OPEN = "not_open", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Eligibility(models.TextChoices):
    DEVICE = "device", _("One vote per phone")
    PARTICIPANT = "participant", _("One vote per checked-in participant")
    BOTH = "both", _("Both: phones and checked-in participants, with weights")


class VoterKind(models.TextChoices):
    DEVICE = "device", _("Phone")
    PARTICIPANT = "participant", _("Participant")


class Poll(TimeStampedModel):
    """The audience vote of an event. Its settings are frozen once it opens; it closes once."""

    event = models.OneToOneField(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="audience_poll"
    )
    title = models.CharField(_("title"), max_length=120, default=_("Audience prize"))
    status = models.CharField(_("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.NOT_OPEN)
    eligibility = models.CharField(
        _("who may vote"), max_length=12, choices=Eligibility.choices, default=Eligibility.DEVICE
    )
    device_weight = models.PositiveSmallIntegerField(
        _("weight of a phone's vote"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_WEIGHT)],
        help_text=_("Counts only when both phones and participants vote."),
    )
    participant_weight = models.PositiveSmallIntegerField(
        _("weight of a participant's vote"), default=2, validators=[MinValueValidator(1), MaxValueValidator(MAX_WEIGHT)],
        help_text=_("Counts only when both phones and participants vote."),
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # The count as it stood at the close, best first: [{"team_id", "votes", "weight"}, ...].
    results = models.JSONField(_("results"), null=True, blank=True)

    class Meta:
        verbose_name = _("audience vote")
        verbose_name_plural = _("audience votes")
        ordering = ["event"]
        constraints = [
            models.CheckConstraint(
                condition=Q(device_weight__gte=1, device_weight__lte=MAX_WEIGHT)
                & Q(participant_weight__gte=1, participant_weight__lte=MAX_WEIGHT),
                name="audience_poll_weights_in_range",
            ),
            models.CheckConstraint(condition=Q(status__in=PollStatus.values), name="audience_poll_status_valid"),
            models.CheckConstraint(condition=Q(eligibility__in=Eligibility.values), name="audience_poll_eligibility_valid"),
        ]

    def __str__(self):
        return f"{self.title} — {self.event}"

    def get_absolute_url(self):
        return reverse("audience:vote", kwargs={"slug": self.event.slug})

    @property
    def is_open(self):
        return self.status == PollStatus.OPEN

    @property
    def is_closed(self):
        return self.status == PollStatus.CLOSED

    @property
    def settings_frozen(self):
        return self.status != PollStatus.NOT_OPEN

    @property
    def weighted(self):
        return self.eligibility == Eligibility.BOTH


class Vote(models.Model):
    """One voter's current choice; changing one's vote updates this row."""

    # No index of their own on the two keys: the unique (poll, voter) and the (poll, team)
    # indexes cover every lookup but a team's deletion, and each index is one more write per vote.
    poll = models.ForeignKey(
        Poll, verbose_name=_("audience vote"), on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    # HMAC-SHA256 (hex) of the voter's identity, keyed from SECRET_KEY: never the token itself.
    voter = models.CharField(_("voter (keyed hash)"), max_length=64)
    kind = models.CharField(_("voter kind"), max_length=12, choices=VoterKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    # RESTRICT: deleting a team the audience has voted for must not drop votes silently, but
    # deleting the whole event (which deletes the poll and its votes too) goes through.
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.RESTRICT, related_name="audience_votes", db_index=False
    )
    created_at = models.DateTimeField(_("first voted at"))
    updated_at = models.DateTimeField(_("last changed at"))

    class Meta:
        verbose_name = _("audience vote ballot")
        verbose_name_plural = _("audience vote ballots")
        ordering = ["poll", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="audience_vote_one_per_voter"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="audience_vote_weight_positive"),
        ]
        indexes = [models.Index(fields=["poll", "team"], name="audience_vote_tally")]

    def __str__(self):
        return f"{self.poll} — {self.team_id}"
