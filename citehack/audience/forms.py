from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Eligibility, Poll


class PollSettingsForm(forms.ModelForm):
    class Meta:
        model = Poll
        fields = ["title", "eligibility", "device_weight", "participant_weight"]
        labels = {
            "title": _("Title shown on the phones and the screen"),
            "eligibility": _("Who may vote"),
        }
        help_texts = {
            "eligibility": _(
                "A phone votes with a key kept in its browser: one vote per phone, no account needed. "
                "A participant votes signed in on their phone, once they are checked in at the reception. "
                "With both, each participant's vote replaces the one cast from the same phone."
            ),
        }
        widgets = {"eligibility": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligibility"].choices = Eligibility.choices
        for name in ("device_weight", "participant_weight"):
            self.fields[name].widget.attrs.update({"min": 1, "max": 10})


class OpenForm(forms.Form):
    show_on_screen = forms.BooleanField(
        label=_("Show the vote on the screens now"), required=False, initial=True,
        help_text=_("The screens switch to the vote panel: the QR code and the number of voters."),
    )


class VoteForm(forms.Form):
    """The team chosen: one submit button per team, named `team`."""

    # Bounded to the primary key's range: a larger number would overflow the database integer.
    team = forms.IntegerField(min_value=1, max_value=2**63 - 1, error_messages={
        "required": _("Choose a team."), "invalid": _("Choose one of the teams listed."),
        "min_value": _("Choose one of the teams listed."), "max_value": _("Choose one of the teams listed."),
    })
