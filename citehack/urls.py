from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from citehack.core.views import set_language
from citehack.events import views as event_views

handler400 = "citehack.core.views.bad_request"
handler403 = "citehack.core.views.permission_denied"
handler404 = "citehack.core.views.page_not_found"
handler500 = "citehack.core.views.server_error"

urlpatterns = [
    path("", event_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("citehack.accounts.urls")),
    path("", include("citehack.audience.urls")),
    path("", include("citehack.events.urls")),
    path("", include("citehack.registrations.urls")),
    path("", include("citehack.challenges.urls")),
    path("", include("citehack.teams.urls")),
    path("", include("citehack.judging.urls")),
    path("", include("citehack.live.urls")),
    path("admin/", admin.site.urls),
    # Uploaded files (partners' logos) are served by the application itself: a venue laptop
    # has no other web server.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
