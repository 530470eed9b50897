"""From tallies to figures: estimates, intervals, changes, and pooled 0-100 indices.

Everything here reads a gated release (``engine.release``) and nothing else: a figure of
a group the gate hides is the one marker (``hidden``) whatever is behind it. An item's
figure carries every statistic its scale defines (``tally_estimates``); a dimension or
an index pools several point-scale items after moving each to 0-100 with ``OnHundred``,
the one 0-100 transform of answers (the respondents' index in ``engine.respondents``
uses it too; ``analytics.estimates.on_100`` is the same line applied to an estimate).
Figures are computed once per release (``Release.kept``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from miroir.analytics import estimates
from miroir.instruments.models import Item
from miroir.instruments.scales import SCALES, NpsScale, PointScale, Scale
from miroir.results.engine.release import Release
from miroir.results.engine.tally import Tally
from miroir.results.figures import Change, Figure, Statistic, StatisticCode, Subject
from miroir.results.periods import Period


@dataclass(frozen=True)
class OnHundred:
    """The line moving a point scale's answers to 0-100: 0 its worst end, 100 its best.

    A scale where low is better (``ces5``) is reversed. Its methods take plain numbers,
    NumPy arrays and SQL expressions alike, so every place that moves answers to 0-100
    moves them the same way.
    """

    bottom: float
    top: float
    higher_is_better: bool

    @property
    def k(self) -> float:
        return 100.0 / (self.top - self.bottom)

    def value(self, x: Any) -> Any:
        """Return one answer (or an expression of one) moved to 0-100."""
        if self.higher_is_better:
            return (x - self.bottom) * self.k
        return (self.top - x) * self.k

    def sums(self, n: Any, total: Any, squares: Any) -> tuple[Any, Any]:
        """Return Σx' and Σx'² of ``n`` answers moved to 0-100, from their Σx and Σx².

        Numbers, or NumPy arrays of them (one element per unit).
        """
        k, bottom, top = self.k, self.bottom, self.top
        if self.higher_is_better:
            # x' = k(x - bottom): Σx' = k(Σx - n·bottom), Σx'² = k²(Σx² - 2·bottom·Σx + n·bottom²)
            moved = k * (total - n * bottom)
            moved_squares = k * k * (squares - 2 * bottom * total + n * bottom * bottom)
        else:
            moved = k * (n * top - total)
            moved_squares = k * k * (n * top * top - 2 * top * total + squares)
        return moved, moved_squares


@functools.cache
def on_100(scale_code: str) -> OnHundred:
    """Return the 0-100 line of a point scale."""
    scale = SCALES[scale_code]()
    values = scale.values()
    return OnHundred(min(values), max(values), scale.higher_is_better)


@functools.cache
def scale_of(scale_code: str) -> Scale:
    """Return the scale named ``scale_code`` (one instance per process)."""
    return SCALES[scale_code]()


def counts(tally: Tally, scale: Scale) -> dict[Any, int]:
    """Return the distribution of a tally on its scale (None: "don't know")."""
    counts: dict[Any, int] = {value: tally.values[value] for value in scale.values()}
    if tally.dont_know and scale.supports_dont_know:
        counts[None] = tally.dont_know
    return counts


def tally_estimates(tally: Tally, scale_code: str) -> dict[StatisticCode, estimates.Estimate]:
    """Return every estimate the scale defines, from a tally (nothing hidden here).

    Straight from the stored sums and value counts (the roll-up's columns), without
    rebuilding a distribution: a page asks for thousands of these.
    """
    scale = scale_of(scale_code)
    found: dict[StatisticCode, estimates.Estimate] = {}
    if not scale.is_numeric:
        return found
    n, dont_know, values = tally.n, tally.dont_know, tally.values
    mean = estimates.mean_from_sums(
        n=n, total=tally.total, total_squares=tally.total_squares, dont_know=dont_know
    )
    found["mean"] = mean
    if isinstance(scale, PointScale):
        found["score"] = estimates.on_100(mean, scale=scale_code)

    def share(boxes: Iterable[int]) -> estimates.ShareEstimate:
        count = sum(values[value] for value in boxes)
        return estimates.share_from_counts(count=count, n=n, dont_know=dont_know)

    if scale.top_values:
        found["top_box"] = share(scale.top_values)
    if scale.top2_values:
        found["top2_box"] = share(scale.top2_values)
    if scale_code == "csat5":
        found["csat"] = share((4, 5))
    if isinstance(scale, NpsScale):
        found["nps"] = estimates.nps_from_buckets(
            promoters=values[9] + values[10],
            passives=values[7] + values[8],
            detractors=sum(values[0:7]),
        )
    return found


def _change(
    before: estimates.Estimate | None, after: estimates.Estimate, label: str
) -> Change | None:
    if before is None or before.n == 0 or after.n == 0:
        return None
    difference = estimates.change(before, after)
    return Change(
        previous=label,
        value=difference.value,
        low=difference.low,
        high=difference.high,
        significant=difference.significant,
        p_value=difference.p_value,
        method=difference.method,
    )


def statistics(
    now: dict[StatisticCode, estimates.Estimate],
    before: dict[StatisticCode, estimates.Estimate] | None,
    previous_label: str,
) -> tuple[Statistic, ...]:
    stats = []
    for code, estimate in now.items():
        change = _change(before.get(code), estimate, previous_label) if before else None
        stats.append(Statistic(code, estimate.value, estimate.low, estimate.high, change))
    return tuple(stats)


def hidden(unit_id: int, lens: str, subject: Subject, period: Period, segment: Any) -> Figure:
    """Return the marker of a figure the gate hides: nothing of what is behind it."""
    return Figure(unit_id, lens, subject, period.label, segment, True, None, None, (), None)


def item_subject(item: Item, kind: str = "item") -> Subject:
    """Return what an item's figures are about: the item, or its mirror."""
    if kind == "mirror" and item.mirror is not None:
        mirror = item.mirror
        return Subject(
            "mirror",
            mirror.code,
            mirror.title_fr,
            mirror.title_en or mirror.title_fr,
            item_id=item.pk,
            scale=item.scale,
            dimension=mirror.dimension,
            mirror=mirror.code,
        )
    return Subject(
        "item",
        item.code,
        item.text_fr,
        item.text_en or item.text_fr,
        item_id=item.pk,
        scale=item.scale,
        dimension=item.dimension,
        mirror=item.mirror.code if item.mirror else "",
    )


def item_figure(
    release: Release,
    previous: Release | None,
    item: Item,
    unit_id: int,
    subject: Subject,
    segment: tuple[str, str] | None = None,
) -> Figure:
    """Return one item's gated figure at a unit (a segment cell when ``segment`` is given)."""
    key = ("item", item.pk, unit_id, subject, segment, previous.serial if previous else None)
    return release.kept(
        key, lambda: compute_item_figure(release, previous, item, unit_id, subject, segment)
    )


def compute_item_figure(
    release: Release,
    previous: Release | None,
    item: Item,
    unit_id: int,
    subject: Subject,
    segment: tuple[str, str] | None,
) -> Figure:
    if segment is None:
        visible = release.shows(item.pk, unit_id)
        tally = release.tally(item.pk, unit_id) if visible else None
    else:
        visible = release.shows_cell(item.pk, unit_id, segment[1])
        tally = release.cell(item.pk, unit_id, segment[1]) if visible else None
    if not visible or tally is None:
        return hidden(unit_id, release.lens, subject, release.period, segment)
    before = None
    if previous is not None:
        if segment is None:
            old = previous.tally(item.pk, unit_id) if previous.shows(item.pk, unit_id) else None
        else:
            value = segment[1]
            shown = previous.shows_cell(item.pk, unit_id, value)
            old = previous.cell(item.pk, unit_id, value) if shown else None
        if old is not None:
            before = tally_estimates(old, item.scale)
    scale = scale_of(item.scale)
    if scale.is_numeric:
        distribution = tuple((str(value), tally.values[value]) for value in scale.values())
    else:
        distribution = tuple(sorted(tally.choices.items()))
    return Figure(
        unit_id=unit_id,
        lens=release.lens,
        subject=subject,
        period=release.period.label,
        segment=segment,
        suppressed=False,
        n=tally.n,
        dont_know=tally.dont_know,
        statistics=statistics(
            tally_estimates(tally, item.scale), before, release.period.previous().label
        ),
        distribution=distribution,
    )


@dataclass
class Pooled:
    """Answers of several point-scale items moved to 0-100 and pooled (a dimension, an index)."""

    n: int = 0
    dont_know: int = 0
    total: float = 0.0
    total_squares: float = 0.0
    top: int = 0
    top2: int = 0
    top2_n: int = 0

    def add(self, tally: Tally, scale_code: str) -> None:
        scale = scale_of(scale_code)
        n = tally.n
        total, squares = on_100(scale_code).sums(n, tally.total, tally.total_squares)
        self.n += n
        self.dont_know += tally.dont_know
        self.total += total
        self.total_squares += max(squares, 0.0)
        self.top += sum(tally.values[value] for value in scale.top_values)
        if scale.top2_values:
            self.top2 += sum(tally.values[value] for value in scale.top2_values)
            self.top2_n += n

    def estimates(self) -> dict[StatisticCode, estimates.Estimate]:
        if self.n == 0:
            return {}
        found: dict[StatisticCode, estimates.Estimate] = {
            "score": estimates.mean_from_sums(
                n=self.n,
                total=self.total,
                total_squares=self.total_squares,
                dont_know=self.dont_know,
            ),
            "top_box": estimates.share_from_counts(count=self.top, n=self.n),
        }
        if self.top2_n:
            found["top2_box"] = estimates.share_from_counts(count=self.top2, n=self.top2_n)
        return found


def point_items(items: Iterable[Item]) -> list[Item]:
    """Return the items on a point scale (those an index or a dimension pools)."""
    return [item for item in items if issubclass(SCALES[item.scale], PointScale)]


def pooled(release: Release, items: Sequence[Item], unit_id: int) -> Pooled | None:
    """Return the items pooled at a unit, or None when any item answered there is hidden."""
    found = Pooled()
    for item in items:
        tally = release.tally(item.pk, unit_id)
        if tally is None or tally.n == 0:
            continue
        if not release.shows(item.pk, unit_id):
            return None
        found.add(tally, item.scale)
    return found if found.n else None


def pooled_many(
    release: Release, items: Sequence[Item], unit_ids: Sequence[int]
) -> list[Pooled | None]:
    """Return ``pooled`` for many units at once (vectorised: linkage pools every shop)."""
    ids = np.asarray(unit_ids, dtype=np.int64)
    sums = np.zeros((len(ids), 7))  # n, don't know, Σx', Σx'², top, top-2, top-2 base
    concealed = np.zeros(len(ids), dtype=bool)
    for item in items:
        packed = release.totals.get(item.pk)
        if packed is None or not len(packed.keys) or not len(ids):
            continue
        at = np.minimum(np.searchsorted(packed.keys, ids), len(packed.keys) - 1)
        whole, moments = packed.whole[at], packed.moments[at]
        answered = (packed.keys[at] == ids) & (whole[:, 0] > 0)
        concealed |= answered & ~packed.shown[at]
        n = np.where(answered, whole[:, 0], 0).astype(float)
        sx = np.where(answered, moments[:, 0], 0.0)
        sxx = np.where(answered, moments[:, 1], 0.0)
        scale = scale_of(item.scale)
        total, squares = on_100(item.scale).sums(n, sx, sxx)
        sums[:, 0] += n
        sums[:, 1] += np.where(answered, whole[:, 1], 0)
        sums[:, 2] += total
        sums[:, 3] += np.maximum(squares, 0.0)
        sums[:, 4] += np.where(answered, whole[:, [2 + v for v in scale.top_values]].sum(1), 0)
        if scale.top2_values:
            top2 = whole[:, [2 + v for v in scale.top2_values]].sum(1)
            sums[:, 5] += np.where(answered, top2, 0)
            sums[:, 6] += n
    found: list[Pooled | None] = []
    for row, is_hidden in zip(sums.tolist(), concealed.tolist(), strict=True):
        if is_hidden or row[0] == 0:
            found.append(None)
            continue
        found.append(
            Pooled(
                n=round(row[0]),
                dont_know=round(row[1]),
                total=row[2],
                total_squares=row[3],
                top=round(row[4]),
                top2=round(row[5]),
                top2_n=round(row[6]),
            )
        )
    return found


def pooled_scores(
    release: Release, items: Sequence[Item], unit_ids: Sequence[int]
) -> dict[int, float]:
    """Return the 0-100 score of ``items`` pooled at each unit whose figure the gate shows.

    The ``score`` of ``pooled_figure`` for many units at once (``pooled_many``): units
    whose pooled figure is hidden, or has no score, are left out.
    """
    found: dict[int, float] = {}
    for unit_id, pool in zip(unit_ids, pooled_many(release, items, unit_ids), strict=True):
        if pool is None:
            continue
        score = pool.estimates()["score"].value
        if score is not None:
            found[unit_id] = score
    return found


def pooled_figure(
    release: Release,
    previous: Release | None,
    items: Sequence[Item],
    unit_id: int,
    subject: Subject,
) -> Figure:
    """Return the figure of ``items`` pooled on 0-100 at a unit (a dimension, a mirror)."""
    members = tuple(item.pk for item in items)
    key = ("pooled", members, unit_id, subject, previous.serial if previous else None)
    return release.kept(
        key, lambda: compute_pooled_figure(release, previous, items, unit_id, subject)
    )


def compute_pooled_figure(
    release: Release,
    previous: Release | None,
    items: Sequence[Item],
    unit_id: int,
    subject: Subject,
) -> Figure:
    found = pooled(release, items, unit_id)
    if found is None:
        return hidden(unit_id, release.lens, subject, release.period, None)
    before = None
    if previous is not None:
        old = pooled(previous, items, unit_id)
        before = old.estimates() if old is not None else None
    return Figure(
        unit_id=unit_id,
        lens=release.lens,
        subject=subject,
        period=release.period.label,
        segment=None,
        suppressed=False,
        n=found.n,
        dont_know=found.dont_know,
        statistics=statistics(found.estimates(), before, release.period.previous().label),
        distribution=None,
    )


def dimension_subjects(items: Sequence[Item]) -> list[tuple[Subject, list[Item]]]:
    """Return each dimension of the point-scale ``items`` with the items it pools."""
    from miroir.instruments.dimensions import DIMENSIONS

    grouped: dict[str, list[Item]] = {}
    for item in point_items(items):
        grouped.setdefault(item.dimension, []).append(item)
    subjects = []
    for code, members in grouped.items():
        meta = DIMENSIONS.get(code)
        label_fr = _dimension_label(meta, "fr") or code
        label_en = _dimension_label(meta, "en") or label_fr
        subjects.append((Subject("dimension", code, label_fr, label_en, dimension=code), members))
    return subjects


def _dimension_label(meta: Any, language: str) -> str:
    return str(getattr(meta, language, "") or "") if meta is not None else ""
