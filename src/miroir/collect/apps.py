from __future__ import annotations

from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "miroir.collect"
    label = "collect"

    def ready(self) -> None:
        from miroir.collect import logfilters

        # Installed here rather than in settings.LOGGING: respondent links are this app's.
        logfilters.install()
