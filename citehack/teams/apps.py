from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "citehack.teams"
    verbose_name = _("Teams")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
