"""Background tasks that try again with exponential back-off, and say so when they give up.

``retried_task`` replaces ``django_tasks.task`` for work worth retrying (a provider down, a
database restarting): a run that raises is queued again ``base_delay * factor ** (n - 1)``
later (capped at ``max_delay``), until ``attempts`` runs have failed; the last failure is
recorded as a ``TaskFailure``, which administrators see under Settings → Background tasks and
with ``miroir tasks_failed``. Each failed run still raises, so the task backend keeps its own
record of it too. Works with any backend: one that cannot defer (the immediate one) retries
at once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("miroir.tasks")

ATTEMPT_KWARG = "retry_attempt"
ERROR_MAX_LENGTH = 1000
T = TypeVar("T")


def now() -> datetime:
    """Return the current time (the tests replace this clock)."""
    return timezone.now()


def backoff_delay(
    attempt: int, *, base_delay: timedelta, factor: float, max_delay: timedelta
) -> timedelta:
    """Return how long to wait after failed run number ``attempt`` (1 for the first)."""
    seconds = base_delay.total_seconds() * factor ** (attempt - 1)
    return timedelta(seconds=min(seconds, max_delay.total_seconds()))


def retried_task(
    *,
    attempts: int = 5,
    base_delay: timedelta = timedelta(seconds=30),
    factor: float = 2.0,
    max_delay: timedelta = timedelta(hours=1),
    **task_options: Any,
) -> Callable[[Callable[..., T]], Any]:
    """Return a decorator making ``function`` a task retried on failure (see module doc)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(function: Callable[..., T]) -> Any:
        made: dict[str, Any] = {}

        @functools.wraps(function)
        def run(*args: Any, retry_attempt: int = 1, **kwargs: Any) -> T:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                given_up = retry_attempt >= attempts
                try:
                    _after_failure(
                        made["task"],
                        args,
                        kwargs,
                        error,
                        attempt=retry_attempt,
                        given_up=given_up,
                        delay=backoff_delay(
                            retry_attempt, base_delay=base_delay, factor=factor, max_delay=max_delay
                        ),
                        attempts=attempts,
                    )
                except DatabaseError:
                    # The database itself is down: the backend cannot queue the retry nor
                    # keep the record. The periodic tick and the worker's own record of the
                    # failed run are what is left; say so loudly.
                    logger.exception("Task %s: could not schedule its retry", function.__name__)
                raise

        made["task"] = task(**task_options)(run)
        return made["task"]

    return decorate


def _after_failure(
    the_task: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: Exception,
    *,
    attempt: int,
    given_up: bool,
    delay: timedelta,
    attempts: int,
) -> None:
    name = the_task.module_path
    message = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    if given_up:
        from miroir.operations.services import task_failure_record

        logger.error("Task %s gave up after %d attempts: %s", name, attempt, message)
        task_failure_record(
            task_path=name,
            arguments={"args": list(args), "kwargs": kwargs},
            attempts=attempts,
            error=message,
            at=now(),
        )
        return
    retry = the_task
    if the_task.get_backend().supports_defer:
        retry = the_task.using(run_after=now() + delay)
    logger.warning(
        "Task %s failed (attempt %d of %d), retrying in %s: %s",
        name,
        attempt,
        attempts,
        delay,
        message,
    )
    retry.enqueue(*args, **{**kwargs, ATTEMPT_KWARG: attempt + 1})
