from django.urls import reverse


def test_home_page_is_french_by_default(client, event):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert "Content-Security-Policy" in response
    assert event.title in response.content.decode()
