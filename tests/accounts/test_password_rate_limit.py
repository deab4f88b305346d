from django.test import RequestFactory
from django.urls import reverse

from citehack.core.http import client_address
from tests.factories import UserFactory


def test_password_sign_in_is_rate_limited_per_email(client, db, settings):
    settings.PASSWORD_SIGN_IN_RATE = (3, 900)
    user = UserFactory(email="orga@example.org")
    url = reverse("accounts:password_sign_in")
    for _ in range(3):
        assert client.post(url, {"username": user.email, "password": "wrong"}).status_code == 200
    response = client.post(url, {"username": user.email, "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_sign_in_still_works_under_the_limit(client, db):
    user = UserFactory(email="orga2@example.org")
    response = client.post(
        reverse("accounts:password_sign_in"), {"username": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_client_address_trusts_the_proxy_entry_only_when_told(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_address(request) == "10.0.0.1"
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_address(request) == "203.0.113.7"
