import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.accounts.models import User
from citehack.core.models import AuditEntry
from citehack.events import services
from citehack.events.models import Membership, Role
from tests.factories import EventFactory, MembershipFactory, UserFactory

from .helpers import database_state, fr, messages_of


def give(client, event, **data):
    return client.post(reverse("events:roles", args=[event.slug]), {"send_link": "on", **data})


def test_adding_a_juror_by_e_mail_creates_the_person_and_mails_a_link_after_commit(
    client, organiser_client, organiser, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = give(organiser_client, event, email="Jury@Example.org", name="Claire Dubois", role="juror")

    assert response.status_code == 302
    assert response["Location"] == reverse("events:roles", args=[event.slug])
    juror = User.objects.get(email="jury@example.org")
    assert juror.name == "Claire Dubois"
    assert list(Membership.objects.filter(user=juror).values_list("event", "role")) == [(event.pk, "juror")]
    entry = AuditEntry.objects.get(action="membership.add")
    assert (entry.actor, entry.after) == (organiser, {"user": "jury@example.org", "role": "juror"})
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jury@example.org"]
    assert message.subject == fr("You are invited to %(event)s", event=event.title)
    assert fr("You now have the role “%(role)s” in %(event)s.", role=fr("Juror"), event=event.title) in message.body
    path = re.search(r"http://testserver(/accounts/link/[^/\s]+/)", message.body).group(1)
    signed_in = client.post(path)
    assert signed_in["Location"] == event.get_absolute_url()
    assert client.session[SESSION_KEY] == str(juror.pk)


def test_adding_a_role_twice_changes_nothing(organiser_client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        give(organiser_client, event, email="jury@example.org", name="Claire", role="juror")
        organiser_client.get(reverse("events:roles", args=[event.slug]))  # shows, and so drops, the first message
        state = database_state()
        response = give(organiser_client, event, email="JURY@example.org", name="", role="juror")

    assert database_state() == state
    assert len(mail.outbox) == 1
    assert messages_of(response) == [fr("%(name)s already had this role.", name="Claire")]


def test_an_existing_person_keeps_their_name(organiser_client, event, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        give(organiser_client, event, email=user.email, name="Autre nom", role="mentor")

    user.refresh_from_db()
    assert user.name != "Autre nom"
    assert event.memberships.get(user=user).role == "mentor"
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_no_link_is_sent_when_not_asked(organiser_client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("events:roles", args=[event.slug]), {"email": "m@example.org", "name": "M", "role": "mentor"})

    assert event.memberships.filter(user__email="m@example.org", role="mentor").count() == 1
    assert mail.outbox == []


def test_a_new_person_needs_a_name(organiser_client, event):
    before = database_state()

    response = give(organiser_client, event, email="new@example.org", name=" ", role="juror")

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [fr("This person has no account yet: give their name.")]
    assert database_state() == before
    assert User.objects.filter(email="new@example.org").count() == 0


def test_participant_role_cannot_be_given_here(organiser_client, event):
    before = database_state()

    response = give(organiser_client, event, email="p@example.org", name="P", role="participant")

    assert "role" in response.context["form"].errors
    assert database_state() == before


def test_roles_page_lists_staff_not_participants(organiser_client, organiser, event, juror, participant):
    response = organiser_client.get(reverse("events:roles", args=[event.slug]))

    assert {(m.user.pk, m.role) for m in response.context["members"]} == {(organiser.pk, "organiser"), (juror.pk, "juror")}
    assert participant.email not in response.content.decode()


def test_organiser_removes_a_role(organiser_client, organiser, event, juror):
    membership = event.memberships.get(user=juror)

    response = organiser_client.post(reverse("events:role_remove", args=[event.slug, membership.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.before) == ("membership.remove", organiser, {"user": juror.email, "role": "juror"})
    assert messages_of(response) == [fr("The role is removed.")]


def test_the_last_organiser_cannot_be_removed(organiser_client, organiser, event):
    membership = event.memberships.get(user=organiser)
    before = database_state()

    response = organiser_client.post(reverse("events:role_remove", args=[event.slug, membership.pk]))

    assert response.status_code == 302
    assert messages_of(response) == [fr("An event needs at least one organiser.")]
    assert database_state() == before


def test_an_organiser_may_go_when_another_stays(organiser, event):
    MembershipFactory(event=event, role=Role.ORGANISER)
    membership = event.memberships.get(user=organiser)

    services.remove_member(actor=organiser, membership=membership)

    assert event.memberships.filter(role=Role.ORGANISER).count() == 1


def test_last_organiser_rule_counts_this_event_only(organiser, event):
    MembershipFactory(event=EventFactory(), user=organiser, role=Role.ORGANISER)
    membership = event.memberships.get(user=organiser)

    with pytest.raises(ValidationError):
        services.remove_member(actor=organiser, membership=membership)

    assert Membership.objects.filter(pk=membership.pk).exists()


def test_role_of_another_event_is_404(organiser_client, event):
    foreign = MembershipFactory(event=EventFactory(), role=Role.JUROR)
    before = database_state()

    response = organiser_client.post(reverse("events:role_remove", args=[event.slug, foreign.pk]))

    assert response.status_code == 404
    assert database_state() == before


def test_add_member_service_is_idempotent(organiser, event):
    person = UserFactory()

    first = services.add_member(actor=organiser, event=event, user=person, role=Role.MENTOR)
    second = services.add_member(actor=organiser, event=event, user=person, role=Role.MENTOR)

    assert (first[1], second[1]) == (True, False)
    assert first[0] == second[0]
    assert AuditEntry.objects.filter(action="membership.add").count() == 1


def test_a_participant_role_cannot_be_removed_from_the_roles_page(organiser_client, event):
    from tests.factories import MembershipFactory

    participant = MembershipFactory(event=event, role="participant")
    response = organiser_client.post(reverse("events:role_remove", args=[event.slug, participant.pk]))
    assert response.status_code == 404
    assert event.memberships.filter(pk=participant.pk).exists()


@pytest.mark.parametrize("invitee_language, expected", [("", "fr"), ("en", "en"), ("fr", "fr")])
def test_an_invitation_is_written_in_the_invitees_language_not_the_organisers(
    organiser_client, event, django_capture_on_commit_callbacks, invitee_language, expected
):
    """The organiser works in English; the invitee reads their own language, else the site's (French)."""
    UserFactory(email="claire@example.org", name="Claire", language=invitee_language)
    organiser_client.cookies["django_language"] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        give(organiser_client, event, email="claire@example.org", name="", role="mentor")

    from django.utils import translation

    with translation.override(expected):
        subject = translation.gettext("You are invited to %(event)s") % {"event": event.title}
        intro = translation.gettext("You now have the role “%(role)s” in %(event)s.") % {
            "role": translation.gettext("Mentor"), "event": event.title}
    assert mail.outbox[0].subject == subject
    assert intro in mail.outbox[0].body
    assert subject.startswith("Invitation :") == (expected == "fr")
