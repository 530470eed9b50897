from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "miroir.demo"
    label = "demo"
    verbose_name = _("Demo network")
    # The parts (``<app>.demo`` modules) are discovered when a demo is generated, not
    # here: web processes never need them.
