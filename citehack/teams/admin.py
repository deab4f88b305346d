"""Admin for organisers' power use. Teams, runs and sheets change through the services (with
their audit rows and versions): here they are read-only."""

from django.contrib import admin

from .models import FormationRun, FriendGroup, FriendGroupMember, Preference, ProjectSheet, SheetVersion, Team, TeamMember, TeamSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TeamSettings)
class TeamSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "min_size", "max_size", "sheet_deadline"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    fields = ["user", "locked", "source", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["number", "event", "challenge", "published_at", "speaker", "mentor"]
    list_filter = ["event"]
    inlines = [TeamMemberInline]


@admin.register(FormationRun)
class FormationRunAdmin(ReadOnlyAdmin):
    list_display = ["event", "created_at", "created_by", "status", "people_count"]
    list_filter = ["status", "event"]


class SheetVersionInline(admin.TabularInline):
    model = SheetVersion
    fields = ["number", "action", "author", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ProjectSheet)
class ProjectSheetAdmin(ReadOnlyAdmin):
    list_display = ["team", "name", "version", "submitted_at"]
    inlines = [SheetVersionInline]


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "event", "updated_at"]
    list_filter = ["event"]


class FriendGroupMemberInline(admin.TabularInline):
    model = FriendGroupMember
    fields = ["user", "confirmed_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(FriendGroup)
class FriendGroupAdmin(ReadOnlyAdmin):
    list_display = ["code", "event", "created_at"]
    list_filter = ["event"]
    inlines = [FriendGroupMemberInline]
