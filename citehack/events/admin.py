from django.contrib import admin

from citehack.core.models import AuditEntry

from .models import Event, Membership, Organisation, Partner, ProgrammeItem


class ProgrammeInline(admin.TabularInline):
    model = ProgrammeItem
    extra = 0


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    filter_horizontal = ["organisers"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "starts_at", "phase", "capacity"]
    list_filter = ["phase", "organisation"]
    search_fields = ["title", "slug"]
    inlines = [ProgrammeInline, PartnerInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "role", "created_at"]
    list_filter = ["role", "event"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "event"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
