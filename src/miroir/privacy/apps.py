from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "miroir.privacy"
    label = "privacy"

    def ready(self) -> None:
        from miroir.privacy import checks  # noqa: F401  (registers the system checks)
