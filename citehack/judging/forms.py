from django import forms
from django.utils.translation import gettext_lazy as _

from . import aggregation as agg
from .models import MAX_SCALE_POINTS, PrizeKind, TieBreakMethod
from .services.rubric import check_labels
from .services.scoring import COMMENT_MAX


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the jurors look at, in one or two sentences."),
    )
    scale_min = forms.IntegerField(label=_("Lowest score"), initial=1, min_value=-10, max_value=10)
    scale_max = forms.IntegerField(label=_("Highest score"), initial=5, min_value=-9, max_value=20)
    labels = forms.CharField(
        label=_("Labels of the scale"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One label per line, from the lowest score to the highest: one line for every point, or two lines "
            "for the two ends only. Leave empty for no label."
        ),
    )
    weight = forms.DecimalField(label=_("Weight"), initial=1, min_value=0, max_value=100, max_digits=5, decimal_places=2)
    counted = forms.BooleanField(
        label=_("Counted in the totals"), required=False, initial=True,
        help_text=_("Untick for a criterion shown to the jury and scored, but left out of every total."),
    )
    order = forms.IntegerField(label=_("Position in the rubric"), min_value=0, max_value=99, initial=1)

    @staticmethod
    def initial_for(criterion):
        points = criterion.points()
        labelled = [label for _value, label in points if label]
        if len(labelled) == len(points):
            text = "\n".join(labelled)
        elif labelled:
            text = "\n".join([criterion.label_for(criterion.scale_min), criterion.label_for(criterion.scale_max)])
        else:
            text = ""
        return {
            "name": criterion.name, "description": criterion.description, "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max, "labels": text, "weight": criterion.weight,
            "counted": criterion.counted, "order": criterion.order,
        }

    def clean(self):
        data = super().clean()
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is None or high is None:
            return data
        if high <= low:
            self.add_error("scale_max", _("The highest score must be above the lowest."))
            return data
        if high - low + 1 > MAX_SCALE_POINTS:
            self.add_error("scale_max", _("A scale has at most %(count)d points, so that it fits on a phone.")
                           % {"count": MAX_SCALE_POINTS})
            return data
        lines = [line.strip() for line in (data.get("labels") or "").splitlines() if line.strip()]
        if not lines:
            data["labels"] = {}
        elif len(lines) == high - low + 1:
            data["labels"] = {str(value): line[:60] for value, line in zip(range(low, high + 1), lines)}
        elif len(lines) == 2:
            data["labels"] = {str(low): lines[0][:60], str(high): lines[1][:60]}
        else:
            self.add_error("labels", _("Give %(points)d lines (one for every point) or 2 lines (the two ends).")
                           % {"points": high - low + 1})
            return data
        check_labels(data["labels"], low, high)
        if data.get("counted") and data.get("weight") is not None and data["weight"] <= 0:
            self.add_error("weight", _("A counted criterion needs a weight above zero."))
        return data


class OpenScoringForm(forms.Form):
    tiebreak_method = forms.ChoiceField(
        label=_("Normalised score used first to break a tie"), choices=TieBreakMethod.choices,
        initial=TieBreakMethod.ZSCORE, widget=forms.RadioSelect,
        help_text=_("The chain is then: head-to-head among common jurors, the top-weighted criterion, a jury vote. "
                    "It is declared now, before the pitches, and cannot change afterwards."),
    )


class InviteJurorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("As the person writes it."))


class PresidentForm(forms.Form):
    president = forms.BooleanField(required=False)


class ConflictForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why (optional, seen by the organisers)"), required=False, max_length=200,
    )


class ScorecardForm(forms.Form):
    """One radio group per criterion and the comment; every group is optional so that each
    change can be saved on its own."""

    comment = forms.CharField(
        label=_("Comment for the deliberation"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        fields = {}
        for criterion in rubric:
            fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name, required=False, coerce=int, empty_value=None,
                choices=[(value, f"{value} {label}".strip()) for value, label in criterion.points()],
                error_messages={"invalid_choice": _("Choose a score from %(low)d to %(high)d.")
                                % {"low": criterion.scale_min, "high": criterion.scale_max}},
            )
        fields["comment"] = self.fields.pop("comment")
        self.fields.update(fields)

    def values(self):
        """{criterion id: value} for the groups answered."""
        return {
            criterion.pk: self.cleaned_data[f"c{criterion.pk}"]
            for criterion in self.rubric
            if self.cleaned_data.get(f"c{criterion.pk}") is not None
        }


class SubmitForm(forms.Form):
    confirm_incomplete = forms.BooleanField(
        label=_("I submit without the teams I have not fully scored (I did not see their pitch)."), required=False,
    )


class PrizeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example: First prize, Coup de cœur."))
    kind = forms.ChoiceField(label=_("Awarded by"), choices=PrizeKind.choices, widget=forms.RadioSelect, initial=PrizeKind.JURY)
    order = forms.IntegerField(
        label=_("Order"), min_value=1, max_value=99, initial=1,
        help_text=_("1 for the first prize, 2 for the second… The reveal goes from the last to the first."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class DecisionForm(forms.Form):
    team = forms.TypedChoiceField(
        label=_("Awarded to"), coerce=int, empty_value=None,
        error_messages={"required": _("Choose a team, or “Not awarded”.")},
    )
    rationale = forms.CharField(
        label=_("Rationale"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the jury chose this team: it is published with the decision."),
    )

    NOT_AWARDED = 0

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in teams}
        self.fields["team"].choices = [
            ("", _("Choose…")),
            *[(team.pk, team.display_name) for team in teams],
            (self.NOT_AWARDED, _("Not awarded")),
        ]

    def clean_team(self):
        value = self.cleaned_data["team"]
        if value is None:
            raise forms.ValidationError(_("Choose a team, or “Not awarded”."))
        return value

    def chosen_team(self):
        value = self.cleaned_data["team"]
        return None if value == self.NOT_AWARDED else self.teams[value]


class MethodForm(forms.Form):
    method = forms.ChoiceField(label=_("Lead with"), required=False, initial=agg.MEAN)

    def __init__(self, *args, **kwargs):
        from .selectors import METHOD_LABELS

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m, METHOD_LABELS[m]) for m in agg.METHODS]

    def chosen(self):
        return (self.cleaned_data.get("method") or agg.MEAN) if self.is_valid() else agg.MEAN
