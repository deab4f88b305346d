from django.urls import path

from . import views

app_name = "live"
urlpatterns = [
    path("manage/<slug:slug>/live/", views.control_room, name="control"),
    path("manage/<slug:slug>/live/announcements/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("manage/<slug:slug>/live/<slug:action>/", views.control_action, name="action"),
    path("live/screen/<str:token>/", views.screen, name="screen"),
    path("e/<slug:slug>/live/", views.phone, name="phone"),
    path("j/<int:pk>/", views.join, name="join"),
    path("live/<int:pk>/state.json", views.state_json, name="state"),
    path("live/<int:pk>/stream/", views.stream_wsgi, name="stream"),
]
