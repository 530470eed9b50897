from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "miroir.core"
    label = "core"

    def ready(self) -> None:
        from miroir.core import checks  # noqa: F401  (registers the system checks)
