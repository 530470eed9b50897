"""An administrator's look-up and export of one employee tell nothing of what they answered.

The attack: the administrator looks the employee up (the privacy page, then its JSON
export) before and after the employee answers a survey through their personal link and
sends an anonymous suggestion; any difference tells that they took part.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core import mail
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.voices.models import VoiceKind
from miroir.voices.services import voice_submit
from tests.collect.support import submit
from tests.personas import PASSWORD
from tests.privacy.support import token_in

SEARCH = reverse("privacy:search")
EXPORT = reverse("privacy:export")
EMILE = "emile@example.com"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _looked_up(client) -> tuple[str, dict[str, Any]]:
    page = client.post(SEARCH, {"email": EMILE})
    assert page.status_code == 200
    assert "Émile" in page.content.decode()
    export = client.post(EXPORT, {"email": EMILE})
    assert export.status_code == 200
    data = json.loads(export.content)
    data.pop("generated_at")
    return _CSRF.sub("", page.content.decode()), data


def test_an_employee_s_look_up_and_export_are_the_same_before_and_after_they_answered(
    client, personas, make_wave, launch
):
    wave = launch(make_wave(channels=["email"], units=[personas.lille_vente]))
    (message,) = [m for m in mail.outbox if m.to == [EMILE]]
    assert client.login(email="ada@example.com", password=PASSWORD)
    page_before, export_before = _looked_up(client)
    assert [item["wave"] for item in export_before["members"][0]["current_invitations"]] == [
        wave.name
    ]

    submit(token_in(message.body))
    voice_submit(
        author=personas.employee_member,
        kind=VoiceKind.SUGGESTION,
        text="Remplacer la caisse 3, elle bloque tous les samedis.",
        anonymous=True,
    )
    page_after, export_after = _looked_up(client)

    assert export_after == export_before
    assert page_after == page_before
    # The look-ups were audited, each the same way; nothing else in the journal names him.
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("privacy.view") == actions.count("privacy.export") == 2
