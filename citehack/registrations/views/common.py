"""Helpers the registration pages share."""

from django.utils.translation import gettext as _


def busy_message():
    return _("Many people are doing the same thing right now. Please wait a few seconds and try again.")
