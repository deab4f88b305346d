import pytest
from django.core import mail
from django.db import transaction

from citehack.core.tasks import send_mail_after_commit


def test_mail_goes_out_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            send_mail_after_commit(subject="Bonjour", body="Corps", to=["a@example.org"])
            assert mail.outbox == []

    assert len(callbacks) == 1
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [("Bonjour", "Corps", ["a@example.org"])]


def test_no_mail_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send_mail_after_commit(subject="Bonjour", body="Corps", to=["a@example.org"])
                raise RuntimeError

    assert callbacks == []
    assert mail.outbox == []


def test_html_alternative_is_attached(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_after_commit(subject="S", body="texte", to=["a@example.org"], html="<p>texte</p>")

    assert mail.outbox[0].alternatives[0][0] == "<p>texte</p>"
