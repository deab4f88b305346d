"""French for everyone by default; English only when the person chose it with the switcher."""

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from citehack.core.middleware import LanguageMiddleware

REQUIRED_FR = "Ce champ est obligatoire."
REQUIRED_EN = "This field is required."


def test_pages_are_french_even_when_the_browser_asks_for_english(client, db):
    response = client.post(reverse("accounts:sign_in"), {"email": ""}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert REQUIRED_FR in response.content.decode()
    assert REQUIRED_EN not in response.content.decode()


def test_the_language_switcher_turns_pages_english(client, db):
    switch = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:sign_in")})

    assert switch.status_code == 302
    assert switch["Location"] == reverse("accounts:sign_in")
    assert switch.cookies["django_language"].value == "en"

    response = client.post(reverse("accounts:sign_in"), {"email": ""})

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert REQUIRED_EN in response.content.decode()


def test_switching_back_to_french(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    response = client.get(reverse("accounts:sign_in"))

    assert response["Content-Language"] == "fr"


def test_an_unsupported_language_cookie_falls_back_to_french(client, db):
    client.cookies["django_language"] = "de"

    response = client.get(reverse("accounts:sign_in"), HTTP_ACCEPT_LANGUAGE="de")

    assert response["Content-Language"] == "fr"


def test_responses_vary_on_the_cookie_that_chooses_the_language():
    def view(request):
        response = HttpResponse("ok")
        response["Vary"] = "Accept-Encoding"
        return response

    response = LanguageMiddleware(view)(RequestFactory().get("/"))

    assert [part.strip() for part in response["Vary"].split(",")] == ["Accept-Encoding", "Cookie"]


def test_a_signed_in_persons_choice_is_remembered_on_their_account(client, db):
    from tests.factories import UserFactory

    user = UserFactory(language="")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"

    client.post(reverse("set_language"), {"language": "de", "next": "/"})  # not offered: nothing changes
    user.refresh_from_db()
    assert user.language == "en"

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "fr"


def test_an_anonymous_switch_only_sets_the_cookie(client, db):
    from citehack.accounts.models import User

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.cookies["django_language"].value == "en"
    assert not User.objects.exists()
