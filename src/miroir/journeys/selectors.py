"""Reads of journeys and their moments, and the gates of the journey editor."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from miroir.collect.models import Wave, WaveKind
from miroir.instruments.models import Item
from miroir.journeys.models import Journey, JourneyKind, Moment, Stage
from miroir.org.models import RoleKind
from miroir.org.selectors import Scope

EDITOR_ROLES = frozenset({RoleKind.ADMINISTRATOR, RoleKind.DIRECTION})

# Moments offered where a customer event is recorded (kiosk, posters, voices, hot waves):
# those of customer journeys, and the older ones outside any journey.
CUSTOMER_MOMENTS = Q(journey__isnull=True) | Q(journey__kind=JourneyKind.CUSTOMER)


def moments_active() -> QuerySet[Moment]:
    """Return the active customer moments in journey order."""
    return Moment.objects.filter(CUSTOMER_MOMENTS, is_active=True).order_by("order", "code")


def moments_by_stage(*, active_only: bool = True) -> dict[str, list[Moment]]:
    """Return the customer moments grouped by stage, stages in order (before, during, after)."""
    moments = (
        moments_active()
        if active_only
        else Moment.objects.filter(CUSTOMER_MOMENTS).order_by("order", "code")
    )
    grouped: dict[str, list[Moment]] = {stage: [] for stage in Stage.values}
    for moment in moments:
        grouped[moment.stage].append(moment)
    return grouped


def moment_codes() -> set[str]:
    """Return the codes of every moment, active or not (old answers may use retired ones)."""
    return set(Moment.objects.values_list("code", flat=True))


def journeys_can_view(scope: Scope) -> bool:
    """Return whether the scope may read journeys (anyone with units to browse, tokens too)."""
    return scope.can_browse


def journeys_can_edit(scope: Scope) -> bool:
    """Return whether the scope may create and change journeys (direction, administrators)."""
    return bool(EDITOR_ROLES & scope.roles)


def journeys_list(*, active_only: bool = False) -> QuerySet[Journey]:
    """Return the journeys, customer journeys first."""
    journeys = Journey.objects.order_by("kind", "code")
    return journeys.filter(is_active=True) if active_only else journeys


def access_journey(scope: Scope, journey_id: object, *, write: bool = False) -> Journey:
    """Return the journey; 403 without the right to read (or to change, with ``write``)."""
    if not journeys_can_view(scope) or (write and not journeys_can_edit(scope)):
        raise PermissionDenied("Not allowed to read or change journeys")
    try:
        return Journey.objects.get(pk=int(str(journey_id)))
    except (Journey.DoesNotExist, ValueError):
        raise Http404("No such journey") from None


def access_moment(scope: Scope, journey: Journey, moment_id: object) -> Moment:
    """Return the moment of ``journey`` (404 if it is another journey's), for editors."""
    if not journeys_can_edit(scope):
        raise PermissionDenied("Not allowed to change journeys")
    try:
        return Moment.objects.get(pk=int(str(moment_id)), journey=journey)
    except (Moment.DoesNotExist, ValueError):
        raise Http404("No such moment") from None


@dataclass
class MomentLinks:
    """A moment with what speaks of it: questionnaire items and hot waves triggered by it."""

    moment: Moment
    items: list[tuple[str, str]] = field(default_factory=list)  # (questionnaire slug, item code)
    hot_waves: list[str] = field(default_factory=list)  # wave names


def journey_stages(journey: Journey, *, active_only: bool = True) -> dict[str, list[MomentLinks]]:
    """Return the journey's moments by stage (before, during, after), each with its links."""
    moments = list(journey.moments.order_by("order", "code"))
    if active_only:
        moments = [moment for moment in moments if moment.is_active]
    links = {moment.pk: MomentLinks(moment) for moment in moments}
    items = Item.objects.filter(moment__in=moments).select_related("instrument")
    for item in items.order_by("instrument__slug", "order"):
        links[item.moment_id].items.append((item.instrument.slug, item.code))
    by_code = {moment.code: links[moment.pk] for moment in moments}
    hot = Wave.objects.filter(kind=WaveKind.HOT).exclude(hot_moments=[]).order_by("name")
    for name, hot_moments in hot.values_list("name", "hot_moments"):
        for code in hot_moments or []:
            if code in by_code:
                by_code[code].hot_waves.append(name)
    grouped: dict[str, list[MomentLinks]] = {stage: [] for stage in Stage.values}
    for moment in moments:
        grouped[moment.stage].append(links[moment.pk])
    return grouped
