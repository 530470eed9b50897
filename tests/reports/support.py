"""Answers over the personas' network, for the result pages' tests.

Two quarters of closed waves for every lens. Per quarter: Lille Vente and Lille Caisse
6 employees each, Arras 6, Marseille 3 (too few: hidden, and Sud with it); 10
customers per shop; 5 managers' estimates in Lille. Roll-ups are then rebuilt.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from miroir.collect.models import Answer, Response, Wave, WaveStatus
from miroir.org.models import Lens
from miroir.results.periods import period_of
from miroir.results.services import rollups_rebuild

EMPLOYEES = {"lille_vente": 6, "lille_caisse": 6, "arras": 6, "marseille": 3}
CUSTOMERS = {"lille": 10, "arras": 10, "marseille": 10}
MANAGERS = {"lille": 5}


def last_quarter_days() -> tuple[date, date]:
    """Return a day in the previous quarter and one in the quarter before."""
    current = period_of(date.today())
    previous = current.previous()
    return previous.start + timedelta(days=10), previous.previous().start + timedelta(days=10)


def _respond(wave: Wave, unit, lens: str, day: date, rng: random.Random, shift: int) -> None:
    response = Response.objects.create(
        wave=wave,
        unit=unit,
        lens=lens,
        submitted_on=day,
        attributes={"contract_type": "permanent"} if lens == Lens.EMPLOYEE else {},
        channel="link",
    )
    answers = []
    for item in wave.instrument.items.filter(lens=lens):
        if item.scale == "agree5":
            answers.append(Answer(response=response, item=item, number=rng.randint(2, 4) + shift))
        elif item.scale == "nps":
            answers.append(Answer(response=response, item=item, number=rng.randint(5, 10)))
        elif item.scale == "free_text":
            answers.append(Answer(response=response, item=item, text="=1+1 une idée"))
    Answer.objects.bulk_create(answers)


@pytest.fixture
def results_data(personas, make_wave):
    """Return the personas after two quarters of answers from every lens."""
    rng = random.Random(7)
    recent, older = last_quarter_days()
    for quarter, day in enumerate((older, recent)):
        waves = {
            lens: make_wave(name=f"Pulse {quarter} {lens}", lens=lens, channels=["link"])
            for lens in (Lens.EMPLOYEE, Lens.CUSTOMER, Lens.MANAGEMENT)
        }
        Wave.objects.filter(pk__in=[w.pk for w in waves.values()]).update(status=WaveStatus.CLOSED)
        for name, count in EMPLOYEES.items():
            for _ in range(count):
                _respond(waves[Lens.EMPLOYEE], getattr(personas, name), Lens.EMPLOYEE, day, rng, 0)
        for name, count in CUSTOMERS.items():
            for _ in range(count):
                _respond(waves[Lens.CUSTOMER], getattr(personas, name), Lens.CUSTOMER, day, rng, 1)
        for name, count in MANAGERS.items():
            for _ in range(count):
                unit = getattr(personas, name)
                _respond(waves[Lens.MANAGEMENT], unit, Lens.MANAGEMENT, day, rng, 1)
    rollups_rebuild()
    return personas
