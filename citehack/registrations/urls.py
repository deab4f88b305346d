from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("e/<slug:slug>/register/", views.register, name="register"),
    path("e/<slug:slug>/my-registration/", views.mine, name="mine"),
    path("e/<slug:slug>/my-registration/cancel/", views.cancel, name="cancel"),
    path("e/<slug:slug>/my-registration/badge/", views.badge, name="badge"),
    path("e/<slug:slug>/workshops/<int:pk>/sign-up/", views.workshop_signup, name="workshop_signup"),
    path("e/<slug:slug>/workshops/<int:pk>/leave/", views.workshop_leave, name="workshop_leave"),
    path("manage/<slug:slug>/registrations/", views.manage_list, name="manage_list"),
    path("manage/<slug:slug>/registrations/export.csv", views.manage_export, name="manage_export"),
    path("manage/<slug:slug>/registrations/import/", views.manage_import, name="manage_import"),
    path("manage/<slug:slug>/registrations/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<slug:slug>/check-in/", views.checkin, name="checkin"),
    path("manage/<slug:slug>/check-in/badge/<str:code>/", views.checkin_badge, name="checkin_badge"),
    path("manage/<slug:slug>/check-in/<int:pk>/", views.checkin_do, name="checkin_do"),
]
