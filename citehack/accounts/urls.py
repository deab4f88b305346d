from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/password/", views.PasswordSignInView.as_view(), name="password_sign_in"),
    path("link/<str:token>/", views.use_link, name="use_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("me/", views.home, name="home"),
]
