"""Roll-ups follow intake: each stored response adds its counts, in its transaction."""

from __future__ import annotations

import pytest

from miroir.results.models import Rollup, RollupResponses
from tests.collect.support import add_employees, submit, token_for

pytestmark = pytest.mark.django_db


def test_a_submission_adds_its_answers_to_the_rollups(personas, make_wave, launch) -> None:
    add_employees(personas.lille_vente, 2, prefix="Vente")
    wave = launch(make_wave(attributes=["contract_type"]))
    member = personas.employee_member
    submit(token_for(wave, member), {"ecoute-employee": "4", "enps": "9", "humeur": "angry"})
    rows = {
        row.item.code + (":" + row.choice if row.choice else ""): row
        for row in Rollup.objects.select_related("item")
    }
    assert rows["ecoute-employee"].n == 1
    assert rows["ecoute-employee"].v4 == 1
    assert rows["ecoute-employee"].total == 4.0
    assert rows["enps"].v9 == 1
    assert rows["humeur:angry"].n == 1
    assert rows["enps"].value == member.contract_type
    assert RollupResponses.objects.get().responses == 1
