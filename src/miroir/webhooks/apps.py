from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "miroir.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from miroir.core.events import event_occurred
        from miroir.webhooks.services import on_event

        event_occurred.connect(on_event, dispatch_uid="webhooks.dispatch")
