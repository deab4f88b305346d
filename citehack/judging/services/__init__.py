"""Every write of the jury's part, in one place to import from: the rubric, jurors and their
conflicts, scoring, prizes and decisions, the reveal and the published results."""

from .jurors import declare_conflict, ensure_juror, invite_juror, resend_invitation, set_president, withdraw_conflict
from .prizes import (
    create_default_prizes, decision_refusal, default_prizes, delete_prize, latest_decisions, next_to_reveal,
    prizes_refusal, publish_refusal, publish_results, record_decision, reset_reveal, reveal_next, reveal_sequence,
    save_prize, unpublish_results,
)
from .rubric import create_default_rubric, default_criteria, delete_criterion, rubric_refusal, save_criterion
from .scoring import (
    close_scoring, missing_teams, open_refusal, open_scoring, reopen_scoring, save_scorecard, scoring_refusal,
    submit_scores,
)

__all__ = [
    "close_scoring", "create_default_prizes", "create_default_rubric", "decision_refusal", "declare_conflict",
    "default_criteria", "default_prizes", "delete_criterion", "delete_prize", "ensure_juror", "invite_juror",
    "latest_decisions", "missing_teams", "next_to_reveal", "open_refusal", "open_scoring", "prizes_refusal",
    "publish_refusal", "publish_results", "record_decision", "reopen_scoring", "resend_invitation", "reset_reveal",
    "reveal_next", "reveal_sequence", "rubric_refusal", "save_criterion", "save_prize", "save_scorecard",
    "scoring_refusal", "set_president", "submit_scores", "unpublish_results", "withdraw_conflict",
]
