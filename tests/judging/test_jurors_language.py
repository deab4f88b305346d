"""A juror's invitation is written in the juror's language, not the organiser's."""

import pytest
from django.core import mail
from django.utils import translation

from citehack.judging import services
from tests.factories import UserFactory


@pytest.mark.parametrize("juror_language, organiser_language, expected", [
    ("", "en", "fr"),  # no choice made: the site's language, whatever the organiser reads
    ("en", "fr", "en"),
    ("fr", "en", "fr"),
])
def test_the_jury_invitation_reads_in_the_jurors_language(
    event, organiser, django_capture_on_commit_callbacks, juror_language, organiser_language, expected
):
    UserFactory(email="juge@example.org", name="Juge", language=juror_language)
    with translation.override(organiser_language), django_capture_on_commit_callbacks(execute=True):
        services.invite_juror(actor=organiser, event=event, email="juge@example.org", name="Juge")

    with translation.override(expected):
        subject = translation.gettext("You are on the jury of %(event)s") % {"event": event.title}
        greeting = translation.gettext("Hello %(name)s,") % {"name": "Juge"}
    message = mail.outbox[-1]
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert message.body.startswith("Bonjour") == (expected == "fr")
