from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from citehack.events.models import Role
from tests.factories import EventFactory, MembershipFactory, UserFactory

PASSWORD = "correct horse battery staple"


def label(choice):
    with translation.override("fr"):
        return str(choice.label)


def test_organiser_signs_in_with_a_password(client, organiser):
    response = client.post(reverse("accounts:password_sign_in"), {"username": organiser.email.upper(), "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert client.session[SESSION_KEY] == str(organiser.pk)


def test_wrong_password_is_refused(client, organiser):
    response = client.post(reverse("accounts:password_sign_in"), {"username": organiser.email, "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert SESSION_KEY not in client.session


def test_password_sign_in_honours_a_same_site_next_page(client, organiser, event):
    response = client.post(
        reverse("accounts:password_sign_in"),
        {"username": organiser.email, "password": PASSWORD, "next": reverse("events:manage", args=[event.slug])},
    )

    assert response["Location"] == reverse("events:manage", args=[event.slug])


def test_sign_out_needs_post(client, user):
    client.force_login(user)

    refused = client.get(reverse("accounts:sign_out"))

    assert refused.status_code == 405
    assert client.session[SESSION_KEY] == str(user.pk)

    response = client.post(reverse("accounts:sign_out"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in client.session


def test_home_needs_sign_in(client, db):
    response = client.get(reverse("accounts:home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next={reverse('accounts:home')}"


def test_home_lists_my_events_and_roles_only(client, db):
    me = UserFactory()
    organised = EventFactory(title="Journée d'Amiens")
    judged = EventFactory(title="Journée de Lille")
    elsewhere = EventFactory(title="Journée de Rouen")
    MembershipFactory(event=organised, user=me, role=Role.ORGANISER)
    MembershipFactory(event=judged, user=me, role=Role.JUROR)
    MembershipFactory(event=judged, user=me, role=Role.MENTOR)
    MembershipFactory(event=elsewhere, role=Role.JUROR)
    client.force_login(me)

    response = client.get(reverse("accounts:home"))

    assert response.status_code == 200
    listed = [(event.title, [m.role for m in roles]) for event, roles in response.context["memberships"]]
    assert sorted(listed) == [("Journée d'Amiens", ["organiser"]), ("Journée de Lille", ["juror", "mentor"])]
    html = response.content.decode()
    assert "Journée de Rouen" not in html
    assert f"{label(Role.JUROR)}, {label(Role.MENTOR)}" in html
    assert reverse("events:manage", args=[organised.slug]) in html
    assert reverse("events:manage", args=[judged.slug]) not in html


def test_home_without_events_says_so(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:home"))

    assert response.status_code == 200
    assert response.context["memberships"] == []


def test_home_queries_do_not_grow_with_events(client, user):
    client.force_login(user)

    def add(n):
        for i in range(n):
            MembershipFactory(user=user, event=EventFactory(), role=[Role.ORGANISER, Role.PARTICIPANT, Role.JUROR][i % 3])

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("accounts:home")).status_code == 200
        return len(context.captured_queries)

    add(3)
    small = count()
    add(27)

    assert count() == small


def test_my_space_leads_a_juror_to_the_jury_page(client, event):
    from django.urls import reverse

    from tests.factories import MembershipFactory

    juror = MembershipFactory(event=event, role="juror").user
    client.force_login(juror)
    assert reverse("judging:juror_home", args=[event.slug]) in client.get(reverse("accounts:home")).content.decode()
