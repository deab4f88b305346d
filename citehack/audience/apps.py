from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AudienceConfig(AppConfig):
    name = "citehack.audience"
    verbose_name = _("Audience vote")

    def ready(self):
        from citehack.live.state import EXTRA_PROVIDERS

        from . import signals  # noqa: F401
        from .screen import screen_provider

        # The screen shows how many have voted, never the count per team (see screen.py).
        EXTRA_PROVIDERS["audience"] = screen_provider
