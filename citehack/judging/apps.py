from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "citehack.judging"
    verbose_name = _("Jury and prizes")

    def ready(self):
        if apps.is_installed("citehack.live"):
            from citehack.live.state import EXTRA_PROVIDERS

            from .screen import reveal_provider

            # The screen's podium: only the prizes revealed so far.
            EXTRA_PROVIDERS["reveal"] = reveal_provider
