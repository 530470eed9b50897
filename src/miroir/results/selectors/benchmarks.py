"""A unit's position among comparable units of the network: percentile ranks, gated.

Read through ``miroir.results.selectors`` only (every figure has passed the gate, for
the current reader): for each lens of ``BENCHMARK_LENSES`` and each dimension, the
unit's score is ranked among the units of the same kind (shops among shops) of the
whole network and, when the unit sits in a region, of its region. The scores of the
units compared are computed once per release and kept with it (``peer_scores``), so
that a view ranks its unit without reading the whole network's figures again.

Rules (docs/anonymity.md, "Benchmarks"):
- only units whose figure the gate shows count; a hidden figure is never ranked nor
  ranked against;
- a percentile over few units tells too much about the others (over three shops, "100"
  says both others scored lower): the rank is shown only over at least
  ``benchmark_minimum()`` units with a visible figure, the unit included, and is
  otherwise hidden with the one marker;
- the unit's own hidden figure has no rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from miroir.analytics import AnalyticsError
from miroir.analytics.benchmarks import percentile_rank
from miroir.org.models import Lens, Unit, UnitKind
from miroir.org.selectors import unit_ancestors
from miroir.results import gate
from miroir.results.figures import Subject
from miroir.results.periods import Period
from miroir.results.selectors.units import peer_scores, unit_results

BENCHMARK_LENSES = (Lens.EMPLOYEE, Lens.CUSTOMER)
# Never fewer units than this, whatever the anonymity threshold.
BENCHMARK_FLOOR = 5


def benchmark_minimum() -> int:
    """Return the fewest units with a visible figure a percentile is shown over."""
    return max(BENCHMARK_FLOOR, gate.score_threshold(Lens.EMPLOYEE))


@dataclass(frozen=True)
class Rank:
    """The unit's rank in one comparison group; ``percentile`` None when hidden."""

    group: str  # "network" or "region"
    percentile: float | None
    compared: int | None  # units with a visible figure, the unit included; None if hidden

    @property
    def suppressed(self) -> bool:
        return self.percentile is None


@dataclass(frozen=True)
class Position:
    """A unit's score on one lens's dimension, with its ranks."""

    lens: str
    subject: Subject
    score: float | None  # None: the unit's own figure is hidden
    low: float | None
    high: float | None
    network: Rank
    region: Rank | None  # None when the unit is in no region


def _groups(unit: Unit) -> list[tuple[str, Unit]]:
    ancestors = unit_ancestors(unit)
    root = ancestors[0] if ancestors else unit
    groups = [("network", root)]
    region = next((a for a in reversed(ancestors) if a.kind == UnitKind.REGION), None)
    if region is not None and region.pk != root.pk:
        groups.append(("region", region))
    return groups


def _rank(group: str, scores: dict[int, float], unit: Unit, minimum: int) -> Rank:
    own = scores.get(unit.pk)
    if own is None:
        return Rank(group, None, None)
    try:
        return Rank(
            group, percentile_rank(list(scores.values()), own, minimum=minimum), len(scores)
        )
    except AnalyticsError:
        return Rank(group, None, None)


def unit_benchmarks(*, unit: Unit, period: Period, today: date | None = None) -> list[Position]:
    """Return the unit's position on each dimension of each lens, among its kind's units."""
    minimum = benchmark_minimum()
    groups = _groups(unit)
    positions = []
    for lens in BENCHMARK_LENSES:
        own = unit_results(
            unit=unit,
            lens=lens,
            period=period,
            subject="dimension",
            levels=0,
            today=today,
            with_change=False,
        )
        by_group = {
            name: peer_scores(top=top, kind=unit.kind, lens=lens, period=period, today=today)
            for name, top in groups
        }
        for figure in own.for_unit(unit.pk):
            statistic = None if figure.suppressed else figure.statistic("score")
            if statistic is not None and statistic.value is None:
                statistic = None
            visible = statistic is not None
            ranks = {
                name: _rank(name, by_group[name].get(figure.subject.code, {}), unit, minimum)
                if visible
                else Rank(name, None, None)
                for name, _top in groups
            }
            positions.append(
                Position(
                    lens=lens,
                    subject=figure.subject,
                    score=statistic.value if statistic is not None else None,
                    low=statistic.low if statistic is not None else None,
                    high=statistic.high if statistic is not None else None,
                    network=ranks["network"],
                    region=ranks.get("region"),
                )
            )
    return positions
