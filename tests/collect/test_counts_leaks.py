"""Every count shown (responses, invitations, rates) attacked by linear algebra.

The "atoms" are a unit's own respondents and its own invitations. Each count a page or
the API shows is a sum over atoms (a unit's subtree, a scope's total); an attacker may
subtract and add any of them, for one reader or several readers pooling their pages. A
group is revealed when the indicator of its atoms lies in the span of the shown counts
(``tests.results.test_gate_properties._leaks``, the results' own check). Hypothesis
builds random trees and scopes and reads what the API serializer gives out; the end-to-end
cases read the figures from the API and the wave page of real waves.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miroir.collect.api import _count
from miroir.collect.counts import CountRow, counts_for_scope, whole_row
from miroir.collect.models import Invitation, Response
from miroir.org.models import Member, Unit
from tests.collect.support import add_employees, submit, token_for
from tests.personas import PASSWORD
from tests.results.test_gate_properties import _leaks, _subtree

KINDS = ("responses", "invited")


@st.composite
def audiences(draw: st.DrawFn) -> tuple[dict, dict, list[set[int]]]:
    size = draw(st.integers(min_value=1, max_value=7))
    parents: dict[int, int] = {}
    for unit in range(1, size + 1):
        parents[unit] = draw(st.integers(min_value=0, max_value=unit - 1))
    small = st.one_of(st.just(0), st.integers(0, 4), st.integers(0, 12))
    atoms = {(unit, kind): draw(small) for unit in parents for kind in KINDS}
    # Readers: whoever sees everything, and one or two managers of some subtrees.
    family = {0: None, **parents}
    readers = [set(parents)]
    for _ in range(draw(st.integers(0, 2))):
        roots = draw(st.sets(st.sampled_from(sorted(parents)), min_size=1, max_size=2))
        readers.append(set().union(*(_subtree(family, root) for root in roots)))
    return parents, atoms, readers


def _rows(parents: dict, atoms: dict) -> list[CountRow]:
    family = {0: None, **parents}
    subtree = {unit: _subtree(family, unit) for unit in parents}
    return [
        CountRow(
            unit_id=unit,
            parent_id=parent,
            name=str(unit),
            depth=0,
            invited=sum(atoms[(u, "invited")] for u in subtree[unit]),
            responses=sum(atoms[(u, "responses")] for u in subtree[unit]),
            direct=atoms[(unit, "responses")],
        )
        for unit, parent in parents.items()
    ]


def _figure(units: set, kind: str, keys: list) -> np.ndarray:
    return np.array([1.0 if key[1] == kind and key[0] in units else 0.0 for key in keys])


def _shown(outputs: list[tuple[set, dict]], keys: list) -> list[np.ndarray]:
    """Return the atom vector of every count in the outputs (units covered, serialized count)."""
    figures = []
    for units, out in outputs:
        for kind in KINDS:
            if out[kind] is not None:
                figures.append(_figure(units, kind, keys))
        # A rate never shows without both its counts (it would reveal the hidden one).
        assert out["response_rate"] is None or None not in (out["responses"], out["invited"])
        assert out["suppressed"] == (out["responses"] is None)
        assert out["invited_suppressed"] == (out["invited"] is None)
    return figures


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(audience=audiences(), threshold=st.integers(min_value=3, max_value=6))
def test_no_small_group_can_be_computed_from_the_counts_shown(audience, threshold) -> None:
    parents, atoms, readers = audience
    family = {0: None, **parents}
    keys = sorted(atoms)
    outputs = []
    for in_scope in readers:
        rows = _rows(parents, atoms)
        scoped = counts_for_scope(rows, whole_row(rows), in_scope, threshold)
        for row in scoped.rows:
            outputs.append((_subtree(family, row.unit_id), _count(row)))
        covered = set().union(*(_subtree(family, top.unit_id) for top in scoped.tops))
        outputs.append((covered, _count(scoped.total)))
    figures = _shown(outputs, keys)
    assert _leaks(figures, atoms, keys, threshold) == []


# -- end to end: the API and the wave page of real waves ---------------------------------------


def _atoms(wave, units: list[Unit]) -> dict[tuple[int, str], int]:
    atoms = {(unit.pk, kind): 0 for unit in units for kind in KINDS}
    for unit_id in Response.objects.filter(wave=wave).values_list("unit_id", flat=True):
        atoms[(unit_id, "responses")] += 1
    for unit_id in Invitation.objects.filter(wave=wave).values_list("unit_id", flat=True):
        atoms[(unit_id, "invited")] += 1
    return atoms


def _inside(unit_id: int, units: list[Unit]) -> set[int]:
    path = next(unit.path for unit in units if unit.pk == unit_id)
    return {unit.pk for unit in units if unit.path.startswith(path)}


PAGE_ROW = re.compile(r'<tr data-unit="(\w+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


def _page_counts(html: str) -> dict[str, dict[str, int | None]]:
    """Return, by ``data-unit``, the invited and response counts a wave page shows."""
    found = {}
    for unit, cells in PAGE_ROW.findall(html):
        invited, responses = [*CELL.findall(cells), "", ""][:2]
        found[unit] = {
            "invited": int(invited) if invited.strip().isdigit() else None,
            "responses": int(responses) if responses.strip().isdigit() else None,
        }
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_api_and_the_page_show_no_count_that_reveals_a_small_group(
    client, personas, make_wave, launch, seed
) -> None:
    rng = random.Random(seed)
    names = ("lille", "lille_vente", "lille_caisse", "arras", "nord", "marseille")
    places = [getattr(personas, name) for name in names]
    for index, unit in enumerate(places):
        add_employees(unit, rng.randint(0, 8), prefix=f"S{seed}U{index}P")
    wave = launch(make_wave(channels=["link"]))
    invited = Invitation.objects.filter(wave=wave, member__isnull=False).order_by("pk")
    for member_id in invited.values_list("member_id", flat=True):
        if rng.random() < 0.6:
            submit(token_for(wave, Member.objects.get(pk=member_id)))
    Response.objects.update(submitted_on=timezone.localdate() - timedelta(days=1))
    units = list(Unit.objects.all())
    atoms = _atoms(wave, units)
    keys = sorted(atoms)
    threshold = wave.threshold_scores
    outputs: list[tuple[set, dict]] = []
    for reader in (personas.admin, personas.region_manager, personas.shop_manager):
        assert client.login(username=reader.email, password=PASSWORD)
        body = client.get(f"/api/v1/waves/{wave.pk}").json()
        top_ids = {unit["unit_id"] for unit in body["units"] if unit["depth"] == 0}
        covered = set().union(*(_inside(unit_id, units) for unit_id in top_ids))
        outputs.append((covered, body["total"]))
        for unit in body["units"]:
            outputs.append((_inside(unit["unit_id"], units), unit))
        page = _page_counts(client.get(f"/waves/{wave.pk}/").content.decode())
        assert set(page) == {"total"} | {str(unit["unit_id"]) for unit in body["units"]}
        # The page shows the very counts of the API, nothing more.
        for unit in body["units"]:
            shown = page[str(unit["unit_id"])]
            assert shown == {"invited": unit["invited"], "responses": unit["responses"]}
        assert page["total"] == {
            "invited": body["total"]["invited"],
            "responses": body["total"]["responses"],
        }
    figures = _shown(outputs, keys)
    assert figures, "something must be shown"
    assert _leaks(figures, atoms, keys, threshold) == []
