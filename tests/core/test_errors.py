from django.urls import reverse
from django.utils import translation

from tests.factories import MembershipFactory


def test_unknown_event_gives_the_404_page(client, db):
    response = client.get(reverse("events:detail", args=["no-such-event"]))

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"
    assert response["Content-Language"] == "fr"


def test_unknown_event_in_organiser_pages_gives_404_even_signed_in(client, db):
    client.force_login(MembershipFactory(role="organiser").user)

    response = client.get(reverse("events:manage", args=["no-such-event"]))

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"


def test_permission_denied_gives_the_403_page(client, event):
    client.force_login(MembershipFactory(event=event, role="participant").user)

    response = client.get(reverse("events:manage", args=[event.slug]))

    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403.html"
    assert response.context["reason"] == ""


def test_403_page_keeps_the_reason_given(client, event):
    client.force_login(MembershipFactory(event=event, role="participant").user)

    response = client.get(reverse("events:create"))

    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403.html"
    with translation.override("fr"):
        assert response.context["reason"] == translation.gettext("Only organisers can create events.")
