"""Challenges proposed for an event, and the vote that retains some of them.

Who has voted (VoterRecord) is stored apart from what they voted (Ballot): a ballot holds
no reference to a person. While the vote is open, a ballot carries `voter_key`, an HMAC of
the voter's id under a random key kept on the vote, so that a second submission replaces
the first; the key is wiped when the vote closes and the ballots become unlinkable.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from citehack.core.models import TimeStampedModel
from citehack.registrations.models import Theme


class Rule(models.TextChoices):
    """The counting rules of the tally package (a test checks that both lists agree)."""

    AV = "av", _("Approval voting")
    SEQPHRAGMEN = "seqphragmen", _("Sequential Phragmén")
    EQUAL_SHARES = "equal-shares", _("Method of Equal Shares")
    SCHULZE = "schulze", _("Schulze method")
    STV = "stv", _("Single transferable vote (Scottish rules)")


APPROVAL_RULES = [Rule.AV, Rule.SEQPHRAGMEN, Rule.EQUAL_SHARES]
RANKING_RULES = [Rule.SCHULZE, Rule.STV]


class ChallengeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another")


class Challenge(TimeStampedModel):
    """A challenge ("défi") proposed for an event; retained ones are numbered by the vote."""

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="challenges"
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), max_length=3000)
    affected = models.TextField(_("who is affected"), max_length=2000)
    outcome = models.TextField(_("expected outcome"), max_length=2000)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="proposed_challenges",
    )
    status = models.CharField(_("status"), max_length=10, choices=ChallengeStatus.choices, default=ChallengeStatus.PROPOSED)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, max_length=2000)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL, related_name="merged",
    )
    # Given to the accepted challenges when the vote opens: the identifier on ballots and in
    # the exported ballot file ("C1", "C2", ...).
    code = models.CharField(_("ballot code"), max_length=8, blank=True)
    retained = models.BooleanField(_("retained by the vote"), default=False)
    # Position among the retained challenges, in the vote's order of selection (Défi n°1...).
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = [F("number").asc(nulls_last=True), "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "number"], condition=Q(number__isnull=False), name="challenge_number_unique"
            ),
            models.UniqueConstraint(
                fields=["event", "code"], condition=~Q(code=""), name="challenge_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="challenge_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(retained=False) | (Q(number__isnull=False) & Q(status="accepted")),
                name="challenge_retained_is_numbered",
            ),
        ]

    def __str__(self):
        if self.number:
            return f"{self.number}. {self.title}"
        return self.title

    @property
    def code_index(self):
        return int(self.code[1:]) if self.code else None


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval: tick the challenges you support")
    RANKING = "ranking", _("Ranking: put challenges in order of preference")


class VoteStatus(models.TextChoices):
    SETUP = "setup", _("Being set up")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ChallengeVote(TimeStampedModel):
    """The event's challenge vote; its settings freeze when it opens."""

    event = models.OneToOneField(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="challenge_vote"
    )
    seats = models.PositiveSmallIntegerField(_("challenges to retain"), default=7)
    ballot_kind = models.CharField(_("ballot"), max_length=10, choices=BallotKind.choices, default=BallotKind.APPROVAL)
    max_approvals = models.PositiveSmallIntegerField(_("most ticks per ballot"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, default=Rule.EQUAL_SHARES)
    status = models.CharField(_("status"), max_length=10, choices=VoteStatus.choices, default=VoteStatus.SETUP)
    # The tie-break seed: drawn when the vote opens, secret until it closes; its hash is
    # published at opening.
    seed = models.CharField(_("tie-break seed"), max_length=64, blank=True)
    seed_hash = models.CharField(_("SHA-256 of the seed"), max_length=64, blank=True)
    # HMAC key for the voters' keys, hex; wiped at close.
    voter_key_secret = models.CharField(_("voter key secret"), max_length=64, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    rule_version = models.CharField(_("rule version"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("challenge vote")
        verbose_name_plural = _("challenge votes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(ballot_kind="approval") & Q(rule__in=APPROVAL_RULES))
                | (Q(ballot_kind="ranking") & Q(rule__in=RANKING_RULES)),
                name="challenge_vote_rule_fits_ballot",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="challenge_vote_seats_positive"),
            models.CheckConstraint(
                condition=Q(max_approvals__isnull=True) | Q(max_approvals__gte=1), name="challenge_vote_max_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", voter_key_secret="") | ~Q(status="closed"),
                name="challenge_vote_key_wiped_at_close",
            ),
        ]

    def __str__(self):
        return f"{self.event} — {self.get_status_display()}"

    @property
    def is_setup(self):
        return self.status == VoteStatus.SETUP

    @property
    def is_open(self):
        return self.status == VoteStatus.OPEN

    @property
    def is_closed(self):
        return self.status == VoteStatus.CLOSED


class BallotSource(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


class Ballot(models.Model):
    """What was voted, with no reference to who: one online ballot, or a counted paper row.

    `content` is the canonical JSON list of ballot codes (sorted for approval, best first
    for ranking): the key the close groups by. The primary key is random so that the order
    of ballots says nothing about the order of voters.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(ChallengeVote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="ballots")
    content = models.CharField(_("content"), max_length=1000)
    count = models.PositiveIntegerField(_("number of ballots"), default=1)
    source = models.CharField(_("source"), max_length=10, choices=BallotSource.choices, default=BallotSource.ONLINE)
    voter_key = models.CharField(_("voter key"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "voter_key"], condition=Q(voter_key__isnull=False), name="ballot_one_per_voter"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="ballot_count_positive"),
            models.CheckConstraint(
                condition=Q(source="paper", voter_key__isnull=True) | Q(source="online", count=1),
                name="ballot_source_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.content} × {self.count}"


class VoterRecord(models.Model):
    """Who has voted in a vote, kept apart from their ballot."""

    vote = models.ForeignKey(ChallengeVote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="challenge_votes"
    )
    voted_at = models.DateTimeField(_("first voted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [models.UniqueConstraint(fields=["vote", "user"], name="voter_record_once")]

    def __str__(self):
        return f"{self.user} — {self.vote}"
