from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from citehack.registrations.models import Theme

from .models import BallotKind, Challenge, ChallengeStatus, Rule


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["title", "problem", "affected", "outcome", "theme"]
        labels = {
            "title": _("Title of the challenge"),
            "problem": _("What is the problem?"),
            "affected": _("Who is affected?"),
            "outcome": _("What would success look like?"),
            "theme": _("Theme (optional)"),
        }
        help_texts = {
            "title": _("One short sentence, for example a question: “How can we…?”"),
            "problem": _("Describe what goes wrong today, in a few sentences."),
            "affected": _("The people who live with this problem."),
            "outcome": _("What a team could build or change in one afternoon, or start."),
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "affected": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("No particular theme")), *Theme.choices]
        for name in ("title", "problem", "affected", "outcome"):
            self.fields[name].required = True


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the challenge: write it for the person who proposed it."),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Duplicate of"), queryset=Challenge.objects.none(),
        help_text=_("The challenge this one repeats. Nobody is told by e-mail; the list shows the merge."),
    )

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Challenge.objects.filter(event_id=challenge.event_id, status__in=[ChallengeStatus.PROPOSED, ChallengeStatus.ACCEPTED])
            .exclude(pk=challenge.pk).order_by("title")
        )


class VoteSetupForm(forms.Form):
    seats = forms.IntegerField(
        label=_("Number of challenges to retain"), min_value=1, max_value=50,
        help_text=_("One team per retained challenge. The reference day retained 7 out of about 12."),
    )
    ballot_kind = forms.ChoiceField(label=_("Ballot"), choices=BallotKind.choices, widget=forms.RadioSelect)
    max_approvals = forms.IntegerField(
        label=_("Most ticks per approval ballot (optional)"), min_value=1, max_value=50, required=False,
        help_text=_("Leave empty to let each person tick as many challenges as they like."),
    )
    rule = forms.ChoiceField(
        label=_("Counting rule"), choices=Rule.choices, widget=forms.RadioSelect,
        help_text=_(
            "Approval voting, sequential Phragmén and Equal Shares count ticks; Schulze and the single "
            "transferable vote count rankings. Equal Shares and Phragmén give each group of voters a "
            "share of the retained challenges in proportion to its size."
        ),
    )


class ApprovalBallotForm(forms.Form):
    """Tick boxes, one per candidate; the maximum is stated and checked."""

    choices = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, candidates, max_approvals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_approvals = max_approvals
        field = self.fields["choices"]
        field.choices = [(c.code, c.title) for c in candidates]
        if max_approvals:
            field.label = ngettext(
                "Tick the challenge you would like to work on (at most %(max)d)",
                "Tick the challenges you would like to work on (at most %(max)d)",
                max_approvals,
            ) % {"max": max_approvals}
        else:
            field.label = _("Tick the challenges you would like to work on (as many as you like)")

    def clean_choices(self):
        chosen = self.cleaned_data["choices"]
        if not chosen:
            raise forms.ValidationError(_("Tick at least one challenge."))
        if self.max_approvals and len(chosen) > self.max_approvals:
            raise forms.ValidationError(
                ngettext(
                    "You ticked %(count)d challenges: tick at most %(max)d.",
                    "You ticked %(count)d challenges: tick at most %(max)d.",
                    len(chosen),
                ) % {"count": len(chosen), "max": self.max_approvals}
            )
        return chosen

    def selection(self):
        return list(self.cleaned_data["choices"])


class RankingBallotForm(forms.Form):
    """One rank select per candidate: works without JavaScript; duplicate ranks are refused."""

    def __init__(self, *args, candidates, initial_order=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        ranks = [("", _("Not ranked"))] + [(str(r), str(r)) for r in range(1, len(self.candidates) + 1)]
        initial_rank = {code: position for position, code in enumerate(initial_order, start=1)}
        for challenge in self.candidates:
            self.fields[challenge.code] = forms.TypedChoiceField(
                label=challenge.title, choices=ranks, coerce=int, empty_value=None, required=False,
                initial=initial_rank.get(challenge.code, ""),
            )

    def clean(self):
        data = super().clean()
        by_rank = {}
        for challenge in self.candidates:
            rank = data.get(challenge.code)
            if rank is not None:
                by_rank.setdefault(rank, []).append(challenge)
        for rank, challenges in sorted(by_rank.items()):
            if len(challenges) > 1:
                for challenge in challenges:
                    self.add_error(
                        challenge.code,
                        _("Rank %(rank)d is given to more than one challenge: give each challenge its own rank.")
                        % {"rank": rank},
                    )
        if not by_rank:
            raise forms.ValidationError(_("Rank at least one challenge: 1 for your favourite."))
        return data

    def selection(self):
        """The ranked codes, best first (only the order of the ranks matters)."""
        ranked = [(self.cleaned_data[c.code], c.code) for c in self.candidates if self.cleaned_data.get(c.code) is not None]
        return [code for _rank, code in sorted(ranked)]


class PaperApprovalForm(ApprovalBallotForm):
    count = forms.IntegerField(
        label=_("Number of identical paper ballots"), min_value=1, max_value=100000, initial=1,
        help_text=_("Enter a stack of identical ballots at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].label = _("Challenges ticked on these ballots")
        self.order_fields(["choices", "count"])


class PaperRankingForm(RankingBallotForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"] = forms.IntegerField(
            label=_("Number of identical paper ballots"), min_value=1, max_value=100000, initial=1,
            help_text=_("Enter a stack of identical ballots at once."),
        )
