from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "citehack.live"
    verbose_name = _("Live day")

    def ready(self):
        from . import signals  # noqa: F401
