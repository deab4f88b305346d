"""Background tasks: mail goes out here, never inside the request."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks import task


@task()
def send_mail_task(*, subject, body, to, html=None):
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def send_mail_after_commit(*, subject, body, to, html=None):
    """Queue a mail once the current transaction has committed (never on rollback)."""
    transaction.on_commit(
        lambda: send_mail_task.enqueue(subject=str(subject), body=body, to=list(to), html=html)
    )
