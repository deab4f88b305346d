"""The challenge pages in French, the default language: strings go through the translations."""

import pytest
from django.urls import reverse
from django.utils import translation

from citehack.challenges import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def french(settings):
    settings.LANGUAGE_CODE = "fr"
    with translation.override("fr"):
        yield


def fr(text):
    with translation.override("fr"):
        return translation.gettext(text)


def test_results_explain_the_rule_in_french(client, event, organiser, french, closed_vote):
    page = client.get(reverse("challenges:results", args=[event.slug])).content.decode()

    with translation.override("fr"):
        explanation = str(selectors.RULE_EXPLANATIONS["av"])
    assert explanation.replace("'", "&#x27;") in page
    assert fr("Approval voting") in page
    assert fr("How the challenges were chosen") in page


def test_results_explain_the_rule_in_english_when_chosen(client, event, organiser, closed_vote):
    client.cookies["django_language"] = "en"

    page = client.get(reverse("challenges:results", args=[event.slug])).content.decode()

    assert "The challenges with the most ticks are retained." in page
