"""Response counts per unit, with small counts hidden.

For the lenses that speak for people of the organisation, a count under the wave's
threshold is never shown: the row says "fewer than N", whatever the hidden count.
A hidden count must not be recoverable by subtraction either (parent minus the
visible children), so when a group of siblings would leave exactly one small count
to be deduced, the smallest visible sibling is hidden too. The privacy gate of the
analytics will take this over for scores; counts are the only figure shown here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CountRow:
    unit_id: int
    parent_id: int | None
    name: str
    depth: int
    invited: int
    responses: int
    # Responses at the unit itself, not below it: it is never shown, so it can hide
    # a small count only a subtraction would reveal.
    direct: int
    suppressed: bool = False

    @property
    def shown_responses(self) -> int | None:
        return None if self.suppressed else self.responses

    @property
    def rate(self) -> float | None:
        """Return the response rate, or None when hidden or nobody was invited."""
        if self.suppressed or not self.invited:
            return None
        return min(1.0, self.responses / self.invited)

    @property
    def indent(self) -> str:
        return "· " * self.depth

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)


def suppress_small_counts(rows: list[CountRow], threshold: int) -> list[CountRow]:
    """Return the rows with ``suppressed`` set on every count that must not be shown."""
    for row in rows:
        row.suppressed = row.responses < threshold
    children: dict[int, list[CountRow]] = {}
    by_id = {row.unit_id: row for row in rows}
    for row in rows:
        if row.parent_id in by_id:
            children.setdefault(row.parent_id, []).append(row)
    changed = True
    while changed:
        changed = False
        for parent_id, group in children.items():
            parent = by_id[parent_id]
            if parent.suppressed:
                continue
            unshown = [row.responses for row in group if row.suppressed]
            if parent.direct:
                unshown.append(parent.direct)
            visible = [row for row in group if not row.suppressed]
            if len(unshown) == 1 and 0 < unshown[0] < threshold and visible:
                min(visible, key=lambda row: (row.responses, row.unit_id)).suppressed = True
                changed = True
    return rows
