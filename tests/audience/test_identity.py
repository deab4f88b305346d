"""Voter tokens: random, signed, stored only as a keyed hash; the cookie's name follows HTTPS."""

import base64

import pytest
from django.test import RequestFactory

from citehack.audience import identity

from .conftest import Phone

pytestmark = pytest.mark.django_db


def test_a_token_holds_at_least_128_random_bits_and_is_signed():
    token = identity.new_token()
    body, tag = token.split(".")
    assert len(base64.urlsafe_b64decode(body + "==")) * 8 >= 128
    assert identity.device_key(token) is not None
    assert len({identity.new_token() for _ in range(100)}) == 100


def test_the_voter_key_is_a_keyed_hash_not_the_token(settings):
    token = identity.new_token()
    key = identity.device_key(token)
    assert len(key) == 64 and int(key, 16) >= 0
    assert token.split(".")[0] not in key
    settings.SECRET_KEY = settings.SECRET_KEY + "-rotated"
    # Another key, another hash: the stored value says nothing without the secret.
    assert identity.device_key(token) is None


def test_participant_keys_are_stable_and_distinct():
    assert identity.participant_key(7) == identity.participant_key(7)
    assert identity.participant_key(7) != identity.participant_key(8)


def test_over_plain_http_the_cookie_has_the_plain_name(event, poll):
    response = Phone(event).open()
    assert identity.COOKIE_NAME in response.cookies and identity.SECURE_COOKIE_NAME not in response.cookies
    cookie = response.cookies[identity.COOKIE_NAME]
    assert cookie["httponly"] and not cookie["secure"] and cookie["samesite"] == "Lax"


def test_over_https_the_cookie_is_a_host_cookie(event, poll, teams):
    phone = Phone(event)
    response = phone.client.get(phone.url, secure=True)
    cookie = response.cookies[identity.SECURE_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/" and not cookie["domain"]
    assert identity.COOKIE_NAME not in response.cookies
    # The vote over HTTPS reads that cookie, and only that one.
    assert phone.client.post(phone.url, {"team": teams[0].pk}, secure=True).status_code == 200
    phone.client.cookies.pop(identity.SECURE_COOKIE_NAME)
    phone.client.cookies[identity.COOKIE_NAME] = cookie.value
    assert phone.client.post(phone.url, {"team": teams[1].pk}, secure=True).status_code == 403


def test_with_secure_session_cookies_the_host_name_is_used(settings):
    settings.SESSION_COOKIE_SECURE = True
    request = RequestFactory().get("/")
    assert identity.cookie_name(request) == identity.SECURE_COOKIE_NAME
