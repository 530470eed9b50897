from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Result pages, charts and exports: the user-facing side of ``miroir.results``."""

    name = "miroir.reports"
    label = "reports"
