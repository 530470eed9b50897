"""End to end: random respondents through intake, every figure the selectors release,
and no group under the threshold determinable from all of them together."""

from __future__ import annotations

import random

import numpy as np
import pytest
from django.utils import timezone

from miroir.collect.models import Invitation
from miroir.collect.services import wave_close
from miroir.org.models import ContractType, Member, Unit
from miroir.results import selectors
from miroir.results.periods import period_of
from tests.collect.support import submit, token_for
from tests.results.test_gate_properties import _leaks

pytestmark = pytest.mark.django_db

CONTRACTS = [ContractType.PERMANENT, ContractType.FIXED_TERM, ContractType.APPRENTICE]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_small_group_can_be_inferred_from_everything_released(
    personas, make_wave, launch, seed
) -> None:
    rng = random.Random(seed)
    units = [
        personas.lille_vente,
        personas.lille_caisse,
        personas.lille,
        personas.arras,
        personas.marseille,
        personas.nord,
    ]
    people = []
    for index in range(rng.randint(15, 30)):
        member = Member.objects.create(
            first_name=f"P{index}",
            last_name="Test",
            email=f"p{seed}-{index}@example.com",
            unit=rng.choice(units),
            contract_type=rng.choice(CONTRACTS),
        )
        people.append(member)
    wave = launch(make_wave(attributes=["contract_type"]))
    answered = [m for m in people if rng.random() < 0.8]
    for member in answered:
        submit(token_for(wave, member), {"ecoute-employee": str(rng.randint(1, 5)), "enps": "7"})
    wave_close(wave=wave, actor=personas.admin)
    assert Invitation.objects.filter(wave=wave, used=True).count() == len(answered)

    period = period_of(timezone.localdate())
    all_units = list(Unit.objects.all())
    paths = {unit.pk: unit.path for unit in all_units}
    atoms: dict[tuple[int, str], int] = {}
    for member in answered:
        key = (member.unit_id, member.contract_type)
        atoms[key] = atoms.get(key, 0) + 1
    keys = sorted(atoms)
    rows = []
    tree = selectors.unit_results(
        unit=personas.company, lens="employee", period=period, levels=None, with_change=False
    )
    threshold = tree.threshold
    for figure in tree.figures:
        if figure.subject.code == "ecoute-employee" and not figure.suppressed:
            inside = paths[figure.unit_id]
            rows.append(np.array([1.0 if paths[k[0]].startswith(inside) else 0.0 for k in keys]))
    for unit in all_units:
        by_segment = selectors.segment_results(unit=unit, lens="employee", period=period)
        for figure in by_segment.figures:
            if figure.subject.code == "ecoute-employee" and not figure.suppressed:
                inside, contract = paths[figure.unit_id], figure.segment[1]
                rows.append(
                    np.array(
                        [
                            1.0 if paths[k[0]].startswith(inside) and k[1] == contract else 0.0
                            for k in keys
                        ]
                    )
                )
    assert rows, "something must be shown"
    assert _leaks(rows, atoms, keys, threshold) == []
