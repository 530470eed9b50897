"""Listening symmetry's counts of invitations and responses, attacked by linear algebra.

The results' listening block shows, for every unit, the invitations sent and the responses
of each lens. Both go through the gate's complementary suppression: taking every count
shown for every unit, no group of 1 to threshold - 1 invitations or respondents lies in
their span (``tests.results.test_gate_properties._leaks``).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from django.utils import timezone

from miroir.collect.models import Invitation, Response
from miroir.org.models import Unit
from miroir.results import selectors
from miroir.results.periods import period_of
from tests.collect.support import add_employees, submit, token_for
from tests.results.test_gate_properties import _leaks

pytestmark = pytest.mark.django_db

KINDS = ("invited", "responses")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_small_group_can_be_computed_from_the_listening_counts(
    personas, make_wave, launch, seed
) -> None:
    rng = random.Random(seed)
    names = ("lille", "lille_vente", "lille_caisse", "arras", "nord", "marseille")
    for index, name in enumerate(names):
        add_employees(getattr(personas, name), rng.randint(0, 7), prefix=f"L{seed}U{index}P")
    wave = launch(make_wave(channels=["email"]))
    for invitation in Invitation.objects.filter(wave=wave).select_related("member"):
        if rng.random() < 0.6:
            submit(token_for(wave, invitation.member))
    period = period_of(timezone.localdate())
    units = list(Unit.objects.all())
    paths = {unit.pk: unit.path for unit in units}
    atoms = {(unit.pk, kind): 0 for unit in units for kind in KINDS}
    sent = Invitation.objects.filter(wave=wave, sent_at__isnull=False)
    for unit_id in sent.values_list("unit_id", flat=True):
        atoms[(unit_id, "invited")] += 1
    for unit_id in Response.objects.filter(wave=wave).values_list("unit_id", flat=True):
        atoms[(unit_id, "responses")] += 1
    keys = sorted(atoms)
    figures = []
    threshold = None
    for unit in units:
        side = selectors.listening_symmetry(unit=unit, period=period).lenses["employee"]
        threshold = selectors.unit_results(
            unit=unit, lens="employee", period=period, levels=0, with_change=False
        ).threshold
        for kind in KINDS:
            if getattr(side, kind) is not None:
                inside = paths[unit.pk]
                figures.append(
                    np.array(
                        [
                            1.0 if key[1] == kind and paths[key[0]].startswith(inside) else 0.0
                            for key in keys
                        ]
                    )
                )
        # A rate or a count per person never shows without the counts it is made of.
        assert side.response_rate is None or None not in (side.invited, side.responses)
        assert side.per_person is None or side.invited is not None
    assert figures, "something must be shown"
    assert _leaks(figures, atoms, keys, threshold) == []
