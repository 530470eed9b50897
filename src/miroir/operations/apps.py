from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Backups, restores, and the record of background tasks that gave up."""

    name = "miroir.operations"
    verbose_name = _("Operations")
