"""The organisation's tree as the results read it: every unit, its parent, path and subtree.

Read in one query (``tree_read``) and kept by ``engine.keep`` until the units table changes
(``tree_fingerprint``). Its ``signature`` is part of every release's key: a unit added,
removed or moved makes new releases.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum
from django.db.models.functions import Length

from miroir.org.models import Unit
from miroir.results.figures import UnitRef


@dataclass
class Tree:
    refs: dict[int, UnitRef]
    parents: dict[int, int | None]
    lineage: dict[int, tuple[int, ...]]
    paths: dict[int, str]
    # Changes whenever a unit is added, removed or moved: kept releases follow the tree.
    # A digest, the same in every process (shared releases are found by it).
    signature: str = ""
    children: dict[int, list[int]] = field(default_factory=dict)
    # How many units each unit's subtree holds, itself included.
    sizes: dict[int, int] = field(default_factory=dict)

    def descendants(self, unit: Unit, levels: int | None) -> list[UnitRef]:
        """Return the unit and its subtree down ``levels`` levels (None: all), in path order."""
        if unit.pk not in self.refs:
            return []
        found, stack = [], [(unit.pk, 0)]
        while stack:
            pk, depth = stack.pop()
            found.append(self.refs[pk])
            if levels is None or depth < levels:
                stack.extend((child, depth + 1) for child in self.children.get(pk, ()))
        return sorted(found, key=lambda ref: self.paths[ref.id])


def tree_read() -> Tree:
    """Return the tree read from the units table (one query)."""
    refs: dict[int, UnitRef] = {}
    parents: dict[int, int | None] = {}
    lineage: dict[int, tuple[int, ...]] = {}
    paths: dict[int, str] = {}
    children: dict[int, list[int]] = {}
    for pk, parent, path, depth, name, kind in Unit.objects.values_list(
        "pk", "parent_id", "path", "depth", "name", "kind"
    ):
        refs[pk] = UnitRef(pk, name, kind, depth, parent)
        parents[pk] = parent
        paths[pk] = path
        lineage[pk] = tuple(int(part) for part in path.strip("/").split("/") if part)
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    signature = hashlib.sha256(repr(sorted(paths.items())).encode()).hexdigest()
    sizes: dict[int, int] = {}
    for ancestors in lineage.values():
        for ancestor in ancestors:
            sizes[ancestor] = sizes.get(ancestor, 0) + 1
    return Tree(refs, parents, lineage, paths, signature, children, sizes)


def tree_fingerprint() -> tuple[Any, ...]:
    """Return what changes whenever a unit is added, removed, renamed or moved (one query)."""
    return tuple(
        Unit.objects.aggregate(
            count=Count("pk"),
            last=Max("pk"),
            changed=Max("updated_at"),
            depths=Sum("depth"),
            paths=Sum(Length("path")),
        ).values()
    )
