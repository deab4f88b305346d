from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from citehack.core.models import TimeStampedModel


class Organisation(TimeStampedModel):
    """An organising body (association, city team, network); it holds many events."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    website = models.URLField(_("website"), blank=True)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisers"), blank=True, related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Phase(models.TextChoices):
    """The life of an event, in order; the organiser moves it explicitly."""

    DRAFT = "draft", _("Draft")
    REGISTRATION = "registration", _("Registration open")
    CHALLENGE_VOTE = "challenge_vote", _("Challenge vote")
    TEAM_FORMATION = "team_formation", _("Team formation")
    LIVE = "live", _("Live (sprint)")
    JUDGING = "judging", _("Pitches and judging")
    DELIBERATION = "deliberation", _("Deliberation")
    RESULTS = "results", _("Results published")
    CLOSED = "closed", _("Closed (archived)")

    @classmethod
    def order(cls, phase):
        return cls.values.index(phase)


class Event(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True, help_text=_("Used in the event's web address."))
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True, help_text=_("A label or programme the event belongs to."))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Places for participants; empty means no limit.")
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_public = models.BooleanField(_("listed publicly"), default=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def phase_index(self):
        return Phase.order(self.phase)

    def phase_at_least(self, phase):
        return self.phase_index >= Phase.order(phase)

    @property
    def registration_open(self):
        return self.phase == Phase.REGISTRATION


class Partner(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="partners/", blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    JUROR = "juror", _("Juror")
    MENTOR = "mentor", _("Mentor")
    PARTICIPANT = "participant", _("Participant")


class Membership(models.Model):
    """One role of one person in one event; a person may hold several roles."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("role in an event")
        verbose_name_plural = _("roles in events")
        ordering = ["event", "role", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.event}"


class ItemKind(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    WORKSHOP = "workshop", _("Workshop")
    TESTIMONIAL = "testimonial", _("Testimonial")
    TALK = "talk", _("Talk")
    SPRINT = "sprint", _("Hackathon sprint")
    PITCHES = "pitches", _("Pitches")
    DELIBERATION = "deliberation", _("Jury deliberation")
    AWARDS = "awards", _("Awards")
    BREAK = "break", pgettext_lazy("programme item", "Break")


class ProgrammeItem(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="programme")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("For workshops: places; empty means no sign-up needed.")
    )

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme")
        ordering = ["starts_at", "ends_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="item_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.starts_at:%H:%M} {self.title}"

    @property
    def takes_sign_ups(self):
        return self.kind == ItemKind.WORKSHOP and self.capacity is not None
