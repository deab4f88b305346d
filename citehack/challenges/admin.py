"""Admin for organisers' power use. The seed and the voter key never show while the vote is
open (the seed is a commitment; the key links ballots to voters), and ballots are not listed."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Challenge, ChallengeVote


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "status", "code", "retained", "number"]
    list_filter = ["status", "retained", "event"]
    search_fields = ["title", "problem"]
    raw_id_fields = ["proposed_by", "merged_into"]
    # Status, codes and numbers change through the services (moderation, the vote), with their audit rows.
    readonly_fields = ["status", "rejection_reason", "merged_into", "code", "retained", "number"]


@admin.register(ChallengeVote)
class ChallengeVoteAdmin(admin.ModelAdmin):
    list_display = ["event", "status", "rule", "seats", "opened_at", "closed_at"]
    list_filter = ["status", "rule"]
    fields = [
        "event", "status", "seats", "ballot_kind", "max_approvals", "rule", "rule_version", "seed_hash",
        "revealed_seed", "opened_at", "closed_at", "result",
    ]
    readonly_fields = fields

    @admin.display(description=_("seed"))
    def revealed_seed(self, vote):
        return vote.seed if vote.is_closed else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
