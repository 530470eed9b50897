"""Response and invitation counts per unit, gated by the results' privacy gate.

For the lenses that speak for people of the organisation, every count shown on a page,
in the API or in an export — responses, invitations, and the response rate made of
them — goes through ``miroir.results.gate.release_tree``, the same complementary
suppression as the results, with the wave's score threshold (``results.gate`` keeps the
one rule and its thresholds). Responses and invitations are gated each as their own
family of nested groups: no difference of visible counts (parent minus children, the
scope's total minus its units) leaves a group of 1 to ``threshold - 1`` people. A rate
shows only where both its counts show, so it never reveals a hidden one.

The release is worked out over the whole audience of the wave, then cut to the reader's
scope: every reader sees part of one safe release, so two readers comparing their pages
learn nothing more than one reader who saw it all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from miroir.results.gate import hidden_from_member, release_tree

# The id of the row that stands for the whole audience (or a scope's total).
TOTAL_ID = 0


@dataclass
class CountRow:
    unit_id: int
    parent_id: int | None
    name: str
    depth: int
    invited: int
    responses: int
    # Responses at the unit itself, not below it (never shown).
    direct: int
    suppressed: bool = False
    invited_suppressed: bool = False

    @property
    def shown_responses(self) -> int | None:
        return None if self.suppressed else self.responses

    @property
    def shown_invited(self) -> int | None:
        return None if self.invited_suppressed else self.invited

    @property
    def rate(self) -> float | None:
        """Return the response rate, or None when either count is hidden or nobody was invited."""
        if self.suppressed or self.invited_suppressed or not self.invited:
            return None
        return min(1.0, self.responses / self.invited)

    @property
    def indent(self) -> str:
        return "· " * self.depth

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)


@dataclass(frozen=True)
class CountRelease:
    """The groups whose responses, and those whose invitations, may be shown."""

    responses: frozenset[int]
    invited: frozenset[int]


def release_counts(
    parents: Mapping[int, int | None],
    responses: Mapping[int, int],
    invited: Mapping[int, int],
    threshold: int | None,
) -> CountRelease:
    """Return which groups' counts may be shown; ``threshold`` None shows everything (customers).

    ``parents`` maps each unit to the one above it (``TOTAL_ID`` for the audience's tops,
    None for the total itself); counts cover each unit's whole subtree.
    """
    if threshold is None:
        everything = frozenset(parents)
        return CountRelease(everything, everything)
    return CountRelease(
        responses=release_tree(parents, responses, threshold),
        invited=release_tree(parents, invited, threshold),
    )


def apply_release(rows: list[CountRow], release: CountRelease) -> list[CountRow]:
    """Return the rows with ``suppressed`` and ``invited_suppressed`` set from the release."""
    for row in rows:
        row.suppressed = row.unit_id not in release.responses
        row.invited_suppressed = row.unit_id not in release.invited
    return rows


def _sum_row(tops: list[CountRow]) -> CountRow:
    """Return a total row adding up ``tops``, hidden where any of them is."""
    return CountRow(
        unit_id=TOTAL_ID,
        parent_id=None,
        name="",
        depth=0,
        invited=sum(row.invited for row in tops),
        responses=sum(row.responses for row in tops),
        direct=0,
        suppressed=any(row.suppressed for row in tops),
        invited_suppressed=any(row.invited_suppressed for row in tops),
    )


def scope_total(tops: list[CountRow], *, whole: CountRow | None) -> CountRow:
    """Return the total row of a scope whose top units are ``tops``.

    A reader who sees the whole audience gets the audience's row (``whole``), gated with
    the rest. Otherwise the total is the sum of the tops, shown only when each of them is:
    then it adds nothing a reader could not add up, and it never uncovers a hidden top.
    """
    return whole if whole is not None else _sum_row(tops)


def whole_row(every: list[CountRow]) -> CountRow:
    """Return the audience's row, before gating: the sum of the rows under ``TOTAL_ID``."""
    return _sum_row([row for row in every if row.parent_id == TOTAL_ID])


@dataclass
class ScopedCounts:
    """What one reader sees: the rows of the scope, its total, and its top rows."""

    rows: list[CountRow]
    total: CountRow
    tops: list[CountRow]


def counts_for_scope(
    every: list[CountRow],
    whole: CountRow,
    in_scope: set[int],
    threshold: int | None,
    reader_lineage: Sequence[int] = (),
) -> ScopedCounts:
    """Return the gated rows a scope sees of the audience's rows ``every``.

    ``whole`` is the audience's row (``TOTAL_ID``, parent of the tops); ``in_scope`` the
    ids of the units the reader may see. The gate runs over the whole audience first.
    ``reader_lineage`` (bottom-up, ending with ``TOTAL_ID``) lists the groups the reader
    may be counted in: they know whether they answered, so a group holding them shows
    its responses only above the threshold (``gate.hidden_from_member``, as the results).
    """
    family = [whole, *every]
    release = release_counts(
        {row.unit_id: row.parent_id for row in family},
        {row.unit_id: row.responses for row in family},
        {row.unit_id: row.invited for row in family},
        threshold,
    )
    apply_release(family, release)
    if threshold is not None and reader_lineage:
        by_id = {row.unit_id: row for row in family}
        children: dict[int, list[int]] = {}
        for row in family:
            if row.parent_id is not None:
                children.setdefault(row.parent_id, []).append(row.unit_id)
        hidden = hidden_from_member(
            children,
            [unit_id for unit_id in reader_lineage if unit_id in by_id],
            lambda unit_id: by_id[unit_id].responses,
            lambda unit_id: not by_id[unit_id].suppressed,
            threshold,
        )
        for unit_id in hidden:
            by_id[unit_id].suppressed = True
    rows = [row for row in every if row.unit_id in in_scope]
    # A scope is made of whole subtrees: a row starts one when its parent is outside.
    tops = [row for row in rows if row.parent_id not in in_scope]
    total = scope_total(tops, whole=whole if len(rows) == len(every) else None)
    return ScopedCounts(rows=rows, total=total, tops=tops)
