"""Admin for organisers' power use: the poll read-only (it changes through the services, with
their audit rows); the votes are not listed, their voter keys being of no use to anyone."""

from django.contrib import admin

from .models import Poll


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["event", "title", "status", "eligibility", "opened_at", "closed_at"]
    list_filter = ["status", "eligibility"]
    fields = [
        "event", "title", "status", "eligibility", "device_weight", "participant_weight",
        "opened_at", "opened_by", "closed_at", "closed_by", "results",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
