"""Property tests of the gate: no group under the threshold can be inferred.

Random trees of units, random respondents spread over units and segments (the "atoms":
a unit's own respondents of one segment value, "no attribute" included). Whatever the
gate releases — unit totals, and unit x segment figures — is a sum over atoms. An
attacker may combine released figures linearly (parent minus children, segment totals,
any mix); a group is revealed when the indicator of its atoms lies in the span of the
released figures. The test enumerates every small group (total respondents from 1 to
threshold - 1) and checks none lies in that span.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miroir.results.gate import release_crossed, release_tree

SEGMENTS = ("", "permanent", "fixed_term", "apprentice")


@st.composite
def networks(draw: st.DrawFn, *, segments: bool) -> tuple[dict, dict]:
    size = draw(st.integers(min_value=1, max_value=9))
    parents: dict[int, int | None] = {0: None}
    for unit in range(1, size):
        parents[unit] = draw(st.integers(min_value=0, max_value=unit - 1))
    kinds = SEGMENTS if segments else ("",)
    atoms = {
        (unit, segment): draw(
            st.one_of(st.just(0), st.integers(min_value=0, max_value=4), st.integers(0, 14))
        )
        for unit in parents
        for segment in kinds
    }
    return parents, atoms


def _subtree(parents: dict, unit: int) -> set[int]:
    inside = {unit}
    changed = True
    while changed:
        changed = False
        for key, parent in parents.items():
            if parent in inside and key not in inside:
                inside.add(key)
                changed = True
    return inside


def _leaks(rows: list[np.ndarray], atoms: dict, keys: list, threshold: int) -> list:
    """Return the small groups of atoms whose total the released rows determine."""
    positive = [index for index, key in enumerate(keys) if atoms[key] > 0]
    small = [index for index in positive if atoms[keys[index]] < threshold]
    if not rows or not small:
        return []
    matrix = np.array(rows)[:, positive]
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for size in range(1, threshold):
        for group in combinations(small, size):
            if sum(atoms[keys[index]] for index in group) >= threshold:
                continue
            target = np.array([1.0 if index in group else 0.0 for index in positive])
            if np.linalg.matrix_rank(np.vstack([matrix, target])) == rank:
                found.append([keys[index] for index in group])
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=networks(segments=False), threshold=st.integers(min_value=3, max_value=6))
def test_no_small_group_can_be_inferred_from_a_unit_tree(network, threshold) -> None:
    parents, atoms = network
    keys = sorted(atoms)
    subtrees = {unit: _subtree(parents, unit) for unit in parents}
    totals = {unit: sum(atoms[(u, "")] for u in subtrees[unit]) for unit in parents}
    shown = release_tree(parents, totals, threshold)
    assert all(totals[unit] >= threshold for unit in shown)
    rows = [np.array([1.0 if key[0] in subtrees[unit] else 0.0 for key in keys]) for unit in shown]
    assert _leaks(rows, atoms, keys, threshold) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=networks(segments=True), threshold=st.integers(min_value=3, max_value=5))
def test_no_small_group_can_be_inferred_from_units_and_segments(network, threshold) -> None:
    parents, atoms = network
    keys = sorted(atoms)
    subtrees = {unit: _subtree(parents, unit) for unit in parents}
    totals = {
        unit: sum(atoms[(u, s)] for u in subtrees[unit] for s in SEGMENTS) for unit in parents
    }
    cells = {
        (unit, segment): sum(atoms[(u, segment)] for u in subtrees[unit])
        for unit in parents
        for segment in SEGMENTS
        if segment
    }
    shown, shown_cells = release_crossed(parents, totals, cells, threshold)
    assert all(totals[unit] >= threshold for unit in shown)
    assert all(cells[cell] >= threshold for cell in shown_cells)
    assert all(unit in shown for unit, _ in shown_cells)
    rows = [np.array([1.0 if key[0] in subtrees[unit] else 0.0 for key in keys]) for unit in shown]
    rows += [
        np.array([1.0 if key[0] in subtrees[unit] and key[1] == segment else 0.0 for key in keys])
        for unit, segment in shown_cells
    ]
    assert _leaks(rows, atoms, keys, threshold) == []
