"""Preferences, friend groups, formation runs, teams and their project sheets.

An event has one set of teams at a time. Team formation writes them as drafts (no
`published_at`); running it again replaces the drafts; publishing stamps every team and from
then on the set only changes by hand edits and late arrivals, one person at a time.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citehack.core.models import TimeStampedModel

from .uploads import get_private_storage, sheet_file_path


class TeamSettings(TimeStampedModel):
    """The event's team sizes and the sheet deadline.

    The sheet deadline is `sheet_deadline` when set, else the end of the programme's last
    "sprint" item, else there is none (see selectors.sheet_deadline).
    """

    event = models.OneToOneField(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="team_settings"
    )
    min_size = models.PositiveSmallIntegerField(_("smallest team"), default=3)
    max_size = models.PositiveSmallIntegerField(
        _("largest team"), default=10, help_text=_("Also the largest friend group.")
    )
    sheet_deadline = models.DateTimeField(
        _("project sheet deadline"), null=True, blank=True,
        help_text=_("Leave empty to use the end of the sprint in the programme."),
    )

    class Meta:
        verbose_name = _("team settings")
        verbose_name_plural = _("team settings")
        constraints = [
            models.CheckConstraint(condition=Q(min_size__gte=1), name="team_settings_min_positive"),
            models.CheckConstraint(condition=Q(max_size__gte=F("min_size")), name="team_settings_max_above_min"),
        ]

    def __str__(self):
        return str(self.event)


class Preference(TimeStampedModel):
    """A participant's ranking of the retained challenges (in ChallengeRank) and declared skills."""

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="team_preferences"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="team_preferences"
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)

    class Meta:
        verbose_name = _("team preference")
        verbose_name_plural = _("team preferences")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="preference_one_per_person")]

    def __str__(self):
        return f"{self.user} — {self.event}"


class ChallengeRank(models.Model):
    preference = models.ForeignKey(Preference, verbose_name=_("preference"), on_delete=models.CASCADE, related_name="ranks")
    challenge = models.ForeignKey(
        "challenges.Challenge", verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("challenge rank")
        verbose_name_plural = _("challenge ranks")
        ordering = ["preference", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["preference", "challenge"], name="challenge_rank_once"),
            models.UniqueConstraint(fields=["preference", "rank"], name="challenge_rank_distinct"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="challenge_rank_positive"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.challenge_id}"


class FriendGroup(models.Model):
    """People who came together and want the same team; joined by its code, confirmed by a member."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="friend_groups")
    code = models.CharField(_("invitation code"), max_length=16, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("friend group")
        verbose_name_plural = _("friend groups")
        ordering = ["event", "created_at", "id"]

    def __str__(self):
        return self.code


class FriendGroupMember(models.Model):
    """One person in one friend group: pending until a confirmed member accepts them."""

    group = models.ForeignKey(FriendGroup, verbose_name=_("friend group"), on_delete=models.CASCADE, related_name="members")
    # The event again, so that the database itself keeps a person in one group per event.
    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("friend group member")
        verbose_name_plural = _("friend group members")
        ordering = ["group", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="friend_group_one_per_person")]

    def __str__(self):
        return f"{self.user} — {self.group}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class RunStatus(models.TextChoices):
    FORMED = "formed", _("Teams formed")
    INFEASIBLE = "infeasible", _("Settings cannot be met")


class FormationRun(models.Model):
    """One run of the optimiser: its settings, its figures and trade-offs, who ran it and when."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="formation_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    settings = models.JSONField(_("settings"))
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices)
    people_count = models.PositiveIntegerField(_("people"), default=0)
    quality = models.JSONField(_("quality figures"), null=True, blank=True)
    tradeoffs = models.JSONField(_("trade-offs"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    # Why the settings cannot be met, as data (teams.reasons.as_record): phrased when shown,
    # in the reader's language. `message` keeps the optimiser's English sentence.
    reason = models.JSONField(_("reason"), null=True, blank=True)

    class Meta:
        verbose_name = _("formation run")
        verbose_name_plural = _("formation runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} — {self.created_at:%Y-%m-%d %H:%M} — {self.get_status_display()}"


class Team(TimeStampedModel):
    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="teams")
    number = models.PositiveSmallIntegerField(_("number"))
    challenge = models.ForeignKey(
        "challenges.Challenge", verbose_name=_("challenge"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="teams",
    )
    run = models.ForeignKey(
        FormationRun, verbose_name=_("formation run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("speaker"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="mentored_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="team_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="team_number_positive"),
        ]

    def __str__(self):
        return str(self.display_name)

    @property
    def display_name(self):
        """“Team 2 — Digital for everyone”: the number, then the challenge."""
        if self.challenge_id is None:
            return _("Team %(number)d") % {"number": self.number}
        # Translators: a team's name: its number, then its challenge's title.
        return _("Team %(number)d — %(challenge)s") % {"number": self.number, "challenge": self.challenge.title}

    @property
    def is_published(self):
        return self.published_at is not None

    def get_absolute_url(self):
        return reverse("teams:team", kwargs={"slug": self.event.slug, "pk": self.pk})


class MemberSource(models.TextChoices):
    FORMATION = "formation", _("Team formation")
    MANUAL = "manual", _("Placed by an organiser")
    LATE = "late", _("Late arrival")


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    # The event again, so that the database itself keeps a person in one team per event.
    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="team_memberships")
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked person stays in this team when the formation runs again.")
    )
    source = models.CharField(_("placed by"), max_length=12, choices=MemberSource.choices, default=MemberSource.FORMATION)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "user__name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="team_member_one_team_per_event")]

    def __str__(self):
        return f"{self.user} — {self.team}"


SHEET_FIELDS = ["name", "problem", "solution", "target_users", "built", "next_steps", "links"]


class ProjectSheet(TimeStampedModel):
    """A team's project sheet; every change is kept in SheetVersion."""

    team = models.OneToOneField(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="sheet")
    name = models.CharField(_("project name"), max_length=200, blank=True)
    problem = models.TextField(_("problem"), max_length=4000, blank=True)
    solution = models.TextField(_("solution"), max_length=4000, blank=True)
    target_users = models.TextField(_("target users"), max_length=2000, blank=True)
    built = models.TextField(_("what was built"), max_length=4000, blank=True)
    next_steps = models.TextField(_("next steps"), max_length=3000, blank=True)
    links = models.TextField(_("links"), max_length=3000, blank=True, help_text=_("One web address per line."))
    version = models.PositiveIntegerField(_("version"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    submitted_version = models.PositiveIntegerField(_("submitted version"), null=True, blank=True)
    # An organiser reopened the sheet after the deadline: editable until it is submitted again.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reopened by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("project sheet")
        verbose_name_plural = _("project sheets")

    def __str__(self):
        return self.name or str(self.team)

    @property
    def is_reopened(self):
        return self.reopened_at is not None and (self.submitted_at is None or self.submitted_at < self.reopened_at)

    @property
    def changed_since_submission(self):
        return self.submitted_version is not None and self.version > self.submitted_version

    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    def content(self):
        return {name: getattr(self, name) for name in SHEET_FIELDS}


class SheetVersion(models.Model):
    """The sheet as it stood after one change, with who made it and when."""

    class Action(models.TextChoices):
        EDIT = "edit", _("Text edited")
        UPLOAD = "upload", _("File added")
        REMOVE = "remove", _("File removed")

    sheet = models.ForeignKey(ProjectSheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("change"), max_length=10, choices=Action.choices, default=Action.EDIT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    content = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("sheet version")
        verbose_name_plural = _("sheet versions")
        ordering = ["sheet", "-number"]
        constraints = [models.UniqueConstraint(fields=["sheet", "number"], name="sheet_version_unique")]

    def __str__(self):
        return f"{self.sheet} v{self.number}"


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF slides")
    PNG = "png", _("PNG image")
    JPEG = "jpeg", _("JPEG image")
    WEBP = "webp", _("WebP image")


class SheetFile(models.Model):
    """Slides or an image on a sheet; the type comes from the content (uploads.check_upload)."""

    sheet = models.ForeignKey(ProjectSheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), storage=get_private_storage, upload_to=sheet_file_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    original_name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(
        _("description"), max_length=300, blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # Removing a file hides it; the file itself is kept, as the history refers to it.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sheet file")
        verbose_name_plural = _("sheet files")
        ordering = ["sheet", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind != FileKind.PDF

    @property
    def content_type(self):
        from .uploads import KINDS

        return KINDS[self.kind][0]
