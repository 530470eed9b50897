"""Administrators see tasks waiting and late, and are warned when no worker takes them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from miroir.collect import periodic as collect_periodic
from miroir.collect import tasks as collect_tasks
from miroir.operations.selectors import late_task_count, task_queue
from tests.personas import PASSWORD

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WAVE_ID = 987654321


@pytest.fixture
def queue(db, settings):
    """Queue tasks in the database backend; returns a helper that ages one."""
    settings.TASKS = DATABASE
    settings.MIROIR_TASKS_LATE_MINUTES = 10

    def enqueue(task, *args, minutes_ago: int = 0, run_after=None):
        queued = (
            task.using(run_after=run_after).enqueue(*args) if run_after else task.enqueue(*args)
        )
        enqueued_at = timezone.now() - timedelta(minutes=minutes_ago)
        DBTaskResult.objects.filter(pk=queued.id).update(enqueued_at=enqueued_at)
        return queued

    return enqueue


def _login(client, user) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def test_fresh_deferred_late_and_running_tasks_are_told_apart(queue):
    now = timezone.now()
    queue(collect_periodic.send_reminders)  # due now, a worker would take it within seconds
    queue(collect_periodic.send_reminders, minutes_ago=11)  # late
    queue(collect_periodic.open_due_waves, run_after=now + timedelta(minutes=30))  # a retry, later
    queue(collect_periodic.close_due_waves, run_after=now - timedelta(minutes=25))  # late retry
    running = queue(collect_periodic.purge_closed_waves, minutes_ago=60)
    DBTaskResult.objects.filter(pk=running.id).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(minutes=3)
    )
    now += timedelta(seconds=5)  # the fresh task was queued just after `now` was read
    state = task_queue(now=now)
    assert (state.waiting, state.due, state.late, state.running) == (4, 3, 2, 1)
    assert state.worker_missing
    assert now - state.oldest_due_at >= timedelta(minutes=25)
    assert state.last_started_at == now - timedelta(minutes=3, seconds=5)
    kinds = {kind.task_name: (kind.waiting, kind.late) for kind in state.kinds}
    assert kinds == {"send_reminders": (2, 1), "close_due_waves": (1, 1), "open_due_waves": (1, 0)}
    assert late_task_count(now=now) == 2
    # Ten minutes later the fresh one is late too; the deferred retry is not due yet.
    assert late_task_count(now=now + timedelta(minutes=10, seconds=1)) == 3


def test_a_queue_a_worker_keeps_up_with_raises_no_warning(queue):
    queue(collect_periodic.send_reminders, minutes_ago=9)
    state = task_queue()
    assert state.waiting == 1 and state.late == 0 and not state.worker_missing


def test_every_administrator_page_warns_while_tasks_are_late(client, personas, queue):
    _login(client, personas.admin)
    queue(collect_periodic.send_reminders, minutes_ago=9)
    with translation.override("en"):
        assert 'data-testid="late-tasks-warning"' not in client.get("/").content.decode()
        queue(collect_periodic.send_reminders, minutes_ago=30)
        for url in ("/", "/settings/audit/"):
            html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert 'data-testid="late-tasks-warning"' in html
            assert "1 background task is waiting past its time" in html


def test_people_other_than_administrators_get_no_warning(client, personas, queue):
    queue(collect_periodic.send_reminders, minutes_ago=30)
    _login(client, personas.direction)
    assert 'data-testid="late-tasks-warning"' not in client.get("/").content.decode()


def test_the_tasks_page_shows_the_queue_without_arguments(client, personas, queue):
    queue(collect_tasks.send_invitations, WAVE_ID, minutes_ago=45)
    queue(collect_periodic.send_reminders)
    _login(client, personas.admin)
    html = client.get("/settings/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="queue-late"' in html
    assert "1 task is late" in html and "miroir db_worker" in html
    assert "2 tasks waiting (2 due now" in html
    assert "No worker has taken a task yet." in html
    assert html.count('data-testid="task-kind"') == 2
    # A task may concern an anonymous voice: no task's arguments are shown.
    assert str(WAVE_ID) not in html


def test_the_tasks_page_says_so_when_nothing_waits(client, personas, queue):
    _login(client, personas.admin)
    html = client.get("/settings/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 tasks waiting" in html
    assert 'data-testid="queue-late"' not in html


def test_the_command_fails_while_tasks_are_late(queue):
    queue(collect_periodic.send_reminders, minutes_ago=9)
    out = StringIO()
    with translation.override("en"):
        call_command("tasks_failed", stdout=out)
        queue(collect_periodic.send_reminders, minutes_ago=12)
        with pytest.raises(CommandError, match="1 task has waited more than 10 minutes"):
            call_command("tasks_failed", stdout=out)


def test_the_database_check_warns_while_tasks_are_late(queue):
    assert not [m for m in run_checks(databases=["default"]) if m.id == "miroir.W301"]
    queue(collect_periodic.send_reminders, minutes_ago=12)
    warnings = [m for m in run_checks(databases=["default"]) if m.id == "miroir.W301"]
    assert len(warnings) == 1 and "db_worker" in warnings[0].hint
    # Without a database to look at (start-up checks), it stays silent.
    assert not [m for m in run_checks() if m.id == "miroir.W301"]
