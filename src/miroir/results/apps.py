from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "miroir.results"
    label = "results"
