"""``miroir tick``: the collection's periodic work, and the purge of who was invited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from miroir.collect.models import Invitation, InvitationToken, Response, Wave
from miroir.collect.services import invitations_purge, wave_close, waves_purge_due
from tests.collect.support import submit, token_for


def _tick(*args: str) -> str:
    out = StringIO()
    call_command("tick", *args, stdout=out)
    return out.getvalue()


def test_the_tick_closes_due_waves_and_opens_scheduled_ones(make_wave, launch, personas):
    due = launch(make_wave(name="Due", units=[personas.lille_vente]))
    Wave.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    scheduled = launch(
        make_wave(
            name="Later",
            units=[personas.arras],
            channels=["email"],
            opens_at=timezone.now() + timedelta(days=1),
        )
    )
    Wave.objects.filter(pk=scheduled.pk).update(opens_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()
    output = _tick()
    due.refresh_from_db()
    scheduled.refresh_from_db()
    assert due.status == "closed"
    assert scheduled.status == "open"
    assert [m.to for m in mail.outbox] == [["simon@example.com"]]
    assert "collect.close_due_waves" in output


def test_the_tick_sends_due_reminders(make_wave, launch, personas):
    wave = launch(make_wave(units=[personas.lille_vente], channels=["email"]))
    Wave.objects.filter(pk=wave.pk).update(opens_at=timezone.now() - timedelta(days=8))
    Invitation.objects.update(last_sent_at=timezone.now() - timedelta(days=8))
    mail.outbox.clear()
    _tick()
    _tick("--only", "collect.send_reminders")  # run again in the same round: nothing more
    assert len(mail.outbox) == 1
    assert Invitation.objects.get().reminders_sent == 1


def test_the_purge_forgets_who_was_invited_but_keeps_the_counts(make_wave, launch, personas):
    wave = launch(make_wave(units=[personas.lille]))
    submit(token_for(wave, personas.employee_member))
    with pytest.raises(ValidationError):  # only closed waves are purged
        invitations_purge(wave=wave)
    wave_close(wave=wave, actor=personas.admin)
    wave.refresh_from_db()
    assert waves_purge_due(now=timezone.now()) == []  # retention not over yet
    assert waves_purge_due(now=timezone.now() + timedelta(days=31)) == [wave.pk]
    assert not Invitation.objects.filter(wave=wave, member__isnull=False).exists()
    assert not InvitationToken.objects.filter(invitation__wave=wave).exists()
    assert Invitation.objects.filter(wave=wave).count() == 2
    assert Invitation.objects.filter(wave=wave, used=True).count() == 1
    assert Response.objects.filter(wave=wave).count() == 1
