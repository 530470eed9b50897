from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from miroir.collect.models import Wave
from miroir.collect.services import wave_create, wave_launch
from miroir.instruments.models import Instrument
from miroir.instruments.services import instrument_create, item_create, mirror_create
from tests.personas import Personas

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture(autouse=True)
def _outbox_mail(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://miroir.example"


@pytest.fixture
def instrument(db: None) -> Instrument:
    """Return a questionnaire with items for every lens and every kind of answer."""
    instrument = instrument_create(
        actor=None, title_fr="Pulse de test", title_en="Test pulse", slug="pulse-test"
    )
    ecoute = mirror_create(
        instrument=instrument,
        actor=None,
        code="ecoute",
        title_fr="Être écouté",
        title_en="Being listened to",
        dimension="connexions",
    )
    texts = {
        "customer": ("On m'a écouté.", "I was listened to."),
        "employee": ("Mon responsable m'écoute.", "My manager listens to me."),
        "partner": ("On m'écoute ici.", "I am listened to here."),
        "management": ("Nos équipes se sentent écoutées.", "Our staff feel listened to."),
    }
    for lens, (text_fr, text_en) in texts.items():
        item_create(
            instrument=instrument,
            actor=None,
            code=f"ecoute-{lens}",
            lens=lens,
            scale="agree5",
            text_fr=text_fr,
            text_en=text_en,
            dimension="connexions",
            mirror=ecoute,
            allow_dont_know=lens == "employee",
        )
    extra: list[dict[str, Any]] = [
        {"code": "enps", "scale": "nps", "text_fr": "Recommanderiez-vous ?"},
        {"code": "humeur", "scale": "emotion", "text_fr": "Votre humeur ?", "required": False},
        {
            "code": "rythme",
            "scale": "single_choice",
            "text_fr": "À quel rythme ?",
            "required": False,
            "options": [
                {"code": "semaine", "fr": "Chaque semaine", "en": "Every week"},
                {"code": "mois", "fr": "Chaque mois", "en": "Every month"},
            ],
        },
        {
            "code": "idee",
            "scale": "free_text",
            "text_fr": "Une idée ?",
            "text_en": "An idea?",
            "required": False,
            "max_length": 50,
        },
    ]
    for spec in extra:
        item_create(instrument=instrument, actor=None, lens="employee", dimension="sens", **spec)
    item_create(
        instrument=instrument,
        actor=None,
        code="nps-customer",
        lens="customer",
        scale="nps",
        text_fr="Nous recommanderiez-vous ?",
        dimension="welcome",
    )
    return instrument


@pytest.fixture
def make_wave(personas: Personas, instrument: Instrument) -> Callable[..., Wave]:
    """Return a function making a draft wave over the whole company (overrides as kwargs)."""

    def make(**overrides: Any) -> Wave:
        options: dict[str, Any] = {
            "actor": personas.admin,
            "instrument": instrument,
            "name": "Pulse T1",
            "lens": "employee",
            "units": [personas.company],
            "closes_at": timezone.now() + timedelta(days=30),
            "channels": ["email", "link"],
            "reminder_days": [7, 14],
        }
        options.update(overrides)
        return wave_create(**options)

    return make


@pytest.fixture
def launch(personas: Personas, django_capture_on_commit_callbacks) -> Callable[..., Wave]:
    """Return a function launching a wave and running what it queued on commit."""

    def run(wave: Wave, **kwargs: Any) -> Wave:
        with django_capture_on_commit_callbacks(execute=True):
            launched = wave_launch(wave=wave, actor=personas.admin, **kwargs)
        launched.refresh_from_db()
        return launched

    return run
