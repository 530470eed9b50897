"""Reminders go to those who have not answered: nothing an administrator reads may count them.

The attack: an administrator reads the audit journal (the page and the rows) and the
periodic task's result after each reminder round. A reminder round's count is the number
of people who had not answered at that minute, so comparing it with the audience, or two
rounds, tells how many answered and when — 1 person included, whatever the gate hides.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.collect import periodic
from miroir.collect.models import Invitation, Wave, WaveStatus
from miroir.collect.sending import wave_send_reminders
from tests.collect.support import add_employees, submit

LINK = re.compile(r"https://miroir\.example/r/([A-Za-z0-9_-]{43})/")


def _what_an_administrator_reads(
    make_wave, launch, personas, monkeypatch, client, *, answered: int
) -> dict[str, Any]:
    wave = launch(make_wave(name=f"Pulse {answered}", channels=["email"], units=[personas.lille]))
    tokens = [LINK.search(message.body).group(1) for message in mail.outbox]
    for token in tokens[:answered]:
        submit(token)
    day8 = wave.opens_at + timedelta(days=8)
    # The periodic task, as the worker runs it on day 8 (first round), then a direct
    # second round on day 15: both are what the journal and the task results keep.
    with monkeypatch.context() as patch:
        patch.setattr(periodic, "timezone", SimpleNamespace(now=lambda: day8))
        task_result = periodic.send_reminders.call()
    wave_send_reminders(wave=wave, now=wave.opens_at + timedelta(days=15))
    entries = AuditEntry.objects.filter(action="wave.remind").order_by("sequence")
    client.force_login(personas.admin)
    page = client.get(reverse("audit:list"), {"action": "wave.remind"})
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*(.*?)</tr>", page.content.decode(), flags=re.S)
    # Each row's last cell is its details, as the page words them.
    shown = [re.findall(r"<td>(.*?)</td>", row, flags=re.S)[-1] for row in rows if "<td>" in row]
    assert len(shown) == 2 and all(shown)
    return {
        "details": [entry.details for entry in entries],
        "page": shown,
        "task": task_result,
    }


@pytest.mark.parametrize("answered", [1, 2])
def test_reminder_rounds_read_the_same_whether_or_not_someone_answered(
    make_wave, launch, personas, monkeypatch, client, answered
):
    add_employees(personas.lille_caisse, 4, prefix="Caissier")
    nobody = _what_an_administrator_reads(
        make_wave, launch, personas, monkeypatch, client, answered=0
    )
    # Everything again with a second wave, in which ``answered`` people answered. The first
    # wave is closed and its reminders set back to its launch, so that neither it nor the
    # channel's rate limit (sends in the last minute) is what differs.
    AuditEntry.objects.filter(action="wave.remind").delete()
    Invitation.objects.update(last_sent_at=F("sent_at"))
    Wave.objects.update(status=WaveStatus.CLOSED)
    mail.outbox.clear()
    some = _what_an_administrator_reads(
        make_wave, launch, personas, monkeypatch, client, answered=answered
    )
    # The reminders did go to fewer people (the service still knows it) ...
    assert len(nobody["details"]) == len(some["details"]) == 2
    # ... but the journal, its page and the task's result say the same.
    assert nobody == some


def test_reminders_still_reach_only_those_who_have_not_answered(make_wave, launch, personas):
    add_employees(personas.lille_caisse, 4, prefix="Caissier")
    wave = launch(make_wave(channels=["email"], units=[personas.lille]))
    first = LINK.search(mail.outbox[0].body).group(1)
    answered_by = mail.outbox[0].to
    submit(first)
    mail.outbox.clear()
    report = wave_send_reminders(wave=wave, now=wave.opens_at + timedelta(days=8))
    assert report.sent == len(mail.outbox) == 5
    assert answered_by not in [message.to for message in mail.outbox]
