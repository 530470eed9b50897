"""The record of background tasks that failed every attempt and gave up."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    """A task that failed all its attempts: an administrator should look at why."""

    task_path = models.CharField(_("task"), max_length=255)
    arguments = models.JSONField(_("arguments"), default=dict)
    attempts = models.PositiveSmallIntegerField(_("attempts"))
    error = models.TextField(_("last error"))
    failed_at = models.DateTimeField(_("gave up at"), db_index=True)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        ordering = ["-failed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.failed_at:%Y-%m-%d %H:%M})"

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]


class PeriodicRun(models.Model):
    """When a periodic job last ran: ``miroir tick`` runs a job once per slot of its cadence."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    # The start of the slot (the minute, the hour…) the job last ran for.
    slot = models.DateTimeField(_("last slot"), null=True, blank=True)
    ran_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
