from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Backups, restores, the background task queue and the tasks that gave up."""

    name = "miroir.operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from miroir.operations import checks  # noqa: F401  (registers the system check)
