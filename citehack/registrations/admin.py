from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Registration, WorkshopSignup


class WorkshopSignupInline(admin.TabularInline):
    model = WorkshopSignup
    extra = 0
    readonly_fields = ["item", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Power use only: the state moves through the services (capacity, waiting list, audit)."""

    list_display = ["user", "event", "state", "status", "neighbourhood", "checked_in_at", "source", "created_at"]
    list_filter = ["state", "status", "source", "event"]
    search_fields = ["user__name", "user__email", "neighbourhood"]
    list_select_related = ["user", "event"]
    readonly_fields = [
        "event", "user", "state", "waitlisted_at", "promoted_at", "cancelled_at", "checked_in_at",
        "consent_at", "consent_version", "badge_code", "source", "created_at", "updated_at",
    ]
    inlines = [WorkshopSignupInline]
    actions = ["cancel_selected", "check_in_selected"]

    def has_add_permission(self, request):
        # New registrations go through the form or the CSV import, which apply the capacity.
        return False

    @admin.action(description=_("Cancel the selected registrations (promotes people waiting)"))
    def cancel_selected(self, request, queryset):
        for registration in queryset:
            services.cancel_registration(actor=request.user, registration=registration, request=request)
        count = queryset.count()
        self.message_user(
            request, ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Check in the selected registrations"))
    def check_in_selected(self, request, queryset):
        done = 0
        for registration in queryset:
            try:
                _registration, changed = services.check_in(actor=request.user, registration=registration)
            except ValidationError as error:
                self.message_user(request, f"{registration.user}: {' '.join(error.messages)}", messages.WARNING)
            else:
                done += changed
        self.message_user(
            request, ngettext("%(count)d person checked in.", "%(count)d people checked in.", done) % {"count": done},
            messages.SUCCESS,
        )


@admin.register(WorkshopSignup)
class WorkshopSignupAdmin(admin.ModelAdmin):
    list_display = ["registration", "item", "created_at"]
    list_filter = ["item__event"]
    search_fields = ["registration__user__name", "registration__user__email", "item__title"]
    list_select_related = ["registration__user", "item"]
    readonly_fields = ["registration", "item", "created_at"]

    def has_add_permission(self, request):
        return False
