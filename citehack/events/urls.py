from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("e/<slug:slug>/", views.detail, name="detail"),
    path("e/<slug:slug>/programme/", views.programme, name="programme"),
    path("e/<slug:slug>/programme.ics", views.programme_ics, name="programme_ics"),
    path("manage/", views.dashboard, name="dashboard"),
    path("manage/new/", views.event_create, name="create"),
    path("manage/<slug:slug>/", views.manage, name="manage"),
    path("manage/<slug:slug>/edit/", views.event_edit, name="edit"),
    path("manage/<slug:slug>/phase/", views.phase, name="phase"),
    path("manage/<slug:slug>/clone/", views.event_clone, name="clone"),
    path("manage/<slug:slug>/programme/", views.programme_manage, name="programme_manage"),
    path("manage/<slug:slug>/programme/new/", views.item_edit, name="item_create"),
    path("manage/<slug:slug>/programme/<int:pk>/", views.item_edit, name="item_edit"),
    path("manage/<slug:slug>/programme/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("manage/<slug:slug>/programme/<int:pk>/sign-ups/", views.item_signups, name="item_signups"),
    path("manage/<slug:slug>/roles/", views.roles, name="roles"),
    path("manage/<slug:slug>/roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("manage/<slug:slug>/audit/", views.audit_log, name="audit"),
    path("manage/<slug:slug>/partners/", views.partners, name="partners"),
    path("manage/<slug:slug>/partners/<int:pk>/remove/", views.partner_remove, name="partner_remove"),
]
