"""The registry of periodic jobs, run by ``miroir tick`` (docs/operations.md, "Periodic work").

Each app declares its jobs in ``<app>/periodic.py``, decorating a task with its cadence::

    @periodic(every=MINUTE)
    @retried_task()
    def close_due_waves() -> list[int]: ...

``miroir tick``, run every minute by cron or a systemd timer, imports every app's
``periodic`` module and runs the jobs that are due, in the order of ``INSTALLED_APPS`` and,
within an app, of declaration. A job is due once per slot of its cadence, slots counted in
UTC from the epoch (an hourly job is due at the first tick of each hour, whenever that
tick starts): the slot is claimed by a conditional UPDATE before the job runs, so two ticks
that overlap never run a job twice in one slot, and a tick that missed slots (a server
down for an hour) runs the job once, not once per missed slot. A job that fails keeps its
slot claimed: its own retries (``retried_task``) and the next slot take it from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Q
from django.utils.module_loading import autodiscover_modules

from miroir.operations.models import PeriodicRun

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    """A task run every ``every``: ``task.call()`` runs it here, ``task.enqueue()`` queues it."""

    name: str
    every: timedelta
    task: Any

    def slot(self, now: datetime) -> datetime:
        """Return the start of the slot ``now`` falls in."""
        slots = (now - EPOCH) // self.every
        return EPOCH + slots * self.every


JOBS: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[Any], Any]:
    """Return a decorator registering a task as the job ``<app>.<function>`` run every ``every``.

    The task is returned unchanged; a second job of the same name is an error.
    """
    if every < MINUTE or every % MINUTE:
        raise ValueError("a periodic job runs every whole number of minutes, at least one")

    def register(task: Any) -> Any:
        module, function = task.module_path.rsplit(".", 1)
        app = module.removeprefix("miroir.").split(".")[0]
        name = f"{app}.{function}"
        if name in JOBS and JOBS[name].task.module_path != task.module_path:
            raise ValueError(f"two periodic jobs are named {name}")
        JOBS[name] = PeriodicJob(name=name, every=every, task=task)
        return task

    return register


def jobs_load() -> dict[str, PeriodicJob]:
    """Return every app's jobs in running order, importing each app's ``periodic`` module.

    The order is that of ``INSTALLED_APPS``, then of declaration in the module, whichever
    module happened to be imported first.
    """
    autodiscover_modules("periodic")
    order = {config.name: index for index, config in enumerate(apps.get_app_configs())}

    def rank(item: tuple[int, PeriodicJob]) -> tuple[int, int]:
        declared, job = item
        config = apps.get_containing_app_config(job.task.module_path)
        return (order[config.name] if config else len(order), declared)

    ranked = sorted(enumerate(JOBS.values()), key=rank)
    return {job.name: job for _declared, job in ranked}


def job_claim(job: PeriodicJob, *, now: datetime, force: bool = False) -> bool:
    """Return whether ``job`` is due now, claiming its slot (``force``: claim it anyway)."""
    slot = job.slot(now)
    PeriodicRun.objects.get_or_create(name=job.name)
    runs = PeriodicRun.objects.filter(name=job.name)
    if not force:
        runs = runs.filter(Q(slot__isnull=True) | Q(slot__lt=slot))
    return bool(runs.update(slot=slot, ran_at=now))


def jobs_last_run() -> dict[str, datetime | None]:
    """Return when each job that ever ran last ran."""
    return dict(PeriodicRun.objects.values_list("name", "ran_at"))


def ticked_last() -> tuple[datetime | None, int]:
    """Return when any periodic job last ran, and after how many minutes that is late."""
    last = PeriodicRun.objects.aggregate(last=Max("ran_at"))["last"]
    return last, settings.MIROIR_TASKS_LATE_MINUTES
