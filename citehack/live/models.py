import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import timers


def new_screen_token():
    return secrets.token_urlsafe(18)


class ScreenMode(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    COUNTDOWN = "countdown", _("Countdown")
    PITCH = "pitch", _("Pitch")
    VOTE = "vote", _("Audience vote")
    RESULTS = "results", _("Results")


class PitchStage(models.TextChoices):
    PITCH = "pitch", _("Pitch")
    QUESTIONS = "questions", _("Questions")


class LiveState(models.Model):
    """What the screens and phones show for one event; timers stored as instants."""

    event = models.OneToOneField("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="live")
    screen_token = models.CharField(_("screen link secret"), max_length=32, unique=True, default=new_screen_token)
    screen_mode = models.CharField(_("screen shows"), max_length=12, choices=ScreenMode.choices, default=ScreenMode.PROGRAMME)
    current_item = models.ForeignKey(
        "events.ProgrammeItem", verbose_name=_("current programme item"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    timer_label = models.CharField(_("countdown label"), max_length=120, blank=True)
    timer_duration = models.DurationField(_("countdown duration"), default=timedelta(0))
    timer_ends_at = models.DateTimeField(_("countdown ends at"), null=True, blank=True)
    timer_remaining = models.DurationField(_("countdown remaining while paused"), null=True, blank=True)
    # Pitches: the order is a list of team ids; the pitch timer works like the countdown.
    pitch_order = models.JSONField(_("pitch order"), default=list, blank=True)
    pitch_draw_seed = models.CharField(_("pitch draw seed"), max_length=64, blank=True)
    pitch_index = models.IntegerField(_("pitching team (position)"), null=True, blank=True)
    pitch_stage = models.CharField(_("pitch stage"), max_length=10, choices=PitchStage.choices, blank=True)
    pitch_seconds = models.PositiveIntegerField(_("pitch time (seconds)"), default=180)
    questions_seconds = models.PositiveIntegerField(_("questions time (seconds)"), default=120)
    pitch_duration = models.DurationField(_("pitch timer duration"), default=timedelta(0))
    pitch_ends_at = models.DateTimeField(_("pitch timer ends at"), null=True, blank=True)
    pitch_remaining = models.DurationField(_("pitch timer remaining while paused"), null=True, blank=True)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("live state")
        verbose_name_plural = _("live states")

    def __str__(self):
        return str(self.event)

    @property
    def timer(self):
        return timers.Timer(duration=self.timer_duration, ends_at=self.timer_ends_at, remaining=self.timer_remaining)

    @timer.setter
    def timer(self, value):
        self.timer_duration, self.timer_ends_at, self.timer_remaining = value.duration, value.ends_at, value.remaining

    @property
    def pitch_timer(self):
        return timers.Timer(duration=self.pitch_duration, ends_at=self.pitch_ends_at, remaining=self.pitch_remaining)

    @pitch_timer.setter
    def pitch_timer(self, value):
        self.pitch_duration, self.pitch_ends_at, self.pitch_remaining = value.duration, value.ends_at, value.remaining


class Announcement(models.Model):
    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="announcements")
    text = models.CharField(_("text"), max_length=280)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    ends_at = models.DateTimeField(_("shown until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text

    def is_active(self, now):
        return self.withdrawn_at is None and (self.ends_at is None or self.ends_at > now)
