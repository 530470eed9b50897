from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "miroir.accounts"
    label = "accounts"

    def ready(self) -> None:
        from miroir.accounts import checks, signals  # noqa: F401  (receivers, system checks)
