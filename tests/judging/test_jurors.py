"""Jurors are invited by mail with a personal sign-in link that opens their jury page."""

from django.core import mail
from django.urls import reverse

from citehack.accounts.models import SignInLink, User
from citehack.core.models import AuditEntry
from citehack.events.models import Membership
from citehack.judging.models import Juror
from tests.judging.conftest import make_juror


def test_inviting_a_juror_gives_the_role_and_mails_a_personal_link(organiser_client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(reverse("judging:jurors", args=[event.slug]),
                                         {"email": "Awa.Diallo@example.org", "name": "Awa Diallo"})

    assert response.status_code == 302
    user = User.objects.get(email="awa.diallo@example.org")
    assert Membership.objects.filter(event=event, user=user, role="juror").exists()
    assert Juror.objects.get(event=event, user=user).invited_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["awa.diallo@example.org"]
    assert event.title in mail.outbox[0].subject
    link = SignInLink.objects.get(user=user)
    assert link.next_url == reverse("judging:juror_home", args=[event.slug])
    assert "/accounts/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="judging.juror.invite", event=event).exists()


def test_inviting_again_sends_the_link_again_without_a_second_role(organiser_client, event, django_capture_on_commit_callbacks):
    path = reverse("judging:jurors", args=[event.slug])
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(path, {"email": "awa@example.org", "name": "Awa"})
        response = organiser_client.post(path, {"email": "awa@example.org", "name": "Awa"}, follow=True)

    assert "already on the jury" in response.content.decode()
    assert Membership.objects.filter(event=event, role="juror").count() == 1
    assert len(mail.outbox) == 2


def test_a_bad_address_is_refused_with_a_message(organiser_client, event):
    response = organiser_client.post(reverse("judging:jurors", args=[event.slug]), {"email": "pas-une-adresse", "name": ""})

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Membership.objects.filter(event=event, role="juror").exists()
    assert not mail.outbox


def test_jurors_given_the_role_elsewhere_are_listed_and_may_be_made_president(organiser_client, event, django_capture_on_commit_callbacks):
    juror = make_juror(event, user__name="Paul Lefèvre")

    page = organiser_client.get(reverse("judging:jurors", args=[event.slug])).content.decode()
    organiser_client.post(reverse("judging:juror_president", args=[event.slug, juror.pk]), {"president": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("judging:juror_resend", args=[event.slug, juror.pk]))

    assert "Paul Lefèvre" in page
    record = Juror.objects.get(event=event, user=juror)
    assert record.president and record.invited_at is not None
    assert len(mail.outbox) == 1
    organiser_client.post(reverse("judging:juror_president", args=[event.slug, juror.pk]))
    assert not Juror.objects.get(event=event, user=juror).president


def test_a_person_who_is_not_a_juror_cannot_be_made_president(organiser_client, event, participant):
    response = organiser_client.post(reverse("judging:juror_president", args=[event.slug, participant.pk]), {"president": "on"})

    assert response.status_code == 404
    assert not Juror.objects.exists()
