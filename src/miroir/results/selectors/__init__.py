"""Reads of the results: gated figures for units, lenses, subjects and periods.

PUBLIC INTERFACE (stable; pages, exports, charts, board and digest build on it)
==============================================================================
Every function returns frozen dataclasses of ``miroir.results.figures``; every number
in them has passed ``miroir.results.gate``. A hidden figure has ``suppressed=True`` and
``n``, ``dont_know``, ``statistics`` and ``distribution`` empty/None, whatever its base.
``today`` (default: the local date) fixes the daily snapshot of open waves. Periods
are ``periods.Period`` at the release grain (``periods.period_of``, ``period_parse``).

Several selectors for one page may share one reading of the data:
    with results_session(today=None): ...                 # optional, per request

Access (scoped like ``org``: a manager sees their subtree, direction and
administrators everything; employees and partners see only what was published to them, below):
    results_can_view(scope) -> bool
    access_results(scope, unit_id) -> Unit               # 404 outside scope, 403 no results rights
    results_periods(*, lens=None) -> list[Period]        # periods holding responses, oldest first
    results_subjects(*, lens, period, kind="item") -> list[Subject]

Figures (``subject``: "item" | "dimension" | "mirror"; ``segment``: None or
(attribute, value), e.g. ("contract_type", "permanent"); ``levels``: how many levels
below ``unit`` to include, 0 for the unit alone, None for its whole subtree):
    unit_results(*, unit, lens, period, subject="item", segment=None, levels=1,
                 today=None, with_change=True) -> Results
    unit_trend(*, unit, lens, periods, subject="item", today=None) -> list[Results]
    segment_results(*, unit, lens, period, subject="item", today=None) -> Results
        # one figure per segment value of the lens's attribute (Figure.segment set)

The three comparisons and the index:
    experience_symmetry(*, unit, period, today=None) -> list[MirrorSymmetry]
    perception_gaps(*, unit, period, versus="employee", today=None) -> list[PerceptionGap]
    listening_symmetry(*, unit, period, today=None) -> ListeningSymmetry
    barometer_headline(*, unit, period, today=None) -> BarometerHeadline
    unit_symmetry(*, unit, period, today=None) -> UnitSymmetry
    network_symmetry(*, unit, period, levels=1, today=None) -> list[UnitSymmetry]

Linkage across the units of one kind (default shops) under ``unit``:
    unit_linkage(*, unit, period, level="shop", periods=4, today=None) -> Linkage

A unit's position among the units of its kind (percentile ranks over visible figures,
hidden under ``benchmark_minimum()`` units):
    unit_benchmarks(*, unit, period, today=None) -> list[benchmarks.Position]

Verbatims (free-text answers; always through ``gate.verbatims``):
    unit_verbatims(*, unit, lens, period, item=None, today=None) -> gate.VerbatimRelease
    unit_comments(*, unit, lens, period, periods=(), query="", theme="", today=None)
        -> comments.Comments    # themes, sentiment, trend, search of analysed comments

Publication to employees and partners (``selectors.publications`` says more):
    publications_for(scope), publications_exist_for(scope), access_publication(scope, id),
    unit_publications(scope, unit), access_managed_publication(scope, id),
    publication_period(publication), publication_lens(scope),
    publication_results(publication, *, lens, today=None) -> PublishedResults

Statistic codes: ``mean`` (scale points), ``score`` (0-100), ``top_box``, ``top2_box``,
``csat`` (csat5 only), ``nps`` (nps only), each with ``low``/``high`` (95 %) and
``change`` (vs the previous period: value, interval, ``significant``, ``p_value``).

WHERE THINGS ARE
================
The modules of this package are split by what people read: ``access``, ``units`` (unit
results and trends), ``comparisons`` (experience, perception, listening, barometer,
index), ``linkage``, ``benchmarks``, ``verbatims``, ``comments``, ``publications``. They only read.
How a figure is computed (roll-ups, sums, the gate's decisions, statistics, what is kept
between requests and shared between processes) is ``miroir.results.engine``; the privacy
rules are ``miroir.results.gate``.
"""

from __future__ import annotations

from miroir.results.engine.context import (
    results_reader,
    results_reader_forget,
    results_session,
)
from miroir.results.selectors.access import (
    access_results,
    results_can_view,
)
from miroir.results.selectors.benchmarks import (
    benchmark_minimum,
    unit_benchmarks,
)
from miroir.results.selectors.comments import Comments, unit_comments
from miroir.results.selectors.comparisons import (
    BAROMETER_COMPLAINTS,
    BAROMETER_FAMILY,
    BAROMETER_SUGGESTIONS,
    barometer_headline,
    experience_symmetry,
    listening_symmetry,
    network_symmetry,
    perception_gaps,
    unit_symmetry,
)
from miroir.results.selectors.linkage import (
    unit_linkage,
)
from miroir.results.selectors.publications import (
    access_managed_publication,
    access_publication,
    publication_lens,
    publication_period,
    publication_results,
    publications_exist_for,
    publications_for,
    unit_publications,
)
from miroir.results.selectors.units import (
    results_periods,
    results_subjects,
    segment_results,
    segment_values,
    unit_results,
    unit_trend,
)
from miroir.results.selectors.verbatims import (
    unit_verbatims,
)

__all__ = [
    "BAROMETER_COMPLAINTS",
    "BAROMETER_FAMILY",
    "BAROMETER_SUGGESTIONS",
    "Comments",
    "access_managed_publication",
    "access_publication",
    "access_results",
    "barometer_headline",
    "benchmark_minimum",
    "experience_symmetry",
    "listening_symmetry",
    "network_symmetry",
    "perception_gaps",
    "publication_lens",
    "publication_period",
    "publication_results",
    "publications_exist_for",
    "publications_for",
    "results_can_view",
    "results_periods",
    "results_reader",
    "results_reader_forget",
    "results_session",
    "results_subjects",
    "segment_results",
    "segment_values",
    "unit_benchmarks",
    "unit_comments",
    "unit_linkage",
    "unit_publications",
    "unit_results",
    "unit_symmetry",
    "unit_trend",
    "unit_verbatims",
]
