import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citehack.core.models import TimeStampedModel


class ParticipantStatus(models.TextChoices):
    PUPIL = "pupil", _("High-school pupil")
    STUDENT = "student", _("Student")
    JOB_SEEKER = "job_seeker", _("Job seeker")
    EMPLOYEE = "employee", _("Employee")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur or project holder")
    RESIDENT = "resident", _("Resident")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_18 = "u18", _("Under 18")
    AGE_18_25 = "18-25", _("18 to 25")
    AGE_26_35 = "26-35", _("26 to 35")
    AGE_36_50 = "36-50", _("36 to 50")
    AGE_51_64 = "51-64", _("51 to 64")
    AGE_65_PLUS = "65+", _("65 or over")


class Skill(models.TextChoices):
    """Broad skills a team needs; kept few so that people recognise themselves."""

    DIGITAL = "digital", _("Digital and code")
    DESIGN = "design", _("Design and drawing")
    COMMUNICATION = "communication", _("Speaking and communication")
    PROJECT = "project", _("Project and business")
    FIELD = "field", _("Knowledge of the neighbourhood")
    WRITING = "writing", _("Writing")


class Theme(models.TextChoices):
    NEIGHBOURHOODS = "neighbourhoods", _("Neighbourhoods and public spaces")
    DIGITAL = "digital", _("Digital inclusion")
    EMPLOYMENT = "employment", _("Employment and training")
    YOUTH = "youth", _("Young people")
    CULTURE = "culture", _("Culture and living together")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    ENVIRONMENT = "environment", _("Environment")
    HEALTH = "health", _("Health and well-being")


class RegistrationState(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


def new_badge_code():
    return secrets.token_urlsafe(16)  # 128 bits


class Registration(TimeStampedModel):
    """A person's registration to an event, with the profile the organiser and teams need."""

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="registrations"
    )
    state = models.CharField(_("state"), max_length=12, choices=RegistrationState.choices)
    # Waiting-list order: promotions take the earliest still waiting.
    waitlisted_at = models.DateTimeField(_("put on the waiting list at"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ParticipantStatus.choices)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    neighbourhood = models.CharField(_("neighbourhood or postcode"), max_length=100, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    themes = models.JSONField(_("themes of interest"), default=list, blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    consent_version = models.CharField(_("privacy notice version"), max_length=20)
    badge_code = models.CharField(_("badge code"), max_length=32, unique=True, default=new_badge_code)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, default="form", help_text=_("form, import or organiser"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_person"),
        ]
        indexes = [
            models.Index(fields=["event", "state", "waitlisted_at"], name="registration_queue"),
        ]

    def __str__(self):
        return f"{self.user} — {self.event}"

    @property
    def is_confirmed(self):
        return self.state == RegistrationState.CONFIRMED

    def skill_labels(self):
        labels = dict(Skill.choices)
        return [labels.get(code, code) for code in self.skills]

    def theme_labels(self):
        labels = dict(Theme.choices)
        return [labels.get(code, code) for code in self.themes]


class WorkshopSignup(models.Model):
    item = models.ForeignKey(
        "events.ProgrammeItem", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="signups"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="workshop_signups"
    )
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop sign-up")
        verbose_name_plural = _("workshop sign-ups")
        ordering = ["item", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "registration"], name="workshop_signup_once"),
        ]

    def __str__(self):
        return f"{self.registration.user} — {self.item.title}"
