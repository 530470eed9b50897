from __future__ import annotations

import pytest

from miroir.instruments.models import Instrument, Mirror
from miroir.instruments.services import instrument_create, mirror_create


@pytest.fixture
def instrument(db: None) -> Instrument:
    return instrument_create(actor=None, title_fr="Pulse de test", title_en="Test pulse")


@pytest.fixture
def mirror(instrument: Instrument) -> Mirror:
    return mirror_create(
        instrument=instrument,
        actor=None,
        code="ecoute",
        title_fr="Être écouté",
        title_en="Being listened to",
        dimension="connexions",
    )


@pytest.fixture(autouse=True)
def _english_messages(client):
    """These tests compare error messages with their English source text."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
