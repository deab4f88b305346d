from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event, ItemKind, Organisation, Partner, Phase, ProgrammeItem, Role


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class EventForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)

    class Meta:
        model = Event
        fields = [
            "title", "slug", "tagline", "description", "starts_at", "ends_at", "venue", "address", "label",
            "capacity", "contact_email", "is_public",
        ]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


class NewEventForm(EventForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    new_organisation = forms.CharField(
        label=_("Or a new organisation"), max_length=200, required=False,
        help_text=_("Fill this in if your organisation is not in the list."),
    )

    class Meta(EventForm.Meta):
        fields = ["organisation", "new_organisation", *EventForm.Meta.fields]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not data.get("new_organisation", "").strip():
            self.add_error("organisation", _("Choose an organisation or name a new one."))
        return data


class CloneEventForm(forms.Form):
    title = forms.CharField(label=_("Title of the new event"), max_length=200)
    slug = forms.SlugField(label=_("Short name"), help_text=_("Used in the event's web address."))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Event.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another event already uses this short name."))
        return slug


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Move to the phase"), choices=Phase.choices)


class ProgrammeItemForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)

    class Meta:
        model = ProgrammeItem
        fields = ["kind", "title", "description", "starts_at", "ends_at", "room", "speakers", "capacity"]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))
        if data.get("capacity") is not None and data.get("kind") != ItemKind.WORKSHOP:
            self.add_error("capacity", _("Only workshops take sign-ups with a capacity."))
        return data


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "url", "logo", "order"]
        help_texts = {"logo": _("PNG, JPEG or WebP, at most 2 MB.")}

    def clean_logo(self):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from citehack.core.files import check_upload

        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and not getattr(logo, "_committed", False):
            try:
                check_upload(logo, kinds=("png", "jpeg", "webp"), max_bytes=2 * 1024 * 1024)
            except DjangoValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return logo


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False, help_text=_("Needed if the person has no account yet."))
    role = forms.ChoiceField(label=_("Role"), choices=[c for c in Role.choices if c[0] != Role.PARTICIPANT])
    send_link = forms.BooleanField(label=_("Send them a personal sign-in link by e-mail"), required=False, initial=True)
