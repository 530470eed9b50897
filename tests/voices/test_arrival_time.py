"""Nobody learns when an anonymous voice arrived more precisely than the day: no row, log,
task, session or event of the sending path holds a finer time, and others see the voice
from the next day only."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from miroir.accounts.sessions import SEEN_AT
from miroir.api.services import api_token_create
from miroir.text import redact
from miroir.voices.models import Voice, VoiceEvent, arrived
from miroir.voices.selectors import voice_timeline, voices_listening
from miroir.voices.services import voice_submit, voices_escalate_overdue, voices_remind_due

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TEXT = "Un casier de plus en salle de pause"

# Émile's team is large enough for his anonymous voices to be filed under it.
pytestmark = pytest.mark.usefixtures("staffed")


@pytest.fixture(autouse=True)
def database_queue(settings) -> None:
    settings.TASKS = DATABASE_TASKS


def _rows(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    # The table names come from the database's own catalog.
    cursor.execute("SELECT * FROM " + connection.ops.quote_name(table))  # noqa: S608
    return cursor.fetchall()


def _tables() -> dict[str, set[tuple[Any, ...]]]:
    """Return every row of every table of the database, by table."""
    with connection.cursor() as cursor:
        return {
            table: {tuple(repr(value) for value in row) for row in _rows(cursor, table)}
            for table in connection.introspection.table_names(cursor)
        }


def _typed_rows(table: str, reprs: set[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        return [row for row in _rows(cursor, table) if tuple(repr(v) for v in row) in reprs]


def _finer_than_the_day(value: Any) -> bool:
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.time() != time(0, 0)
    return isinstance(value, time | timedelta)


def test_sending_an_anonymous_voice_writes_one_row_and_no_time_finer_than_the_day(
    client, personas, django_capture_on_commit_callbacks, caplog
):
    redact("Demandez à Kevin.")  # the model loads outside the measured request
    client.force_login(personas.employee)
    assert client.get("/voices/new/").status_code == 200
    # The author's last request was two minutes ago: a session saved now would say when.
    session = client.session
    session[SEEN_AT] -= 120
    session.save()
    before = _tables()
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/voices/new/",
            {"kind": "suggestion", "text": TEXT, "anonymous": "on", "notify": "email"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200 and response.context["code"]
    after = _tables()
    changed = {table for table in after if after[table] != before.get(table, set())}
    # The voice row, and nothing else: no event, task, audit entry, session, cache or user row.
    assert changed == {"voices_voice"}
    assert after["voices_voice"] >= before["voices_voice"]
    (row,) = _typed_rows("voices_voice", after["voices_voice"] - before["voices_voice"])
    assert not [value for value in row if _finer_than_the_day(value)]
    voice = Voice.objects.get(is_anonymous=True)
    assert voice.language == "" and voice.author_id is None
    assert not VoiceEvent.objects.filter(voice=voice).exists()
    assert DBTaskResult.objects.count() == 0
    # No log line: its own time would be the voice's.
    assert [r for r in caplog.records if not r.name.startswith("django.db")] == []


def test_the_models_of_the_voice_path_keep_no_time_finer_than_the_day_for_anonymous_voices(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        voice = voice_submit(
            author=personas.employee_member,
            kind="suggestion",
            text=TEXT,
            anonymous=True,
            language="en",
            now=timezone.now(),
        ).voice
    voice.refresh_from_db()
    for field in Voice._meta.concrete_fields:
        assert not _finer_than_the_day(getattr(voice, field.attname)), field.name
    assert voice.language == ""


def _everything_seen(client, personas) -> list[str]:
    client.force_login(personas.shop_manager)
    bodies = [client.get(url).content.decode() for url in ("/voices/", "/voices/you-said-we-did/")]
    client.force_login(personas.partner)
    bodies.append(client.get("/voices/ideas/").content.decode())
    client.logout()
    secret = api_token_create(name="crm", scope_unit=personas.company, actor=personas.admin)[1]
    bodies.append(
        client.get("/api/v1/voices", HTTP_AUTHORIZATION=f"Bearer {secret}").content.decode()
    )
    return bodies


def test_others_see_an_anonymous_voice_from_the_next_day_only(client, personas):
    now = timezone.now()
    anonymous = voice_submit(
        author=personas.employee_member, kind="suggestion", text=TEXT, anonymous=True, now=now
    ).voice
    signed = voice_submit(
        author=personas.employee_member, kind="suggestion", text="Des tabourets en caisse"
    ).voice
    for body in _everything_seen(client, personas):
        assert "casier" not in body
    assert "tabourets" in _everything_seen(client, personas)[0]
    client.force_login(personas.shop_manager)
    assert client.get(f"/voices/{anonymous.pk}/").status_code == 404
    assert client.get(f"/voices/{signed.pk}/").status_code == 200
    start, end = now.date() - timedelta(days=2), now.date() + timedelta(days=2)
    figures = voices_listening(unit=personas.company, lens="employee", start=start, end=end)
    assert figures.received == 1  # the signed one: the day's count does not move before
    # The day changes: every reader meets it, dated by its day.
    tomorrow = timezone.localtime(now) + timedelta(days=1)
    assert Voice.objects.filter(arrived(tomorrow), pk=anonymous.pk).exists()
    Voice.objects.filter(pk=anonymous.pk).update(
        received_at=anonymous.received_at - timedelta(days=1),
        due_at=anonymous.due_at - timedelta(days=1),
    )
    for body in _everything_seen(client, personas)[:1] + _everything_seen(client, personas)[2:]:
        assert "casier" in body
    figures = voices_listening(unit=personas.company, lens="employee", start=start, end=end)
    assert figures.received == 2


def test_reminders_and_escalations_wait_for_the_day_to_pass(personas):
    now = timezone.now()
    voice = voice_submit(
        author=personas.employee_member, kind="suggestion", text=TEXT, anonymous=True, now=now
    ).voice
    # Even with a deadline of zero days, no e-mail tells its arrival within the day.
    Voice.objects.filter(pk=voice.pk).update(due_at=voice.received_at)
    assert voices_remind_due(now=now) == 0
    assert voices_escalate_overdue(now=now) == 0


def test_one_days_anonymous_voices_come_in_no_order_of_arrival(personas):
    day = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())
    sent = [
        voice_submit(
            author=personas.employee_member,
            kind="suggestion",
            text=f"Idée numéro {n}",
            anonymous=True,
            now=day + timedelta(minutes=n),
        ).voice.pk
        for n in range(8)
    ]
    # The same day for all, and the random id as the only order: not the order of arrival.
    assert len({v.received_at for v in Voice.objects.all()}) == 1
    assert [v.pk for v in Voice.objects.all()] == sorted(sent)


def test_the_timeline_of_an_anonymous_voice_starts_with_its_day(personas):
    voice = voice_submit(
        author=personas.employee_member,
        kind="suggestion",
        text=TEXT,
        anonymous=True,
        now=datetime(2026, 3, 2, 15, 47, tzinfo=timezone.get_current_timezone()),
    ).voice
    (received,) = voice_timeline(voice)
    assert received.kind == "received" and received.pk is None
    assert timezone.localtime(received.at).date() == date(2026, 3, 2)
    assert timezone.localtime(received.at).time() == time(0, 0)


def test_the_migration_forgets_what_older_versions_kept_of_anonymous_arrivals(personas):
    from importlib import import_module

    migration = import_module("miroir.voices.migrations.0004_anonymous_voice_traces")
    voice = voice_submit(
        author=personas.employee_member, kind="suggestion", text=TEXT, anonymous=True
    ).voice
    Voice.objects.filter(pk=voice.pk).update(language="fr")
    VoiceEvent.objects.create(voice=voice, kind="received", at=voice.received_at)
    DBTaskResult.objects.create(
        task_path=migration.OLD_TASK,
        args_kwargs={"args": [str(voice.pk)], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        priority=0,
    )
    migration.forget_arrival_traces(apps, None)
    voice.refresh_from_db()
    assert voice.language == ""
    assert not VoiceEvent.objects.filter(voice=voice).exists()
    assert not DBTaskResult.objects.filter(task_path=migration.OLD_TASK).exists()
