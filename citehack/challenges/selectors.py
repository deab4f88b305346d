"""Reads on challenges and the vote used by several pages, the close and the teams app."""

import json

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from .models import Ballot, Challenge, ChallengeStatus, ChallengeVote, Rule, VoteStatus

# Plain-language explanations of the rules, translatable (the tally package keeps its own, untranslated,
# for the command line).
RULE_NAMES = dict(Rule.choices)
RULE_EXPLANATIONS = {
    "av": _(
        "The challenges with the most ticks are retained. It is simple, but a group that is "
        "more than half of the voters can take every place."
    ),
    "seqphragmen": _(
        "Challenges are chosen one after the other. Each chosen challenge is a load shared "
        "by the people who ticked it, as evenly as possible. The next challenge is the one "
        "whose supporters would then carry the lightest load. A group of voters gets a share "
        "of the retained challenges in proportion to its size."
    ),
    "equal-shares": _(
        "Each voter receives the same share of an imaginary budget that pays for all the "
        "retained challenges. A challenge is bought when the people who ticked it can pay its "
        "price together; the challenge bought next is the one for which the largest share "
        "anyone must pay is smallest. A group of voters thus gets a share of the retained "
        "challenges in proportion to its size. If money is left but no remaining challenge "
        "is affordable, the last places are filled by the sequential Phragmén method."
    ),
    "schulze": _(
        "Every pair of challenges is compared: how many voters put one above the other. "
        "A challenge beats another when its chain of wins over it is stronger than the chain "
        "back. This gives a ranking of all the challenges; the first ones are retained."
    ),
    "stv": _(
        "Each ballot counts for its favourite challenge still in the race. A challenge that "
        "reaches the quota is retained and the votes it does not need move to the next "
        "choices; when no challenge reaches it, the one with the fewest votes is eliminated "
        "and its ballots move to their next choice."
    ),
}
# Stages and tie-break methods as the tally package names them, for the results page.
TIE_STAGES = {
    "approval count": _("approval count"),
    "equal shares": _("Equal Shares round"),
    "phragmen": _("Phragmén round"),
    "phragmen completion": _("Phragmén completion"),
    "fill: no approvals left": _("last places, no approvals left"),
    "Schulze ranking at the cut": _("Schulze ranking at the last place"),
    "stv surplus order": _("order of surplus transfers"),
    "stv exclusion": _("elimination"),
}
TIE_METHODS = {
    "seeded order": _("the published random order (from the seed)"),
    "totals at an earlier stage": _("the totals at an earlier stage of the count"),
}


def get_vote(event):
    """The event's vote, or None before the organiser sets it up."""
    return ChallengeVote.objects.filter(event=event).first()


def parse_content(content):
    """A ballot's content as the list of codes it holds (sorted, or best first)."""
    return json.loads(content)


def code_key(code):
    return int(code[1:])


def candidates(vote):
    """The challenges on the ballot, in code order (C1, C2, ...)."""
    challenges = list(Challenge.objects.filter(event_id=vote.event_id).exclude(code=""))
    return sorted(challenges, key=lambda c: c.code_index)


def aggregated_profile(vote):
    """The distinct ballots and how many times each was cast: [(codes, count), ...].

    One GROUP BY in the database: the rule then works on at most a few thousand distinct
    ballots however many people voted.
    """
    rows = (
        Ballot.objects.filter(vote=vote).order_by().values_list("content").annotate(total=Sum("count"))
    )
    return [(parse_content(content), total) for content, total in rows]


def turnout(vote, event):
    """Online voters, paper ballots and the people who may vote."""
    eligible = event.registrations.filter(state="confirmed").count()
    online = paper = 0
    if vote is not None:
        online = vote.voters.count()
        paper = vote.ballots.filter(source="paper").aggregate(n=Sum("count"))["n"] or 0
    return {
        "online": online,
        "eligible": eligible,
        "paper": paper,
        "percent": round(100 * online / eligible) if eligible else 0,
        "total": online + paper,
    }


def public_challenges(event, vote=None):
    """What anyone may read: before the vote, the proposals still in play; after, the candidates."""
    challenges = event.challenges.all()
    if vote is None or vote.status == VoteStatus.SETUP:
        return challenges.filter(status__in=[ChallengeStatus.PROPOSED, ChallengeStatus.ACCEPTED])
    return challenges.exclude(code="")


def moderation_list(event):
    """Every challenge of the event with its proposer and merge target, for the organiser."""
    return event.challenges.select_related("proposed_by", "merged_into").order_by("created_at", "id")


def retained_challenges(event):
    """The challenges the vote retained, in order (n°1 first): the event's challenges for team formation."""
    return Challenge.objects.filter(event=event, retained=True).order_by("number")
