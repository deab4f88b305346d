from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("e/<slug:slug>/teams/", views.hub, name="hub"),
    path("e/<slug:slug>/teams/preferences/", views.preferences, name="preferences"),
    path("e/<slug:slug>/teams/friends/", views.friends, name="friends"),
    path("e/<slug:slug>/teams/friends/create/", views.friends_create, name="friends_create"),
    path("e/<slug:slug>/teams/friends/join/", views.friends_join, name="friends_join"),
    path("e/<slug:slug>/teams/friends/<int:pk>/accept/", views.friends_accept, name="friends_accept"),
    path("e/<slug:slug>/teams/friends/<int:pk>/decline/", views.friends_decline, name="friends_decline"),
    path("e/<slug:slug>/teams/friends/leave/", views.friends_leave, name="friends_leave"),
    path("e/<slug:slug>/teams/<int:pk>/", views.team_page, name="team"),
    path("e/<slug:slug>/teams/<int:pk>/speaker/", views.speaker, name="speaker"),
    path("e/<slug:slug>/teams/<int:pk>/sheet/", views.sheet_edit, name="sheet_edit"),
    path("e/<slug:slug>/teams/<int:pk>/sheet/submit/", views.sheet_submit, name="sheet_submit"),
    path("e/<slug:slug>/teams/<int:pk>/sheet/history/", views.sheet_history, name="sheet_history"),
    path("e/<slug:slug>/teams/<int:pk>/files/", views.file_upload, name="file_upload"),
    path("e/<slug:slug>/teams/<int:pk>/files/<int:file_pk>/", views.file_download, name="file_download"),
    path("e/<slug:slug>/teams/<int:pk>/files/<int:file_pk>/remove/", views.file_remove, name="file_remove"),
    path("manage/<slug:slug>/teams/", views.manage, name="manage"),
    path("manage/<slug:slug>/teams/run/", views.run, name="run"),
    path("manage/<slug:slug>/teams/move/", views.move, name="move"),
    path("manage/<slug:slug>/teams/swap/", views.swap, name="swap"),
    path("manage/<slug:slug>/teams/lock/", views.lock, name="lock"),
    path("manage/<slug:slug>/teams/publish/", views.publish, name="publish"),
    path("manage/<slug:slug>/teams/late/", views.late, name="late"),
    path("manage/<slug:slug>/teams/late/all/", views.late_all, name="late_all"),
    path("manage/<slug:slug>/teams/preferences/", views.preferences_overview, name="preferences_overview"),
    path("manage/<slug:slug>/teams/settings/", views.team_settings, name="settings"),
    path("manage/<slug:slug>/teams/<int:pk>/mentor/", views.mentor, name="mentor"),
    path("manage/<slug:slug>/teams/<int:pk>/reopen/", views.sheet_reopen, name="sheet_reopen"),
]
