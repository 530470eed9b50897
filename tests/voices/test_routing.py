"""Routing to the unit's manager, reminders before the deadline, escalation after it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core import mail
from django.core.management import call_command

from miroir.audit.models import AuditEntry
from miroir.voices.models import Voice
from miroir.voices.services import (
    voice_answer,
    voices_escalate_overdue,
    voices_remind_due,
)
from tests.voices.conftest import T0


def test_a_voice_from_a_team_without_manager_goes_to_the_shop_manager(personas, suggestion):
    voice = suggestion()
    assert voice.unit == personas.lille_vente
    assert voice.owner.user == personas.shop_manager


def test_a_complaint_at_a_shop_without_manager_goes_up_to_the_region(personas, complaint):
    voice = complaint(unit=personas.marseille)
    assert voice.owner.user == personas.other_region_manager


def test_the_owner_is_reminded_once_within_the_reminder_period(
    personas, suggestion, django_capture_on_commit_callbacks
):
    voice = suggestion()
    assert voices_remind_due(now=T0 + timedelta(days=20)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert voices_remind_due(now=T0 + timedelta(days=26)) == 1
    assert voices_remind_due(now=T0 + timedelta(days=27)) == 0
    assert [message.to for message in mail.outbox] == [["sophie@example.com"]]
    assert Voice.objects.get(pk=voice.pk).reminded_at == T0 + timedelta(days=26)


def test_an_overdue_voice_escalates_to_the_manager_above_its_owner(
    personas, suggestion, django_capture_on_commit_callbacks
):
    voice = suggestion()
    assert voices_escalate_overdue(now=T0 + timedelta(days=29)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert voices_escalate_overdue(now=T0 + timedelta(days=30, minutes=1)) == 1
    voice.refresh_from_db()
    assert voice.escalated_to.user == personas.region_manager
    assert [message.to for message in mail.outbox] == [["regis@example.com"]]
    assert AuditEntry.objects.filter(action="voice.escalate").count() == 1
    # Once is enough.
    assert voices_escalate_overdue(now=T0 + timedelta(days=40)) == 0


def test_an_answered_voice_is_neither_reminded_nor_escalated(personas, suggestion):
    voice = suggestion()
    voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted")
    assert voices_remind_due(now=T0 + timedelta(days=26)) == 0
    assert voices_escalate_overdue(now=T0 + timedelta(days=31)) == 0


def test_the_tick_command_runs_on_a_fake_clock(personas, suggestion):
    suggestion()
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=T0 + timedelta(days=31)):
        call_command("tick", stdout=out)
    assert "voices.escalate_overdue_voices: 1" in out.getvalue()
    assert Voice.objects.get().escalated_at == T0 + timedelta(days=31)
