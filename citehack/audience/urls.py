from django.urls import path

from . import views

app_name = "audience"
urlpatterns = [
    path("e/<slug:slug>/vote/", views.vote, name="vote"),
    path("manage/<slug:slug>/audience/", views.manage, name="manage"),
    path("manage/<slug:slug>/audience/settings/", views.configure, name="configure"),
    path("manage/<slug:slug>/audience/open/", views.open_view, name="open"),
    path("manage/<slug:slug>/audience/close/", views.close_view, name="close"),
]
