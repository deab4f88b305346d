from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ScreenMode


class TimerForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60, initial=180)
    label = forms.CharField(label=_("Label on the screen"), max_length=120, required=False)


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes to add (negative to remove)"), min_value=-600, max_value=600, initial=5)

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes == 0:
            raise forms.ValidationError(_("Add or remove at least one minute."))
        return minutes


class ScreenForm(forms.Form):
    mode = forms.ChoiceField(label=_("The screen shows"), choices=ScreenMode.choices)


class ItemForm(forms.Form):
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnnouncementForm(forms.Form):
    text = forms.CharField(label=_("Announcement"), max_length=280, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.IntegerField(
        label=_("Show it for (minutes)"), min_value=1, max_value=24 * 60, required=False,
        help_text=_("Leave empty to show it until you withdraw it."),
    )


class PitchTimesForm(forms.Form):
    pitch_seconds = forms.IntegerField(label=_("Pitch time (seconds)"), min_value=30, max_value=3600)
    questions_seconds = forms.IntegerField(label=_("Questions time (seconds)"), min_value=0, max_value=3600)


class PitchOrderForm(forms.Form):
    order = forms.CharField(
        label=_("Order (team numbers separated by commas)"), max_length=500,
        help_text=_("For example: 3, 1, 2"),
    )

    def __init__(self, *args, team_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team_ids = set(team_ids)

    def clean_order(self):
        raw = [part.strip() for part in self.cleaned_data["order"].replace(";", ",").split(",") if part.strip()]
        try:
            order = [int(part) for part in raw]
        except ValueError:
            raise forms.ValidationError(_("Use team numbers separated by commas.")) from None
        unknown = [pk for pk in order if pk not in self.team_ids]
        if unknown:
            raise forms.ValidationError(_("Unknown team numbers: %(numbers)s") % {"numbers": ", ".join(map(str, unknown))})
        if len(set(order)) != len(order):
            raise forms.ValidationError(_("Each team may appear only once in the order."))
        return order
