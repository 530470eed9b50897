"""Publication to employees and partners: what a manager published, and who reads it.

A manager publishes a unit's results of one period (``services.publication_publish``);
the members of that unit and of every unit below read them. What they read is computed
here, each time, by the same selectors as the result pages: the same gate, the unit alone
(no drill-down), no verbatims (they stay with managers), no change since the unpublished
previous period.

    publications_for(scope) -> QuerySet[Publication]        # live, on the member's path
    publications_exist_for(scope) -> bool                   # for the navigation
    access_publication(scope, publication_id) -> Publication  # 404 unless it may be read
    unit_publications(scope, unit) -> QuerySet[Publication] # managers: withdrawn ones too
    access_managed_publication(scope, publication_id) -> Publication  # 403/404, to withdraw
    publication_period(publication) -> Period | None        # None: released at another grain
    publication_lens(scope) -> str                          # the reader's own lens
    publication_results(publication, *, lens, today=None) -> PublishedResults
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from miroir.org.models import ContractType, Lens, Member, Unit
from miroir.org.selectors import Scope
from miroir.results.engine.context import results_reader
from miroir.results.figures import BarometerHeadline, Figure, MirrorSymmetry, PublishedResults
from miroir.results.models import Publication
from miroir.results.periods import Period, PeriodError, period_parse, release_grain
from miroir.results.selectors.access import results_can_view
from miroir.results.selectors.comparisons import barometer_headline, experience_symmetry
from miroir.results.selectors.estimates import unit_estimates
from miroir.results.selectors.units import unit_results

_GRAIN_LABELS = {
    "month": r"^[0-9]{4}-[0-9]{2}$",
    "quarter": r"^[0-9]{4}-Q[1-4]$",
    "year": r"^[0-9]{4}$",
}


def _publications_live() -> QuerySet[Publication]:
    # A label of another grain could be subtracted from the figures released now: it is
    # shown to nobody once the grain has changed (docs/anonymity.md, "Periods").
    return Publication.objects.filter(
        withdrawn_at__isnull=True, period__regex=_GRAIN_LABELS[release_grain()]
    )


def _member_path(scope: Scope) -> list[int]:
    """Return the ids from the root down to the scope's member's unit (empty: no member)."""
    if scope.member_id is None:
        return []
    path = (
        Member.objects.filter(pk=scope.member_id, is_active=True)
        .values_list("unit__path", flat=True)
        .first()
    )
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def publications_for(scope: Scope) -> QuerySet[Publication]:
    """Return the live publications a member reads: their unit's and its ancestors', newest first.

    Whoever the member is (employee, partner or manager), never those of another branch.
    """
    return (
        _publications_live()
        .filter(unit_id__in=_member_path(scope))
        .select_related("unit", "published_by__member")
        .order_by("-published_at", "-pk")
    )


def publications_exist_for(scope: Scope) -> bool:
    """Return whether anything is published to the scope's member (the navigation's link)."""
    path = _member_path(scope)
    return bool(path) and _publications_live().filter(unit_id__in=path).exists()


def access_publication(scope: Scope, publication_id: Any) -> Publication:
    """Return a live publication the scope may read; 404 otherwise, whatever the reason.

    Its readers are the members below its unit, and whoever may read the unit's results
    (its managers, the direction), to see what their people see.
    """
    try:
        publication = (
            _publications_live()
            .select_related("unit", "published_by__member")
            .get(pk=int(publication_id))
        )
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise Http404("No such publication") from None
    if publication.unit_id in _member_path(scope) or (
        results_can_view(scope) and scope.contains(publication.unit)
    ):
        results_reader(scope)  # its figures, to a member of the unit: above the threshold
        return publication
    raise Http404("No such publication")


def unit_publications(scope: Scope, unit: Unit) -> QuerySet[Publication]:
    """Return every publication of a unit the scope manages, withdrawn ones too, newest first."""
    if not results_can_view(scope) or not scope.contains(unit):
        return Publication.objects.none()
    return (
        Publication.objects.filter(unit=unit)
        .select_related("published_by__member", "withdrawn_by__member")
        .order_by("-published_at", "-pk")
    )


def publication_period(publication: Publication) -> Period | None:
    """Return the period a publication names, or None when it is not at the release grain."""
    try:
        return period_parse(publication.period)
    except PeriodError:
        return None


def publication_lens(scope: Scope) -> str:
    """Return the lens a reader speaks through: partner for partners, else employee."""
    if scope.member_id is not None:
        contract = (
            Member.objects.filter(pk=scope.member_id)
            .values_list("contract_type", flat=True)
            .first()
        )
        if contract == ContractType.PARTNER:
            return Lens.PARTNER
    return Lens.EMPLOYEE


def _unchanged(figure: Figure) -> Figure:
    """Return the figure without its changes since the previous (unpublished) period."""
    return replace(
        figure, statistics=tuple(replace(stat, change=None) for stat in figure.statistics)
    )


def _without_change(figure: Figure | None) -> Figure | None:
    return None if figure is None else _unchanged(figure)


def publication_results(
    publication: Publication, *, lens: str, today: date | None = None
) -> PublishedResults:
    """Return what a publication shows a reader of ``lens`` (employee or partner).

    The published unit alone (``levels=0``), through the same selectors and gate as
    the result pages: a hidden figure is the marker here too.
    """
    if lens not in (Lens.EMPLOYEE, Lens.PARTNER):
        raise ValueError("a publication is read through the employee or the partner lens")
    period = publication_period(publication)
    if period is None:
        raise Http404("No such publication")
    unit = publication.unit
    own = unit_results(
        unit=unit, lens=lens, period=period, levels=0, today=today, with_change=False
    )
    customer = unit_results(
        unit=unit, lens=Lens.CUSTOMER, period=period, levels=0, today=today, with_change=False
    )
    experience = tuple(
        MirrorSymmetry(
            row.mirror,
            {code: _unchanged(figure) for code, figure in row.figures.items()},
            row.gaps,
        )
        for row in experience_symmetry(unit=unit, period=period, today=today)
    )
    headline = barometer_headline(unit=unit, period=period, today=today)
    barometer = BarometerHeadline(
        _without_change(headline.suggestions), _without_change(headline.complaints), headline.gap
    )
    return PublishedResults(
        unit_id=unit.pk,
        period=period.label,
        lens=lens,
        own=own,
        customer=customer,
        experience=experience,
        barometer=barometer,
        estimates=tuple(unit_estimates(unit=unit, period=period)),
    )


def access_managed_publication(scope: Scope, publication_id: Any) -> Publication:
    """Return a publication (withdrawn ones too) whose unit the scope manages.

    403 without results rights, 404 for a publication outside the scope or unknown.
    """
    if not results_can_view(scope):
        raise PermissionDenied("Publications are managed by managers and the direction")
    try:
        publication = Publication.objects.select_related("unit").get(pk=int(publication_id))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise Http404("No such publication") from None
    if not scope.contains(publication.unit):
        raise Http404("No such publication")
    return publication
