"""Admin for organisers' power use. Scores, decisions and the reveal change through the
services (with their audit rows and the screen update): here they are read-only."""

from django.contrib import admin

from .models import Conflict, Criterion, Decision, JudgingSession, Juror, Prize, RevealState, Score, Scorecard


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["name", "event", "order", "weight", "counted", "scale_min", "scale_max"]
    list_filter = ["event"]


@admin.register(JudgingSession)
class JudgingSessionAdmin(ReadOnlyAdmin):
    list_display = ["event", "state", "tiebreak_method", "opened_at", "closed_at", "results_published_at"]


@admin.register(Juror)
class JurorAdmin(ReadOnlyAdmin):
    list_display = ["user", "event", "president", "invited_at", "submitted_at"]
    list_filter = ["event"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["juror", "team", "event", "reason", "declared_at"]
    list_filter = ["event"]


class ScoreInline(admin.TabularInline):
    model = Score
    fields = ["criterion", "value", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["juror", "team", "event", "updated_at", "corrected_at"]
    list_filter = ["event"]
    inlines = [ScoreInline]


@admin.register(Prize)
class PrizeAdmin(ReadOnlyAdmin):
    list_display = ["name", "event", "kind", "order"]
    list_filter = ["event"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["prize", "team", "decided_by", "decided_at"]
    list_filter = ["prize__event"]


@admin.register(RevealState)
class RevealStateAdmin(ReadOnlyAdmin):
    list_display = ["event", "updated_at"]
