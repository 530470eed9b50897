"""Reads of journeys and their moments, and the gates of the journey editor."""

from __future__ import annotations

import copy
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from miroir.collect.models import Wave, WaveKind
from miroir.instruments.models import Item
from miroir.journeys.models import (
    Journey,
    JourneyKind,
    MapPublication,
    MapPublicationStatus,
    MapReceipt,
    MapResponse,
    MapWave,
    MapWaveStatus,
    Moment,
    PainPoint,
    Stage,
)
from miroir.org.models import Lens, Member, Role, RoleKind, Unit
from miroir.org.selectors import Scope
from miroir.results import gate
from miroir.results.periods import period_parse

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


# -- satisfaction maps ------------------------------------------------------------------------


def map_waves_can_manage(scope: Scope) -> bool:
    """Return whether the scope may create and run map waves (direction, administrators)."""
    return journeys_can_edit(scope)


def access_map_wave(scope: Scope, wave_id: object) -> MapWave:
    """Return the map wave if the scope reaches its unit (404 otherwise, 403 for members)."""
    if not scope.can_browse:
        raise PermissionDenied("Map waves are for managers and the direction")
    try:
        wave = MapWave.objects.select_related("journey", "unit").get(pk=int(str(wave_id)))
    except (MapWave.DoesNotExist, ValueError):
        raise Http404("No such map wave") from None
    if not _reaches(scope, wave):
        raise Http404("No such map wave")
    return wave


def _reaches(scope: Scope, wave: MapWave) -> bool:
    # A manager of a unit inside the wave's subtree reaches it too (for their unit's map).
    return scope.contains(wave.unit) or (
        Unit.objects.filter(scope.unit_filter(), path__startswith=wave.unit.path).exists()
    )


def map_waves_visible(scope: Scope) -> QuerySet[MapWave]:
    """Return the map waves over a unit the scope reaches, or holding one it reaches."""
    waves = MapWave.objects.select_related("journey", "unit").order_by("-created_at")
    if scope.everything:
        return waves
    reachable = [wave.pk for wave in waves if _reaches(scope, wave)]
    return waves.filter(pk__in=reachable)


def map_access_unit(scope: Scope, wave: MapWave, unit_id: object) -> Unit:
    """Return a unit of the wave's subtree the scope reaches (404 otherwise)."""
    try:
        unit = Unit.objects.get(pk=int(str(unit_id)), path__startswith=wave.unit.path)
    except (Unit.DoesNotExist, ValueError):
        raise Http404("No such unit in this map wave") from None
    if not scope.contains(unit):
        raise Http404("No such unit in this map wave")
    return unit


@dataclass(frozen=True)
class MapSeat:
    """How a member answers a map wave: the lens and the unit the answer counts for."""

    lens: str
    unit: Unit
    member: Member


def map_seat(wave: MapWave, user: object) -> MapSeat | None:
    """Return how ``user`` answers ``wave``, or None when it is not theirs to answer.

    A manager answers as management for the unit they manage inside the wave's subtree
    (their estimate of what their team will say); everybody else of the subtree answers
    as an employee for their own unit.
    """
    member = (
        Member.objects.select_related("unit")
        .filter(user=user, is_active=True, user__isnull=False)
        .first()
    )
    if member is None:
        return None
    role = (
        Role.objects.filter(
            member=member, kind=RoleKind.MANAGER, unit__path__startswith=wave.unit.path
        )
        .select_related("unit")
        .order_by("unit__depth")
        .first()
    )
    if role is not None and role.unit is not None:
        return MapSeat(Lens.MANAGEMENT, role.unit, member)
    if member.unit.path.startswith(wave.unit.path) and member.contract_type != "partner":
        return MapSeat(Lens.EMPLOYEE, member.unit, member)
    return None


def map_receipt_hash(wave: MapWave, member: Member) -> str:
    """Return the keyed digest that says "already answered" without saying who or what."""
    key = settings.SECRET_KEY.encode()
    message = f"map:{wave.public_id}:{member.pk}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def map_waves_to_answer(user: object) -> list[MapWave]:
    """Return the open map waves ``user`` may answer and has not answered yet."""
    waves = []
    for wave in MapWave.objects.filter(status=MapWaveStatus.OPEN).select_related("unit"):
        seat = map_seat(wave, user)
        if seat is None:
            continue
        digest = map_receipt_hash(wave, seat.member)
        if not MapReceipt.objects.filter(wave=wave, member_hash=digest).exists():
            waves.append(wave)
    return waves


def map_moments(wave: MapWave) -> list[Moment]:
    """Return the active moments of the wave's journey, in stage and journey order."""
    stages = {stage: index for index, stage in enumerate(Stage.values)}
    moments = wave.journey.moments.filter(is_active=True)
    return sorted(moments, key=lambda m: (stages[m.stage], m.order, m.code))


def access_map_unit(scope: Scope, wave: MapWave, unit_id: object) -> Unit:
    """Return a unit of the wave's subtree whose map the scope may read (404 otherwise)."""
    if not scope.can_browse:
        raise PermissionDenied("Maps are read by managers; teams read them once published")
    return map_access_unit(scope, wave, unit_id)


def map_publication_of(wave: MapWave, unit: Unit) -> MapPublication | None:
    """Return the publication of ``unit``'s maps at the wave's close, if any."""
    return MapPublication.objects.filter(wave=wave, unit=unit).first()


def map_publications_for(user: object) -> QuerySet[MapPublication]:
    """Return the published maps a member reads: those of their unit and the units above it."""
    member = Member.objects.filter(user=user, is_active=True, user__isnull=False).first()
    if member is None:
        return MapPublication.objects.none()
    path_ids = [*member.unit.ancestor_ids, member.unit_id]
    return (
        MapPublication.objects.filter(unit_id__in=path_ids, status=MapPublicationStatus.PUBLISHED)
        .select_related("wave__journey", "unit")
        .order_by("-published_at", "-id")
    )


def access_published_map(user: object, scope: Scope, publication_id: object) -> MapPublication:
    """Return a publication the user may read: on their path and published, or in their scope."""
    try:
        publication = MapPublication.objects.select_related("wave__journey", "unit").get(
            pk=int(str(publication_id))
        )
    except (MapPublication.DoesNotExist, ValueError):
        raise Http404("No such publication") from None
    if scope.can_browse and scope.contains(publication.unit):
        return publication
    if map_publications_for(user).filter(pk=publication.pk).exists():
        return publication
    raise Http404("No such publication")


def published_map_for(publication: MapPublication, user: object) -> dict[str, Any]:
    """Return the frozen maps of ``publication`` as ``user`` may read them.

    A reader counted in the unit's employees could take their own answers out of a figure:
    from them, a figure over no more than the threshold (the solutions: the verbatim
    threshold) is hidden, with the gaps drawn from it, as ``gate.hidden_from_member``
    does for results. The threshold is today's, never lower than at publication.
    """
    data: dict[str, Any] = copy.deepcopy(publication.snapshot)
    member = Member.objects.filter(user=user, is_active=True).select_related("unit").first()
    if member is None or not member.unit.path.startswith(publication.unit.path):
        return data
    wave = publication.wave
    scores = gate.score_threshold(Lens.EMPLOYEE, [wave.threshold_scores])
    texts = gate.verbatim_threshold(Lens.EMPLOYEE, [wave.threshold_verbatims])
    side = data.get("lenses", {}).get(Lens.EMPLOYEE)
    total = side.get("n") if side else None
    if side and total is not None and total <= scores:
        side.update(suppressed=True, n=None)
    for row in data.get("moments", []):
        figures = row.get(Lens.EMPLOYEE)
        if figures is not None and (figures.get("n") or 0) <= scores:
            row[Lens.EMPLOYEE] = None
            row.update(satisfaction_gap=None, truth_gap=None, one_sided=None)
    solutions = data.get("solutions")
    if solutions and (total is None or total <= texts):
        groups = []
        for group in solutions.get("groups", []):
            group[Lens.EMPLOYEE] = []
            group["convergent"] = False
            if group.get(Lens.MANAGEMENT):
                groups.append(group)
        solutions.update(groups=groups, employee_suppressed=True)
    return data


def pain_points_of(unit: Unit) -> QuerySet[PainPoint]:
    """Return the open pain points of a unit, with their moments."""
    return PainPoint.objects.filter(unit=unit, cleared_at__isnull=True).select_related("moment")


def units_with_maps(scope: Scope, wave: MapWave) -> list[Unit]:
    """Return the units of the wave's subtree, in the scope, that have maps to look at."""
    answered = MapResponse.objects.filter(wave=wave).values("unit")
    units = Unit.objects.filter(scope.unit_filter(), path__startswith=wave.unit.path)
    return list(units.filter(Q(pk__in=answered) | Q(pk=wave.unit_id)).order_by("path"))


def map_wave_for(*, unit: Unit, journey_code: str, period: str | None) -> MapWave:
    """Return the last closed map wave of the journey covering ``unit`` (in ``period``)."""
    waves = MapWave.objects.filter(
        journey__code=journey_code, status=MapWaveStatus.CLOSED, unit__in=[
            *unit.ancestor_ids, unit.pk
        ],
    ).select_related("journey", "unit")  # fmt: skip
    if period:
        # A PeriodError is a ValueError naming what is wrong with the period: it goes up as is.
        grain = "quarter" if "-Q" in period else "month" if "-" in period else "year"
        span = period_parse(period, grain=grain)
        waves = waves.filter(closed_at__date__gte=span.start, closed_at__date__lt=span.end)
    wave = waves.order_by("-closed_at", "-id").first()
    if wave is None:
        raise Http404("No closed map wave of this journey covers this unit in this period")
    return wave
