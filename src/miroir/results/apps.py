from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "miroir.results"
    label = "results"

    def ready(self) -> None:
        from django.core.signals import request_started

        from miroir.results import checks  # noqa: F401 (registers the system checks)
        from miroir.results.engine.context import results_reader_forget

        # The reader of results is one request's: set again by ``access_results``.
        request_started.connect(results_reader_forget, dispatch_uid="results_reader_forget")
