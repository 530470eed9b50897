"""The periodic work of the results, run by ``miroir tick`` (docs/results-pages.md)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from miroir.operations.periodic import periodic
from miroir.results import services


@periodic(every=timedelta(minutes=5))
@task()
def analyse_pending_comments() -> None:
    """Remove names from new survey comments and read their themes and sentiment.

    Returns nothing: a count kept with the task's time would tell when people answered.
    """
    services.comments_analyse_pending()
