import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citehack.core.models import AuditEntry
from tests.factories import MembershipFactory



def png_bytes():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(out, "PNG")
    return out.getvalue()


PNG = png_bytes()


def url(event):
    return reverse("events:partners", args=[event.slug])


def test_organiser_adds_a_partner_with_a_png_logo(organiser_client, event):
    response = organiser_client.post(
        url(event), {"name": "Ville d'Amiens", "url": "", "order": 1, "logo": SimpleUploadedFile("logo.png", PNG)}
    )
    assert response.status_code == 302
    partner = event.partners.get()
    assert partner.name == "Ville d'Amiens"
    assert partner.logo.name.endswith(".png")
    assert AuditEntry.objects.filter(event=event, action="partner.add").count() == 1


@pytest.mark.parametrize("content", [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00executable"])
def test_a_logo_that_is_not_an_image_is_refused_and_nothing_is_added(organiser_client, event, content):
    response = organiser_client.post(
        url(event), {"name": "X", "order": 0, "logo": SimpleUploadedFile("logo.png", content)}
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    assert not event.partners.exists()


def test_oversized_logo_is_refused(organiser_client, event):
    big = SimpleUploadedFile("logo.png", PNG + b"\x00" * (2 * 1024 * 1024))
    response = organiser_client.post(url(event), {"name": "X", "order": 0, "logo": big})
    assert "logo" in response.context["form"].errors
    assert not event.partners.exists()


def test_organiser_removes_a_partner(organiser_client, event):
    partner = event.partners.create(name="Partenaire")
    response = organiser_client.post(reverse("events:partner_remove", args=[event.slug, partner.pk]))
    assert response.status_code == 302
    assert not event.partners.exists()


def test_partner_pages_refuse_anonymous_participants_and_other_organisers(client, event, other_event_organiser):
    partner = event.partners.create(name="Partenaire")
    remove = reverse("events:partner_remove", args=[event.slug, partner.pk])
    assert client.get(url(event)).status_code == 302
    participant = MembershipFactory(event=event, role="participant").user
    for person in (participant, other_event_organiser):
        client.force_login(person)
        assert client.get(url(event)).status_code == 403
        assert client.post(remove).status_code == 403
        assert client.post(url(event), {"name": "Intrus", "order": 0}).status_code == 403
    assert list(event.partners.values_list("name", flat=True)) == ["Partenaire"]


def test_a_partner_of_another_event_cannot_be_removed(organiser_client, event):
    other = MembershipFactory(role="organiser").event
    partner = other.partners.create(name="Ailleurs")
    response = organiser_client.post(reverse("events:partner_remove", args=[event.slug, partner.pk]))
    assert response.status_code == 404
    assert other.partners.exists()
