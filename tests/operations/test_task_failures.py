"""Administrators see the tasks that gave up, on a page and with ``miroir tasks_failed``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from miroir.audit.models import AuditEntry
from miroir.operations.models import TaskFailure
from miroir.operations.services import task_failure_record
from tests.personas import PASSWORD

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def failure(db) -> TaskFailure:
    return task_failure_record(
        task_path="miroir.collect.tasks.send_invitations",
        arguments={"args": [42], "kwargs": {}},
        attempts=5,
        error="SmsError: provider answered 401 <Unauthorized>",
        at=AT,
    )


def _login(client, user) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def test_administrators_see_the_failed_tasks(client, personas, failure):
    _login(client, personas.admin)
    page = client.get("/settings/tasks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "send_invitations" in html
    assert "SmsError: provider answered 401 &lt;Unauthorized&gt;" in html  # escaped
    assert 'href="/settings/tasks/"' in client.get("/settings/audit/").content.decode()


def test_dismissing_a_failure_hides_it_and_is_audited(client, personas, failure):
    _login(client, personas.admin)
    response = client.post(f"/settings/tasks/{failure.pk}/dismiss")
    assert response.status_code == 302
    failure.refresh_from_db()
    assert failure.dismissed_at is not None
    assert AuditEntry.objects.filter(action="tasks.failure_dismiss").count() == 1
    assert 'data-testid="task-failure"' not in client.get("/settings/tasks/").content.decode()
    assert 'data-testid="task-failure"' in client.get("/settings/tasks/?all=1").content.decode()


def test_running_a_failed_task_again_queues_it_from_the_first_attempt(
    client, personas, failure, settings, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    _login(client, personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/tasks/{failure.pk}/retry")
    assert response.status_code == 302
    [queued] = backend.results
    assert queued.task.module_path == "miroir.collect.tasks.send_invitations"
    assert list(queued.args) == [42] and queued.kwargs == {}
    failure.refresh_from_db()
    assert failure.dismissed_at is not None
    assert AuditEntry.objects.filter(action="tasks.failure_retry").count() == 1
    # Twice is refused: the page says so, nothing more is queued.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/settings/tasks/{failure.pk}/retry")
    assert len(backend.results) == 1


def test_a_task_that_no_longer_exists_cannot_be_run_again(client, personas, failure):
    TaskFailure.objects.filter(pk=failure.pk).update(task_path="miroir.collect.tasks.gone")
    _login(client, personas.admin)
    page = client.post(f"/settings/tasks/{failure.pk}/retry", follow=True)
    assert "miroir.collect.tasks.gone" in page.content.decode()
    failure.refresh_from_db()
    assert failure.dismissed_at is None


@pytest.mark.parametrize("who", ["direction", "shop_manager", "employee", "partner"])
def test_only_administrators_reach_the_failed_tasks(client, personas, failure, who):
    _login(client, getattr(personas, who))
    assert client.get("/settings/tasks/").status_code == 403
    assert client.post(f"/settings/tasks/{failure.pk}/dismiss").status_code == 403
    assert client.post(f"/settings/tasks/{failure.pk}/retry").status_code == 403
    failure.refresh_from_db()
    assert failure.dismissed_at is None
    assert 'href="/settings/tasks/"' not in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/settings/tasks/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dismissing_an_unknown_failure_is_404(client, personas):
    _login(client, personas.admin)
    assert client.post("/settings/tasks/999999/dismiss").status_code == 404


def test_the_command_lists_failures_and_exits_non_zero(failure):
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="1 background task gave up"):
        call_command("tasks_failed", stdout=out)
    assert "miroir.collect.tasks.send_invitations" in out.getvalue()
    assert "[42]" in out.getvalue()


def test_the_command_speaks_json_and_succeeds_when_nothing_failed(failure):
    failure.dismissed_at = AT
    failure.save(update_fields=["dismissed_at"])
    out = StringIO()
    with translation.override("en"):
        call_command("tasks_failed", stdout=out)
    assert "No background task has given up" in out.getvalue()
    out = StringIO()
    call_command("tasks_failed", "--all", "--json", stdout=out)
    record = json.loads(out.getvalue().strip())
    assert record["task"] == "miroir.collect.tasks.send_invitations"
    assert record["attempts"] == 5
    assert record["dismissed_at"] == AT.isoformat()
