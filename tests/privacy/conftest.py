from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

# The collection's fixtures: a questionnaire, waves made and launched, mail in an outbox,
# tasks run inline.
from tests.collect import conftest as collect_fixtures

_immediate_tasks = collect_fixtures._immediate_tasks
_outbox_mail = collect_fixtures._outbox_mail
instrument = collect_fixtures.instrument
make_wave = collect_fixtures.make_wave
launch = collect_fixtures.launch


@pytest.fixture(autouse=True)
def _english(client):
    # Messages are asserted in the source language, whatever the catalogs hold.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def hot_wave(make_wave, launch, personas):
    """Return an open hot customer wave inviting by e-mail an hour after each interaction."""
    return launch(
        make_wave(
            name="Après passage en caisse",
            lens="customer",
            kind="hot",
            channels=["email"],
            reminder_days=[],
            attributes=["moment"],
            hot_delay_minutes=60,
            hot_valid_days=7,
            closes_at=timezone.now() + timedelta(days=60),
        )
    )
