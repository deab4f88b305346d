"""Passwordless sign-in: single-use, expiring links whose token is stored only as a hash."""

import base64
import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from citehack.accounts import services
from citehack.accounts.models import SignInLink
from tests.factories import EventFactory, UserFactory

LINK = re.compile(r"https?://[^/\s]+(/accounts/link/[^/\s]+/)")


def fr(text):
    with translation.override("fr"):
        return translation.gettext(text)


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def link_path_in(message):
    return LINK.search(message.body).group(1)


@pytest.fixture
def person(db):
    return UserFactory(email="amina@example.org", name="Amina")


def ask_link(client, email, *, address="192.0.2.1", next=None, **headers):
    data = {"email": email} if next is None else {"email": email, "next": next}
    return client.post(reverse("accounts:sign_in"), data, REMOTE_ADDR=address, **headers)


# The link and its token -------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(person):
    token = services.create_sign_in_link(user=person)

    link = SignInLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert token not in " ".join(str(value) for value in row), table


def test_token_carries_at_least_128_random_bits(person):
    tokens = {services.create_sign_in_link(user=person) for _ in range(20)}

    assert len(tokens) == 20
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_link_expires_after_the_configured_age(person, settings):
    settings.SIGN_IN_LINK_MAX_AGE = 3600
    before = timezone.now()

    services.create_sign_in_link(user=person)

    link = SignInLink.objects.get()
    assert before + timedelta(seconds=3600) <= link.expires_at <= timezone.now() + timedelta(seconds=3600)


def test_opening_a_link_shows_a_button_and_does_not_consume_it(client, person):
    token = services.create_sign_in_link(user=person)

    response = client.get(reverse("accounts:use_link", args=[token]))

    assert response.status_code == 200
    assert '<form method="post">' in response.content.decode()
    assert SignInLink.objects.get().used_at is None
    assert signed_in_as(client) is None


def test_posting_a_link_signs_in_once(client, person):
    token = services.create_sign_in_link(user=person)
    path = reverse("accounts:use_link", args=[token])

    first = client.post(path)

    assert first.status_code == 302
    assert first["Location"] == reverse("accounts:home")
    assert signed_in_as(client) == str(person.pk)
    assert SignInLink.objects.get().used_at is not None

    client.logout()
    second = client.post(path)

    assert second.status_code == 400
    assert [t.name for t in second.templates][0] == "accounts/link_invalid.html"
    assert signed_in_as(client) is None


def test_expired_link_is_refused(client, person):
    token = services.create_sign_in_link(user=person)
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(reverse("accounts:use_link", args=[token]))

    assert response.status_code == 400
    assert [t.name for t in response.templates][0] == "accounts/link_invalid.html"
    assert signed_in_as(client) is None
    assert SignInLink.objects.get().used_at is None


def test_unknown_token_is_refused(client, person):
    services.create_sign_in_link(user=person)

    response = client.post(reverse("accounts:use_link", args=["x" * 43]))

    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_link_of_a_deactivated_person_is_refused(client, person):
    token = services.create_sign_in_link(user=person)
    person.is_active = False
    person.save(update_fields=["is_active"])

    response = client.post(reverse("accounts:use_link", args=[token]))

    assert response.status_code == 400
    assert signed_in_as(client) is None


# Asking for a link ------------------------------------------------------------------------


def test_link_is_mailed_after_commit_and_signs_in(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = ask_link(client, "Amina@Example.org ")

    assert response.status_code == 200
    assert "accounts/link_sent.html" in [t.name for t in response.templates]
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert message.subject == fr("Your personal link to citehack")
    assert "http://testserver/accounts/link/" in message.body
    response = client.post(link_path_in(message))
    assert response.status_code == 302
    assert signed_in_as(client) == str(person.pk)


def test_link_uses_the_configured_site_address_not_the_host_header(client, person, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://citehack.example"

    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, person.email, HTTP_HOST="attacker.example")

    assert "https://citehack.example/accounts/link/" in mail.outbox[0].body
    assert "attacker.example" not in mail.outbox[0].body


def test_unknown_address_gets_the_same_answer_and_no_mail(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_link(client, person.email)
        unknown = ask_link(client, "nobody@example.org")

    def main(response):
        html = response.content.decode()
        return html[html.index("<main"):html.index("</main>")]

    assert unknown.status_code == 200
    assert "accounts/link_sent.html" in [t.name for t in unknown.templates]
    assert main(unknown) == main(known).replace(person.email, "nobody@example.org")
    assert len(mail.outbox) == 1
    assert SignInLink.objects.filter(user__email="nobody@example.org").count() == 0


def test_next_page_on_the_same_site_is_honoured(client, person, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, person.email, next=event.get_absolute_url())

    response = client.post(link_path_in(mail.outbox[0]))

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()


@pytest.mark.parametrize("next_url", ["https://attacker.example/", "//attacker.example/x", "http://attacker.example"])
def test_next_page_on_another_site_is_ignored(client, person, next_url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_link(client, person.email, next=next_url)

    assert SignInLink.objects.get().next_url == ""
    response = client.post(link_path_in(mail.outbox[0]))
    assert response["Location"] == reverse("accounts:home")


def test_service_drops_a_next_page_on_another_site(person):
    services.create_sign_in_link(user=person, next_url="https://attacker.example/")

    assert SignInLink.objects.get().next_url == ""


# Rate limits ------------------------------------------------------------------------------


def test_sixth_request_for_one_address_in_the_window_is_refused(client, person, settings, django_capture_on_commit_callbacks):
    assert settings.SIGN_IN_LINK_RATE[0] == 5
    with django_capture_on_commit_callbacks(execute=True):
        answers = [ask_link(client, person.email, address=f"192.0.2.{n}").status_code for n in range(6)]

    assert answers == [200, 200, 200, 200, 200, 429]
    assert len(mail.outbox) == 5
    refused = ask_link(client, person.email.upper(), address="198.51.100.7")
    assert refused.status_code == 429
    assert escape(fr("Too many links were asked for. Please wait a while and try again.")) in refused.content.decode()


def test_limit_for_one_e_mail_does_not_affect_another(client, person, django_capture_on_commit_callbacks):
    other = UserFactory()
    for n in range(6):
        ask_link(client, person.email, address=f"192.0.2.{n}")

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_link(client, other.email, address="192.0.2.99")

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[other.email]]


def test_one_network_address_may_ask_twenty_times_more(client, settings, db):
    # A whole venue shares one address: the per-address limit is looser than the per-e-mail one.
    settings.SIGN_IN_LINK_RATE = (2, 3600)

    answers = [ask_link(client, f"p{n}@example.org", address="203.0.113.5").status_code for n in range(41)]

    assert answers == [200] * 40 + [429]
    assert ask_link(client, "p99@example.org", address="203.0.113.6").status_code == 200
