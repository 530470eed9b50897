from __future__ import annotations

import random

import pytest

from miroir.collect.services import wave_close

# The collection's fixtures (a questionnaire for every lens, waves, launching) serve here.
from tests.collect.conftest import (  # noqa: F401
    _immediate_tasks,
    _outbox_mail,
    instrument,
    launch,
    make_wave,
)
from tests.collect.support import add_employees, submit, token_for
from tests.reports.support import results_data  # noqa: F401


@pytest.fixture
def answered(personas, make_wave, launch):  # noqa: F811
    """Return (wave, the answers given): Lille Vente 8 (Émile too), Lille itself 1, Marseille 5."""
    vente = add_employees(personas.lille_vente, 7, prefix="Vente")
    vente += add_employees(personas.marseille, 4, prefix="Sud")
    vente += add_employees(personas.lille, 1, prefix="Shop")
    wave = launch(make_wave(attributes=["contract_type"]))
    rng = random.Random(7)
    given = []
    for member in [*vente, personas.marius, personas.employee_member]:
        value = rng.randint(1, 5)
        given.append(value)
        answers = {"ecoute-employee": str(value), "enps": str(rng.randint(0, 10))}
        submit(token_for(wave, member), answers)
    wave_close(wave=wave, actor=personas.admin)
    return wave, given
