"""An administrator finds a task that gave up, from the navigation, and marks it dealt with."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from miroir.operations.models import TaskFailure
from miroir.operations.services import task_failure_record
from tests.browser.accounts_support import browser_log_in
from tests.browser.navigation import menu_go
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, url: str, user) -> None:
    # Administrators and direction log in with their second factor.
    browser_log_in(page, url, user)


def test_administrator_sees_a_failed_task_and_marks_it_dealt_with(live_server, page):
    personas = build_personas()
    task_failure_record(
        task_path="miroir.collect.tasks.send_invitations",
        arguments={"args": [42], "kwargs": {}},
        attempts=5,
        error="SmsError: the provider refused the credentials",
        at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    _log_in(page, live_server.url, personas.admin)
    menu_go(page, "Tâches de fond")
    assert page.get_by_role("heading", level=1).inner_text() == "Tâches de fond"
    row = page.get_by_test_id("task-failure")
    assert "send_invitations" in row.inner_text()
    assert "the provider refused the credentials" in row.inner_text()
    if os.environ.get("MIROIR_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["MIROIR_SCREENSHOTS"], "failed-tasks.png"))
    page.get_by_role("button", name="Marquer comme traitée").click()
    assert page.get_by_test_id("task-failure").count() == 0
    assert "Aucune tâche n'a abandonné." in page.locator("main").inner_text()
    assert TaskFailure.objects.get().dismissed_at is not None


def test_direction_has_no_link_and_no_access(live_server, page):
    personas = build_personas()
    _log_in(page, live_server.url, personas.direction)
    assert page.get_by_role("link", name="Tâches de fond").count() == 0
    response = page.goto(f"{live_server.url}/settings/tasks/")
    assert response.status == 403
