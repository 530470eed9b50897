from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Member
from miroir.results import gate
from miroir.voices.models import Voice
from miroir.voices.services import complaint_receive, voice_submit
from tests.personas import Personas

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture(autouse=True)
def _immediate_tasks_and_mail(settings) -> None:
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://miroir.example"


@pytest.fixture
def staffed(personas: Personas) -> list[Member]:
    """Return colleagues enough in Émile's team for an anonymous voice to stay filed there.

    Without them his team, shop and region hold too few people for the verbatim threshold,
    and his anonymous voices are filed under the company (``voices.services.anonymous_unit``).
    """
    return [
        Member.objects.create(
            first_name=f"Collègue{index}",
            last_name="Vente",
            unit=personas.lille_vente,
            contract_type=ContractType.PERMANENT,
        )
        for index in range(gate.verbatim_threshold(Lens.EMPLOYEE))
    ]


@pytest.fixture
def moment(db: None) -> Moment:
    return Moment.objects.get_or_create(
        code="checkout", defaults={"name_fr": "Passage en caisse", "stage": "during", "order": 5}
    )[0]


@pytest.fixture
def suggestion(personas: Personas) -> Callable[..., Voice]:
    def make(text: str = "Ouvrir une deuxième caisse le samedi", **extra: Any) -> Voice:
        extra.setdefault("now", T0)
        return voice_submit(
            author=personas.employee_member, kind="suggestion", text=text, **extra
        ).voice

    return make


@pytest.fixture
def complaint(personas: Personas) -> Callable[..., Voice]:
    def make(text: str = "Trop d'attente en caisse samedi", **extra: Any) -> Voice:
        extra.setdefault("now", T0)
        extra.setdefault("unit", personas.lille)
        return complaint_receive(text=text, source="api", **extra).voice

    return make


# The collection's fixtures, for the hot-survey intake.
from tests.collect.conftest import instrument, launch, make_wave  # noqa: E402, F401
