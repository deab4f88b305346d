from django.urls import path

from . import views

app_name = "judging"
urlpatterns = [
    # The jury (phones) and the deliberation.
    path("e/<slug:slug>/jury/", views.juror_home, name="juror_home"),
    path("e/<slug:slug>/jury/conflicts/", views.conflicts, name="conflicts"),
    path("e/<slug:slug>/jury/teams/<int:pk>/", views.score, name="score"),
    path("e/<slug:slug>/jury/submit/", views.submit, name="submit"),
    path("e/<slug:slug>/jury/deliberation/", views.deliberation, name="deliberation"),
    path("e/<slug:slug>/jury/prizes/<int:pk>/", views.prize, name="prize"),
    # Public.
    path("e/<slug:slug>/results/", views.results, name="results"),
    # Organisers.
    path("manage/<slug:slug>/judging/", views.overview, name="manage"),
    path("manage/<slug:slug>/judging/open/", views.open_scoring, name="open"),
    path("manage/<slug:slug>/judging/close/", views.close_scoring, name="close"),
    path("manage/<slug:slug>/judging/reopen/", views.reopen_scoring, name="reopen"),
    path("manage/<slug:slug>/judging/rubric/", views.rubric, name="rubric"),
    path("manage/<slug:slug>/judging/rubric/new/", views.criterion_edit, name="criterion_create"),
    path("manage/<slug:slug>/judging/rubric/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("manage/<slug:slug>/judging/rubric/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("manage/<slug:slug>/judging/jurors/", views.jurors, name="jurors"),
    path("manage/<slug:slug>/judging/jurors/<int:pk>/president/", views.juror_president, name="juror_president"),
    path("manage/<slug:slug>/judging/jurors/<int:pk>/resend/", views.juror_resend, name="juror_resend"),
    path("manage/<slug:slug>/judging/prizes/", views.prizes, name="prizes"),
    path("manage/<slug:slug>/judging/prizes/new/", views.prize_edit, name="prize_create"),
    path("manage/<slug:slug>/judging/prizes/<int:pk>/", views.prize_edit, name="prize_edit"),
    path("manage/<slug:slug>/judging/prizes/<int:pk>/delete/", views.prize_delete, name="prize_delete"),
    path("manage/<slug:slug>/judging/reveal/", views.reveal, name="reveal"),
    path("manage/<slug:slug>/judging/reveal/next/", views.reveal_next, name="reveal_next"),
    path("manage/<slug:slug>/judging/reveal/reset/", views.reveal_reset, name="reveal_reset"),
    path("manage/<slug:slug>/judging/publish/", views.publish, name="publish"),
    path("manage/<slug:slug>/judging/unpublish/", views.unpublish, name="unpublish"),
]
