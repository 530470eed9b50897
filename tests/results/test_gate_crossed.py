"""The crossed gate (units x segments) is fast on a large network and decides exactly as before.

``reference_release_crossed`` is the first, straightforward version of the rule: every
step re-gates every segment over the whole tree and scans every group again. The gate now
re-gates only what a step changed; on random networks both must hide the same cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miroir.results import gate
from miroir.results.gate import Key

SEGMENTS = ("permanent", "fixed_term", "apprentice", "interim")


def reference_release_crossed(
    parents: Mapping[Key, Key | None],
    totals: Mapping[Key, int],
    cells: Mapping[tuple[Key, str], int],
    threshold: int,
) -> tuple[frozenset[Key], frozenset[tuple[Key, str]]]:
    """Return the visible groups and the visible (group, segment) cells of a crossed family.

    ``totals`` are the groups' counts (every segment, "no attribute" included); ``cells``
    the counts by segment value (never the "no attribute" part, which is not shown).

    On top of the tree rule for totals and for each segment value, two rules keep every
    released figure a sum of disjoint safe pieces: a visible cell (V, s) is *aligned* —
    each nearest visible total below V has its own (W, s) cell visible, or none of s —
    so that what (V, s) adds lies inside V's own residue; and within that residue, what
    the visible segments leave unexplained is 0 or at least the threshold.
    """
    shown_totals = gate.release_tree(parents, totals, threshold)
    if threshold == 1:
        return shown_totals, frozenset(
            key for key, count in cells.items() if count >= 1 and key[0] in shown_totals
        )
    children = gate._children(parents)
    segments = sorted({segment for _, segment in cells})
    blocked: dict[str, set[Key]] = {
        segment: {key for key in parents if key not in shown_totals} for segment in segments
    }
    frontier_totals = {key: gate._frontier(children, shown_totals, key) for key in shown_totals}
    residue_totals = {
        key: totals.get(key, 0) - sum(totals.get(inner, 0) for inner in frontier_totals[key])
        for key in shown_totals
    }
    while True:
        shown: dict[str, frozenset[Key]] = {}
        for segment in segments:
            counts = {key: cells.get((key, segment), 0) for key in parents}
            shown[segment] = gate.release_tree(parents, counts, threshold, hidden=blocked[segment])
        block = _misaligned(frontier_totals, cells, shown, segments)
        if block is None:
            block = _unexplained(frontier_totals, residue_totals, cells, shown, segments, threshold)
        if block is None:
            break
        blocked[block[1]].add(block[0])
    released = frozenset(
        (key, segment) for segment in segments for key in shown.get(segment, frozenset())
    )
    return shown_totals, released


def _misaligned(
    frontier_totals: Mapping[Key, list[Key]],
    cells: Mapping[tuple[Key, str], int],
    shown: Mapping[str, frozenset[Key]],
    segments: Sequence[str],
) -> tuple[Key, str] | None:
    """Return a visible cell whose visible totals below lack their own cell, if any."""
    for segment in segments:
        for key in sorted(shown[segment], key=repr):
            for inner in frontier_totals.get(key, ()):
                if cells.get((inner, segment), 0) > 0 and inner not in shown[segment]:
                    return key, segment
    return None


def _unexplained(
    frontier_totals: Mapping[Key, list[Key]],
    residue_totals: Mapping[Key, int],
    cells: Mapping[tuple[Key, str], int],
    shown: Mapping[str, frozenset[Key]],
    segments: Sequence[str],
    threshold: int,
) -> tuple[Key, str] | None:
    """Return a cell to hide where a residue minus its visible segments is small, if any."""
    for key in sorted(frontier_totals, key=repr):
        pieces = []
        for segment in segments:
            if key in shown[segment]:
                inner = sum(cells.get((w, segment), 0) for w in frontier_totals[key])
                pieces.append((cells.get((key, segment), 0) - inner, segment))
        left = residue_totals[key] - sum(piece for piece, _ in pieces)
        if pieces and 0 < left < threshold:
            positive = [piece for piece in pieces if piece[0] > 0] or pieces
            return key, min(positive)[1]
    return None


@st.composite
def crossed_networks(draw: st.DrawFn) -> tuple[dict, dict, dict]:
    size = draw(st.integers(min_value=1, max_value=40))
    parents: dict[int, int | None] = {0: None}
    for unit in range(1, size):
        parents[unit] = draw(st.integers(min_value=0, max_value=unit - 1))
    own = {
        (unit, segment): draw(st.one_of(st.just(0), st.integers(0, 4), st.integers(0, 12)))
        for unit in parents
        for segment in ("", *SEGMENTS)
    }
    below: dict[int, set[int]] = {unit: {unit} for unit in parents}
    for unit in sorted(parents, reverse=True):
        if parents[unit] is not None:
            below[parents[unit]] |= below[unit]
    totals = {
        unit: sum(own[(u, s)] for u in below[unit] for s in ("", *SEGMENTS)) for unit in parents
    }
    cells = {
        (unit, segment): sum(own[(u, segment)] for u in below[unit])
        for unit in parents
        for segment in SEGMENTS
    }
    return parents, totals, cells


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=crossed_networks(), threshold=st.integers(min_value=1, max_value=6))
def test_the_crossed_gate_hides_exactly_what_the_straightforward_rule_hides(
    network, threshold
) -> None:
    parents, totals, cells = network
    assert gate.release_crossed(parents, totals, cells, threshold) == (
        reference_release_crossed(parents, totals, cells, threshold)
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=crossed_networks(), threshold=st.integers(min_value=2, max_value=6))
def test_the_crossed_gate_agrees_on_counts_that_are_not_subtree_sums(network, threshold) -> None:
    # Hand-made inputs need not add up; the pruning of empty groups must not matter then.
    parents, totals, cells = network
    uneven = {key: (count if (key[0] + len(key[1])) % 3 else 0) for key, count in cells.items()}
    assert gate.release_crossed(parents, totals, uneven, threshold) == (
        reference_release_crossed(parents, totals, uneven, threshold)
    )
