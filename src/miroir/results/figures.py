"""The gated figures selectors return: plain frozen dataclasses, safe to render or serialise.

A hidden figure has ``suppressed`` True and every number None, whatever its base: the
one marker of ``gate.SUPPRESSED``. Values are never rounded here (display rounds).
Units: ``mean`` in the scale's own points, ``score`` the mean on 0-100 (0 the scale's
worst end), shares (``top_box``, ``top2_box``, ``csat``) from 0 to 1, ``nps`` in points
from -100 to 100. Every statistic carries its 95 % interval and, where a previous
period exists, its change with interval and significance flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from miroir.analytics.linkage import (
    Correlation,
    Guardrails,
    LaggedLinkage,
    Regression,
    RelativeWeights,
)
from miroir.analytics.multiplicity import Correction
from miroir.analytics.reliability import Reliability
from miroir.analytics.symmetry import SymmetryIndex
from miroir.results.listening import VoiceListening

SubjectKind = Literal["item", "dimension", "mirror"]
StatisticCode = Literal["mean", "score", "top_box", "top2_box", "csat", "nps"]
STATISTICS: tuple[StatisticCode, ...] = ("mean", "score", "top_box", "top2_box", "csat", "nps")


@dataclass(frozen=True)
class Change:
    """The change since ``previous`` (this period minus the previous one), with its interval."""

    previous: str
    value: float | None
    low: float | None
    high: float | None
    significant: bool
    p_value: float | None
    method: str


@dataclass(frozen=True)
class Statistic:
    """One statistic of a figure with its interval; ``change`` None without a previous figure."""

    code: StatisticCode
    value: float | None
    low: float | None
    high: float | None
    change: Change | None = None


@dataclass(frozen=True)
class Subject:
    """What a figure is about: an item, a dimension (its items pooled on 0-100) or a mirror."""

    kind: SubjectKind
    code: str
    label_fr: str
    label_en: str
    # Items only: the item's id and scale.
    item_id: int | None = None
    scale: str | None = None
    # Mirrors: the mirror's code; dimensions and items: their dimension code.
    dimension: str = ""
    mirror: str = ""

    def label(self, language: str | None) -> str:
        return self.label_en if (language or "fr")[:2] == "en" and self.label_en else self.label_fr


@dataclass(frozen=True)
class Figure:
    """One gated cell: a unit x lens x subject x period (x segment)."""

    unit_id: int
    lens: str
    subject: Subject
    period: str
    segment: tuple[str, str] | None
    suppressed: bool
    n: int | None
    dont_know: int | None
    statistics: tuple[Statistic, ...] = ()
    # Point scales: {value: answers}; choice scales: {option code: answers}.
    distribution: tuple[tuple[str, int], ...] | None = None

    def statistic(self, code: str) -> Statistic | None:
        """Return the statistic ``code`` (None when hidden or not defined for the scale)."""
        return next((stat for stat in self.statistics if stat.code == code), None)


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    kind: str
    depth: int
    parent_id: int | None


@dataclass(frozen=True)
class Results:
    """A table of figures for some units, one lens and one period, with what it rests on.

    ``threshold`` is the score threshold applied; ``as_of`` the last day included (an
    open wave's daily snapshot) or None when everything so far is included.
    """

    lens: str
    period: str
    segment: tuple[str, str] | None
    threshold: int
    as_of: date | None
    units: tuple[UnitRef, ...]
    figures: tuple[Figure, ...]

    def for_unit(self, unit_id: int) -> list[Figure]:
        return [figure for figure in self.figures if figure.unit_id == unit_id]

    def figure(self, unit_id: int, code: str) -> Figure | None:
        return next(
            (f for f in self.figures if f.unit_id == unit_id and f.subject.code == code), None
        )


@dataclass(frozen=True)
class Gap:
    """A difference between two gated figures (points of 0-100), or None when either is hidden."""

    value: float | None
    low: float | None
    high: float | None
    significant: bool
    p_value: float | None


@dataclass(frozen=True)
class MirrorSymmetry:
    """Experience symmetry on one mirror: each lens's score and the gaps with customers.

    ``gaps`` maps ``employee`` and ``partner`` to customer minus that lens (0-100 points).
    """

    mirror: Subject
    figures: dict[str, Figure]
    gaps: dict[str, Gap]


@dataclass(frozen=True)
class PerceptionGap:
    """Management's estimate minus what ``versus`` (employees or customers) say, on a mirror."""

    mirror: Subject
    versus: str
    management: Figure
    actual: Figure
    gap: Gap


@dataclass(frozen=True)
class LensListening:
    """How intensely one lens was listened to in a period, within a unit's subtree.

    ``invited``: invitations sent (None when hidden by the gate, as for responses);
    ``people``: members who could be invited (None for customers, who are not counted as
    a population); ``per_person``: invitations per person (None with ``invited``);
    ``responses``/``response_rate``: None when hidden by the gate (or, for the rate, when
    nobody was invited or the invitations are hidden); ``voices``: None when no voice
    source is registered.
    """

    lens: str
    invited: int | None
    people: int | None
    per_person: float | None
    responses: int | None
    response_rate: float | None
    voices: VoiceListening | None = None


@dataclass(frozen=True)
class ListeningSymmetry:
    """Listening figures per lens and the employee/customer ratio of each (None if unknown)."""

    unit_id: int
    period: str
    lenses: dict[str, LensListening]
    ratios: dict[str, float | None]


@dataclass(frozen=True)
class BarometerHeadline:
    """The barometer's pair, top box of employees: suggestions listened to vs complaints heard.

    Items are found in the ``barometre-service`` catalog's questionnaire (mirrors
    ``suggestions`` and ``reclamations``); None when it was never asked.
    """

    suggestions: Figure | None
    complaints: Figure | None
    gap: Gap | None


@dataclass(frozen=True)
class UnitSymmetry:
    """A unit's symmetry index with every component and what fed it."""

    unit_id: int
    period: str
    index: SymmetryIndex
    experience_gaps: dict[str, float]
    perception_gaps: dict[str, float]
    listening: ListeningSymmetry


@dataclass(frozen=True)
class UnitFlag:
    """A unit's experience gap (customer minus employee index) and whether it is flagged."""

    unit_id: int
    gap: float
    p_value: float
    adjusted_p_value: float
    flagged: bool


@dataclass(frozen=True)
class Linkage:
    """Employee index vs customer index across the units of one level, with its guardrails.

    A part that could not be computed is None, and ``problems`` says why: a reason code
    (``miroir.analytics.TOO_FEW_UNITS``…) that ``miroir.results.reasons.reason_text`` turns
    into a sentence in the reader's language, never the error's own text.
    """

    level: str
    period: str
    units: int
    pearson: Correlation | None
    spearman: Correlation | None
    regression: Regression | None
    lagged: LaggedLinkage | None
    drivers: RelativeWeights | None
    reliability_employee: Reliability | None
    reliability_customer: Reliability | None
    guardrails: Guardrails
    flags: tuple[UnitFlag, ...]
    correction: Correction | None
    problems: dict[str, str] = field(default_factory=dict)
    # The figures behind it, per unit id: (employee index, customer index, respondents).
    points: dict[int, tuple[float, float, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedResults:
    """What a publication shows its readers: one unit, one period, nothing below or before.

    ``own``: the questions of the reader's lens (employee or partner) at the unit alone;
    ``customer``: the customers' questions there; ``experience``: the mirrors side by side;
    ``barometer``: the "listened to" pair. Changes since the previous period are left out
    (that period was not published). Every figure comes from the gated selectors.
    """

    unit_id: int
    period: str
    lens: str
    own: Results
    customer: Results
    experience: tuple[MirrorSymmetry, ...]
    barometer: BarometerHeadline
    # The unit's own manager's attributed estimates (``selectors.estimates.Estimate``).
    estimates: tuple[Any, ...] = ()
