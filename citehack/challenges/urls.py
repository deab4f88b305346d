from django.urls import path

from . import views

app_name = "challenges"
urlpatterns = [
    path("e/<slug:slug>/challenges/", views.challenge_list, name="list"),
    path("e/<slug:slug>/challenges/propose/", views.propose, name="propose"),
    path("e/<slug:slug>/challenges/vote/", views.ballot, name="ballot"),
    path("e/<slug:slug>/challenges/results/", views.results, name="results"),
    path("e/<slug:slug>/challenges/results/ballots.csv", views.ballots_csv, name="ballots_csv"),
    path("manage/<slug:slug>/challenges/", views.manage_list, name="manage"),
    path("manage/<slug:slug>/challenges/<int:pk>/accept/", views.manage_accept, name="accept"),
    path("manage/<slug:slug>/challenges/<int:pk>/reject/", views.manage_reject, name="reject"),
    path("manage/<slug:slug>/challenges/<int:pk>/merge/", views.manage_merge, name="merge"),
    path("manage/<slug:slug>/challenges/vote/", views.vote_setup, name="vote_setup"),
    path("manage/<slug:slug>/challenges/vote/open/", views.vote_open, name="vote_open"),
    path("manage/<slug:slug>/challenges/vote/close/", views.vote_close, name="vote_close"),
    path("manage/<slug:slug>/challenges/vote/turnout/", views.turnout, name="turnout"),
    path("manage/<slug:slug>/challenges/vote/paper/", views.paper, name="paper"),
    path("manage/<slug:slug>/challenges/vote/paper/<uuid:pk>/remove/", views.paper_remove, name="paper_remove"),
]
