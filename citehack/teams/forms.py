from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from citehack.events.forms import DATETIME_FORMATS, DateTimeInput
from citehack.registrations.models import Skill

from .models import SHEET_FIELDS, ProjectSheet
from .services.adapter import TIME_LIMIT_MAX, Choices


class PreferencesForm(forms.Form):
    """One rank select per retained challenge (works without JavaScript), then the skills."""

    skills = forms.MultipleChoiceField(
        label=_("What you can bring to a team"), choices=Skill.choices, widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("Tick everything that fits, even a little: teams are formed so that each has every skill."),
    )

    def __init__(self, *args, challenges, current=None, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.challenges = list(challenges)
        current = current or {}
        ranks = [("", _("Not ranked"))] + [(str(r), str(r)) for r in range(1, len(self.challenges) + 1)]
        for challenge in self.challenges:
            self.fields[self.key(challenge)] = forms.TypedChoiceField(
                label=challenge.title, choices=ranks, coerce=int, empty_value=None, required=False,
                initial=current.get(challenge.pk, ""),
            )
        self.fields["skills"].initial = list(skills)
        self.order_fields([*(self.key(c) for c in self.challenges), "skills"])

    @staticmethod
    def key(challenge):
        return f"rank_{challenge.pk}"

    def rank_fields(self):
        return [(self[self.key(c)], c) for c in self.challenges]

    def clean(self):
        data = super().clean()
        by_rank = {}
        for challenge in self.challenges:
            rank = data.get(self.key(challenge))
            if rank is not None:
                by_rank.setdefault(rank, []).append(challenge)
        for rank, challenges in sorted(by_rank.items()):
            if len(challenges) > 1:
                titles = ", ".join(f"“{c.title}”" for c in challenges)
                for challenge in challenges:
                    self.add_error(
                        self.key(challenge),
                        _("Rank %(rank)d is given to more than one challenge (%(titles)s): give each challenge its own rank.")
                        % {"rank": rank, "titles": titles},
                    )
        if not by_rank:
            raise forms.ValidationError(_("Rank at least one challenge: 1 for the one you most want to work on."))
        return data

    def ranking(self):
        """The ranked challenges, best first (only the order of the numbers matters)."""
        ranked = [
            (self.cleaned_data[self.key(c)], c.number or 0, c)
            for c in self.challenges if self.cleaned_data.get(self.key(c)) is not None
        ]
        return [c for _rank, _number, c in sorted(ranked, key=lambda row: (row[0], row[1]))]


class JoinGroupForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"), max_length=20,
        help_text=_("The code a friend gave you, for example ABCD-2345."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class FormationForm(forms.Form):
    min_size = forms.IntegerField(label=_("Smallest team"), min_value=1, max_value=50)
    max_size = forms.IntegerField(
        label=_("Largest team"), min_value=1, max_value=50, help_text=_("Also the largest friend group.")
    )
    fairness = forms.BooleanField(
        label=_("Care for the worst-off: nobody placed more than one rank below the best possible worst rank"),
        required=False,
    )
    skill_coverage = forms.BooleanField(
        label=_("Cover skills: each team should have someone with each skill, when possible"), required=False,
    )
    time_limit = forms.IntegerField(
        label=_("Time limit, in seconds"), min_value=1, max_value=TIME_LIMIT_MAX,
        help_text=_("The optimiser stops here and keeps the best teams found (usually it finishes in a second)."),
    )

    def __init__(self, *args, challenges, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenges = list(challenges)
        if choices is not None and not self.is_bound:
            self.initial.update(
                min_size=choices.min_size, max_size=choices.max_size, fairness=choices.fairness,
                skill_coverage=choices.skill_coverage, time_limit=choices.time_limit,
            )
        for challenge in self.challenges:
            self.fields[f"teams_{challenge.pk}"] = forms.IntegerField(
                # Translators: a hidden label read by screen readers in the table of challenges.
                label=_("Number of teams for “%(title)s”") % {"title": challenge.title},
                min_value=0, max_value=50, required=False,
                initial=choices.teams_per_challenge.get(challenge.pk) if choices else 1,
            )
            self.fields[f"capacity_{challenge.pk}"] = forms.IntegerField(
                label=_("Most people on “%(title)s”") % {"title": challenge.title},
                min_value=0, max_value=10000, required=False,
                initial=choices.capacity.get(challenge.pk) if choices else None,
            )

    def challenge_rows(self):
        return [(c, self[f"teams_{c.pk}"], self[f"capacity_{c.pk}"]) for c in self.challenges]

    def clean(self):
        data = super().clean()
        if data.get("min_size") and data.get("max_size") and data["min_size"] > data["max_size"]:
            self.add_error("max_size", _("The largest team cannot be smaller than the smallest team."))
        return data

    def choices(self):
        data = self.cleaned_data
        return Choices(
            min_size=data["min_size"], max_size=data["max_size"],
            teams_per_challenge={c.pk: data[f"teams_{c.pk}"] for c in self.challenges if data.get(f"teams_{c.pk}") is not None},
            capacity={c.pk: data[f"capacity_{c.pk}"] for c in self.challenges if data.get(f"capacity_{c.pk}") is not None},
            fairness=data["fairness"], skill_coverage=data["skill_coverage"], time_limit=data["time_limit"],
        )


class MoveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.TypedChoiceField(label=_("Move to"), coerce=int, empty_value=None)

    def __init__(self, *args, teams, allow_out=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(team.pk), team.display_name) for team in teams]
        if allow_out:
            choices.append(("", _("No team (not coming)")))
        self.fields["team"].choices = choices
        self.fields["team"].required = not allow_out


class SwapForm(forms.Form):
    first = forms.TypedChoiceField(label=_("First person"), coerce=int)
    second = forms.TypedChoiceField(label=_("Second person"), coerce=int)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [
            (str(member.pk), f"{member.user.name} ({team.display_name})") for team in teams for member in team.members.all()
        ]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", _("Choose two different people."))
        return data


class LockForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    locked = forms.BooleanField(required=False, widget=forms.HiddenInput)


class LateForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)


class SpeakerForm(forms.Form):
    speaker = forms.TypedChoiceField(label=_("Speaker"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [("", _("Nobody yet"))] + [
            (str(member.user_id), member.user.name) for member in team.members.all()
        ]
        self.fields["speaker"].initial = str(team.speaker_id) if team.speaker_id else ""


class MentorForm(forms.Form):
    mentor = forms.TypedChoiceField(label=_("Mentor"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, team, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", _("No mentor"))] + [(str(m.user_id), m.user.name) for m in mentors]
        self.fields["mentor"].initial = str(team.mentor_id) if team.mentor_id else ""


class SheetForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ProjectSheet
        fields = SHEET_FIELDS
        labels = {
            "name": _("Name of the project"),
            "problem": _("The problem"),
            "solution": _("Your solution"),
            "target_users": _("Who it is for"),
            "built": _("What you built today"),
            "next_steps": _("Next steps"),
            "links": _("Links"),
        }
        help_texts = {
            "problem": _("What goes wrong today, and for whom, in a few sentences."),
            "solution": _("What you propose, in plain words."),
            "built": _("A prototype, a drawing, a page, a survey… even on paper."),
            "next_steps": _("What would happen next, and who could help."),
            "links": _("One web address per line (a prototype, a video, a document)."),
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "target_users": forms.Textarea(attrs={"rows": 2}),
            "built": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "links": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(line)s” is not a web address: write one address per line, starting with https://.") % {"line": line[:80]}
                ) from None
        return "\n".join(lines)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Slides as PDF, or an image (PNG, JPEG or WebP); at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False,
        help_text=_("For an image: what it shows, for people who cannot see it."),
    )


class TeamSettingsForm(forms.Form):
    sheet_deadline = forms.DateTimeField(
        label=_("Project sheet deadline"), required=False, widget=DateTimeInput(), input_formats=DATETIME_FORMATS,
        help_text=_("Leave empty to use the end of the sprint in the programme."),
    )
