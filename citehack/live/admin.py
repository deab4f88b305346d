from django.contrib import admin

from .models import Announcement, LiveState


@admin.register(LiveState)
class LiveStateAdmin(admin.ModelAdmin):
    list_display = ["event", "screen_mode", "timer_ends_at", "version", "updated_at"]
    readonly_fields = ["version", "updated_at"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "created_at", "ends_at", "withdrawn_at"]
    list_filter = ["event"]
