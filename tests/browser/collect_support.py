"""A small employee wave for the respondent and kiosk browser tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from miroir.collect.models import Wave
from miroir.collect.services import wave_create, wave_launch
from miroir.instruments.services import instrument_create, item_create
from tests.personas import Personas


def employee_wave(personas: Personas, **overrides: Any) -> Wave:
    """Return a launched employee wave of two required questions and an optional text."""
    instrument = instrument_create(actor=None, title_fr="Pulse", title_en="Pulse", slug="pulse")
    item_create(
        instrument=instrument,
        actor=None,
        code="ecoute",
        lens="employee",
        scale="agree5",
        text_fr="Mon responsable m'écoute.",
        text_en="My manager listens to me.",
        dimension="connexions",
    )
    item_create(
        instrument=instrument,
        actor=None,
        code="enps",
        lens="employee",
        scale="nps",
        text_fr="Recommanderiez-vous votre employeur ?",
        text_en="Would you recommend your employer?",
        dimension="sens",
    )
    item_create(
        instrument=instrument,
        actor=None,
        code="idee",
        lens="employee",
        scale="free_text",
        text_fr="Une idée ?",
        text_en="An idea?",
        dimension="sens",
        required=False,
        max_length=200,
    )
    options: dict[str, Any] = {
        "actor": personas.admin,
        "instrument": instrument,
        "name": "Pulse",
        "lens": "employee",
        "units": [personas.company],
        "closes_at": timezone.now() + timedelta(days=30),
        "channels": ["link"],
    }
    options.update(overrides)
    return wave_launch(wave=wave_create(**options), actor=personas.admin)
