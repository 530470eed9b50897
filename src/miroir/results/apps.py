from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "miroir.results"
    label = "results"

    def ready(self) -> None:
        from miroir.results import checks  # noqa: F401 (registers the system checks)
