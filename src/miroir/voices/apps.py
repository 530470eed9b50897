from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "miroir.voices"
    label = "voices"
    verbose_name = _("Voices")

    def ready(self) -> None:
        from miroir.voices import hooks

        hooks.connect()
