import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgeBand, ParticipantStatus, RegistrationState, Skill, Theme

PHONE_RE = re.compile(r"^\+?[0-9 ().\-]+$")
MAX_IMPORT_BYTES = 2 * 1024 * 1024


class ProfileForm(forms.Form):
    """Who the person is: used by the public form and, line by line, by the CSV import."""

    name = forms.CharField(label=_("Your name"), max_length=150, help_text=_("As you want it on your badge."))
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        help_text=_("We send your confirmation and your personal link there."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"), max_length=30, required=False,
        help_text=_("Only to reach you on the day if needed."),
    )
    status = forms.ChoiceField(label=_("You are"), choices=ParticipantStatus.choices, widget=forms.RadioSelect)
    skills = forms.MultipleChoiceField(
        label=_("What you are good at"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick as many as you like, or none: every profile is welcome."),
    )
    neighbourhood = forms.CharField(label=_("Neighbourhood or postcode (optional)"), max_length=100, required=False)
    age_band = forms.ChoiceField(
        label=_("Age (optional)"), choices=[("", _("I prefer not to say")), *AgeBand.choices], required=False,
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: wheelchair access, hearing loop, large print, a quiet place."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes that interest you"), choices=Theme.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give your name."))
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError(_("Write a phone number with digits only, for example 06 12 34 56 78."))
        return phone

    def profile(self):
        data = self.cleaned_data
        return {
            "email": data["email"], "name": data["name"], "phone": data["phone"], "status": data["status"],
            "skills": data["skills"], "neighbourhood": data["neighbourhood"].strip(), "age_band": data["age_band"],
            "accessibility_needs": data["accessibility_needs"], "themes": data["themes"],
        }


class RegistrationForm(ProfileForm):
    consent = forms.BooleanField(
        label=_("I agree that the organisers keep these answers to run this event, as the privacy notice above explains."),
        error_messages={"required": _("Tick this box to register: we cannot register you without your agreement.")},
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), max_length=100, required=False)

    def query(self):
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class ManageFilterForm(SearchForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *RegistrationState.choices],
    )

    def state_filter(self):
        return self.cleaned_data.get("state", "") if self.is_valid() else ""


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name, email, phone, status, skills, neighbourhood, age_band, accessibility_needs, themes. "
            "Separate several skills or themes with “;”. At most 2 MB."
        ),
    )
    consent_collected = forms.BooleanField(
        label=_("I confirm that each person in this file agreed to the privacy notice when their data was collected."),
        error_messages={"required": _("Confirm that consent was collected: people cannot be imported without it.")},
    )
    valid_only = forms.BooleanField(
        label=_("Import the valid lines only, even if other lines have problems"), required=False,
    )
    notify = forms.BooleanField(
        label=_("Send each imported person an e-mail with their personal link"), required=False, initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB); the limit is %(limit)s MB. Split it into several files.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": MAX_IMPORT_BYTES // 1024 // 1024}
            )
        return upload
