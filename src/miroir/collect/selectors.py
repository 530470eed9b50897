"""Reads of the collection: waves in scope, respondent links, counts with small ones hidden."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from miroir.collect.counts import TOTAL_ID, CountRow, counts_for_scope, whole_row
from miroir.collect.errors import (
    AlreadyAnswered,
    InvitationExpired,
    UnknownLink,
    WaveClosed,
    WaveNotOpen,
    WrongUnit,
)
from miroir.collect.models import (
    ROLE_UNIT_KINDS,
    AudienceRole,
    ContactOptOut,
    Invitation,
    Kiosk,
    Pulse,
    Response,
    ResponseAttribute,
    Wave,
    WaveStatus,
)
from miroir.collect.pulses import Schedule, upcoming
from miroir.collect.tokens import contact_hash, token_hash, token_looks_valid
from miroir.collect.wavecache import wave_and_unit, wave_view
from miroir.instruments.models import Item
from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Member, Role, RoleKind, Unit, UnitKind
from miroir.org.selectors import Scope
from miroir.results.gate import release_tree

EDITOR_ROLES = frozenset({RoleKind.ADMINISTRATOR, RoleKind.DIRECTION})


def waves_can_view(scope: Scope) -> bool:
    """Return whether the scope may see waves (direction, administrators, managers)."""
    return scope.can_browse


def waves_can_edit(scope: Scope) -> bool:
    """Return whether the scope may create, launch and close waves."""
    return bool(EDITOR_ROLES & scope.roles)


def _overlapping(items: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    """Return the waves or pulses of ``items`` whose audience overlaps the scope."""
    if scope.everything:
        return items.all()
    if not scope.paths:
        return items.none()
    overlap = Q()
    for path in scope.paths:
        # The audience lies inside the scope, or the scope inside the audience.
        ancestors = [int(part) for part in path.strip("/").split("/") if part]
        overlap |= Q(units__path__startswith=path) | Q(units__pk__in=ancestors)
    return items.filter(overlap).distinct()


def waves_in_scope(scope: Scope, *, status: str = "", kind: str = "") -> QuerySet[Wave]:
    """Return the waves whose audience overlaps the scope, newest first (of a status, a kind)."""
    waves = Wave.objects.select_related("instrument", "pulse")
    if status:
        waves = waves.filter(status=status)
    if kind:
        waves = waves.filter(kind=kind)
    return _overlapping(waves, scope)


def pulses_in_scope(scope: Scope) -> QuerySet[Pulse]:
    """Return the pulses whose audience overlaps the scope, newest first."""
    return _overlapping(Pulse.objects.select_related("instrument"), scope)


def _access(items: QuerySet[Any], scope: Scope, item_id: Any, *, write: bool) -> Any:
    """Return the wave or pulse ``item_id`` of ``items``: 404 out of scope, 403 to change it."""
    if not waves_can_view(scope):
        raise PermissionDenied("Not allowed to see waves")
    try:
        found = items.get(pk=int(item_id))
    except (items.model.DoesNotExist, TypeError, ValueError):
        raise Http404("No such wave or pulse") from None
    if write and not waves_can_edit(scope):
        raise PermissionDenied("Only administrators and direction manage waves")
    return found


def pulse_schedule(pulse: Pulse) -> Schedule:
    """Return the schedule of the pulse, in the site's time zone."""
    return Schedule(
        starts_on=pulse.starts_on,
        opens_at_time=pulse.opens_at_time,
        every_weeks=pulse.every_weeks,
        open_days=pulse.open_days,
        time_zone=settings.TIME_ZONE,
        ends_on=pulse.ends_on,
    )


def access_pulse(scope: Scope, pulse_id: Any, *, write: bool = False) -> Pulse:
    """Return the pulse if the scope reaches it; 404 when it doesn't, 403 to change it."""
    return _access(pulses_in_scope(scope), scope, pulse_id, write=write)


def access_wave(scope: Scope, wave_id: Any, *, write: bool = False) -> Wave:
    """Return the wave if the scope reaches it; 404 when it doesn't, 403 to change it."""
    return _access(waves_in_scope(scope), scope, wave_id, write=write)


def wave_audience_filter(wave: Wave | Pulse, prefix: str = "") -> Q:
    """Return a Q keeping the units (or rows whose ``prefix`` leads to a unit) of the audience.

    A pulse's audience reads the same way as a wave's.
    """
    query = Q(**{f"{prefix}pk__in": []})
    for path in wave.units.values_list("path", flat=True):
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def wave_reaches_unit(wave: Wave, unit: Unit) -> bool:
    """Return whether ``unit`` lies in one of the wave's audience subtrees."""
    return wave_view(wave).reaches(unit)


def respondent_items(wave: Wave) -> list[Item]:
    """Return the items the wave's lens answers, in the order the respondent sees them."""
    return list(wave_view(wave).items)


def contact_opted_out(
    *, email: str | None = None, phone: str | None = None, also: tuple[str, ...] = ()
) -> bool:
    """Return whether this customer address (or a digest in ``also``) asked for no more."""
    digests = [d for d in (contact_hash(email=email), contact_hash(phone=phone), *also) if d]
    return bool(digests) and ContactOptOut.objects.filter(contact_hash__in=digests).exists()


@dataclass
class Target:
    """Where a submission goes: the wave, the unit, and the invitation of a personal link."""

    wave: Wave
    unit: Unit
    invitation: Invitation | None = None
    # How a submission without invitation came: "link" (open link, QR poster) or "kiosk".
    via: str = "link"
    # The journey moment named by the link, kept only where the wave allows it.
    moment: str | None = None

    @property
    def channel(self) -> str:
        return self.invitation.channel if self.invitation else self.via

    @property
    def language(self) -> str:
        return self.invitation.respondent_language() if self.invitation else self.wave.language


def invitation_by_token(token: str) -> Invitation | None:
    """Return the invitation a token was issued for, or None for an unknown one."""
    if not token_looks_valid(token):
        return None
    return (
        Invitation.objects.select_related("wave__instrument", "unit", "member")
        .filter(tokens__token_hash=token_hash(token))
        .first()
    )


def target_for_token(token: str) -> Target:
    """Return the target of a personal link; ``UnknownLink`` for a forged or purged token."""
    invitation = invitation_by_token(token)
    if invitation is None or invitation.wave.status == WaveStatus.DRAFT:
        raise UnknownLink
    # A hot invitation knows the moment of the interaction that caused it.
    moment = invitation.moment if wave_keeps_moment(invitation.wave) else None
    return Target(wave=invitation.wave, unit=invitation.unit, invitation=invitation, moment=moment)


def estimate_author(target: Target) -> Member | None:
    """Return the manager a submission to ``target`` is attributed to, or None (anonymous).

    Management's estimate is an attributed professional judgement when
    ``MIROIR_ESTIMATE_ATTRIBUTED`` is on (read at answer time): the estimate a manager
    gives through their own link for a unit they manage keeps them as its author. Every
    other response — employees, partners, customers, open links, the setting off — keeps
    no author (docs/anonymity.md).
    """
    invitation = target.invitation
    if (
        target.wave.lens != Lens.MANAGEMENT
        or not settings.MIROIR_ESTIMATE_ATTRIBUTED
        or invitation is None
        or invitation.member_id is None
    ):
        return None
    # A manager of that unit, or the direction for the top of the organisation.
    manages = Q(kind=RoleKind.MANAGER, unit=target.unit)
    if target.unit.parent_id is None:
        manages |= Q(kind=RoleKind.DIRECTION)
    attributed = Role.objects.filter(manages, member_id=invitation.member_id).exists()
    return invitation.member if attributed else None


# What an attributed estimate is called, by the kind of unit it speaks of.
ESTIMATE_LABELS = {
    UnitKind.COMPANY: gettext_lazy("the direction's estimate"),
    UnitKind.REGION: gettext_lazy("the regional estimate"),
    UnitKind.AREA: gettext_lazy("the area's estimate"),
}


def estimate_label(unit: Unit) -> str:
    """Return what a manager's attributed estimate for ``unit`` is called (translated)."""
    return str(ESTIMATE_LABELS.get(unit.kind, gettext_lazy("the manager's estimate")))


def wave_by_public_id(public_id: Any) -> Wave:
    """Return the wave a respondent URL names; ``UnknownLink`` for none."""
    try:
        return Wave.objects.select_related("instrument").get(public_id=uuid.UUID(str(public_id)))
    except (Wave.DoesNotExist, ValueError, TypeError, AttributeError):
        raise UnknownLink from None


def wave_keeps_moment(wave: Wave) -> bool:
    """Return whether the wave's responses keep the journey moment their link names."""
    return ResponseAttribute.MOMENT in wave.attributes


def link_moment(wave: Wave, code: Any) -> str | None:
    """Return the moment code to keep for a link naming ``code`` (None: nothing to keep).

    An unknown moment is a broken link (``UnknownLink``); a known one on a wave that
    does not keep moments is accepted and dropped.
    """
    if not code:
        return None
    if not isinstance(code, str) or not Moment.objects.filter(code=code).exists():
        raise UnknownLink
    return code if wave_keeps_moment(wave) else None


def _unit_target(public_id: Any, unit_id: Any, *, via: str, moment: Any) -> Target:
    """Return the target of an open link or a kiosk, from one read of the wave and the unit.

    The wave's row is read on every call, so a wave closed a moment ago refuses at once;
    what cannot change once it is launched comes from ``wavecache``.
    """
    wave, unit = wave_and_unit(public_id, unit_id)
    if wave is None or wave.status == WaveStatus.DRAFT:
        raise UnknownLink
    if not (wave.open_links if via == "link" else "kiosk" in wave.channels):
        raise UnknownLink
    view = wave_view(wave)
    wave._state.fields_cache["instrument"] = view.instrument
    if unit is None or not view.reaches(unit):
        raise WrongUnit
    return Target(wave=wave, unit=unit, via=via, moment=link_moment(wave, moment))


def target_for_open_link(public_id: Any, unit_id: Any, *, moment: Any = None) -> Target:
    """Return the target of an open link; ``UnknownLink`` or ``WrongUnit`` when it has none."""
    return _unit_target(public_id, unit_id, via="link", moment=moment)


def target_for_kiosk(public_id: Any, unit_id: Any, *, moment: Any = None) -> Target:
    """Return the target of a kiosk: a wave listing the ``kiosk`` channel, and its unit.

    Whether the device may act as this kiosk (its signed key) is the view's check.
    """
    return _unit_target(public_id, unit_id, via="kiosk", moment=moment)


def kiosk_by_key(key: str | None, *, public_id: Any, unit_id: Any) -> Kiosk | None:
    """Return the kiosk a key was issued for, if it is this wave's and unit's and not revoked.

    Read on every answer a tablet sends (a revoked kiosk is refused at once), as a plain
    statement rather than a compiled query.
    """
    if not key or not token_looks_valid(key):
        return None
    try:
        wave_uuid = uuid.UUID(str(public_id))
        unit_pk = int(unit_id)
    except (ValueError, TypeError, AttributeError):
        return None
    public = Wave._meta.get_field("public_id").get_db_prep_value(wave_uuid, connection)
    found = Kiosk.objects.raw(_KIOSK_BY_KEY, [token_hash(key), public, unit_pk])
    return next(iter(found), None)


_KIOSK_BY_KEY = (
    f"SELECT k.* FROM {Kiosk._meta.db_table} k "  # noqa: S608 (our own table names)
    f"JOIN {Wave._meta.db_table} w ON w.id = k.wave_id "
    "WHERE k.key_hash = %s AND w.public_id = %s AND k.unit_id = %s AND k.revoked_at IS NULL"
)


def kiosks_in_scope(wave: Wave, scope: Scope) -> list[Kiosk]:
    """Return the wave's kiosks whose unit the scope reaches, oldest first."""
    kiosks = Kiosk.objects.filter(Q(wave=wave) & scope.unit_filter("unit__"))
    return list(
        kiosks.select_related("unit", "issued_by", "revoked_by").order_by("issued_at", "pk")
    )


def access_kiosk(scope: Scope, wave: Wave, kiosk_id: Any) -> Kiosk:
    """Return the wave's kiosk if its unit is in the scope; 404 otherwise."""
    try:
        return Kiosk.objects.select_related("unit").get(
            Q(wave=wave, pk=uuid.UUID(str(kiosk_id))) & scope.unit_filter("unit__")
        )
    except (Kiosk.DoesNotExist, ValueError):
        raise Http404("No such kiosk") from None


def target_check(target: Target, *, now: datetime) -> None:
    """Raise why the target cannot take an answer now; return quietly when it can."""
    wave = target.wave
    if wave.status == WaveStatus.SCHEDULED or (wave.opens_at and wave.opens_at > now):
        raise WaveNotOpen
    if wave.status == WaveStatus.CLOSED or wave.closes_at <= now:
        raise WaveClosed
    invitation = target.invitation
    if invitation is not None:
        # Whether a member's link was used is nobody's business (docs/anonymity.md): for
        # the organisation's lenses a used link looks unused, its form shows and a new
        # submission is acknowledged but stores nothing (``services.response_submit``).
        if invitation.used and not wave.protects_identity:
            raise AlreadyAnswered
        if invitation.expires_at is not None and invitation.expires_at <= now:
            raise InvitationExpired


def links_export_open(wave: Wave, *, now: datetime) -> bool:
    """Return whether the personal-links file may be downloaded now.

    Only for handing the links out before answers arrive: while the wave is scheduled, and
    on the day it opens. The rule reads the wave's dates only, never its answers, so a
    refusal says nothing of who answered or when.
    """
    if "link" not in wave.channels:
        return False
    if wave.status == WaveStatus.SCHEDULED:
        return True
    if wave.status != WaveStatus.OPEN or wave.opens_at is None:
        return False
    return timezone.localdate(now) <= timezone.localdate(wave.opens_at)


def invitations_for_links(wave: Wave) -> QuerySet[Invitation]:
    """Return the wave's personal links to hand over, by unit then name."""
    return (
        Invitation.objects.filter(wave=wave, channel="link", member__isnull=False)
        .select_related("member", "unit")
        .order_by("unit__path", "member__last_name", "member__first_name", "pk")
    )


@dataclass
class WaveCounts:
    """Invitations and responses per unit of the audience within a scope."""

    wave: Wave
    rows: list[CountRow]
    threshold: int | None
    # The last day counted: open waves of the organisation's lenses show a daily snapshot.
    as_of: date | None
    total: CountRow | None = None
    top_ids: list[int] = field(default_factory=list)


def _snapshot_day(wave: Wave, today: date) -> date | None:
    """Return the last day an open wave's counts include (None: everything so far)."""
    if wave.protects_identity and wave.status == WaveStatus.OPEN:
        return date.fromordinal(today.toordinal() - 1)
    return None


def _reader_lineage(wave: Wave, scope: Scope, audience_ids: set[int]) -> list[int]:
    """Return the groups of the wave's counts the scope's member may be counted in, bottom-up.

    Empty when the reader is no member, or answers for another lens than the wave's
    (management estimates are attributed, customers are not counted by identity).
    """
    if scope.member_id is None:
        return []
    member = (
        Member.objects.filter(pk=scope.member_id, unit__isnull=False).select_related("unit").first()
    )
    if member is None or member.lens != wave.lens:
        return []
    units = [*member.unit.ancestor_ids, member.unit_id]
    return [unit_id for unit_id in reversed(units) if unit_id in audience_ids] + [TOTAL_ID]


def wave_counts(wave: Wave, scope: Scope, *, today: date) -> WaveCounts:
    """Return the counts per unit that the scope may see, gated like the results.

    Counts cover each unit's whole subtree. The gate runs over the wave's whole audience
    (``counts.release_counts``), then the rows are cut to the scope. For customers
    nothing is hidden.
    """
    audience = list(Unit.objects.filter(wave_audience_filter(wave)).order_by("path"))
    in_scope = set(
        Unit.objects.filter(wave_audience_filter(wave) & scope.unit_filter()).values_list(
            "pk", flat=True
        )
    )
    as_of = _snapshot_day(wave, today)
    responses = Response.objects.filter(wave=wave)
    if as_of is not None:
        responses = responses.filter(submitted_on__lte=as_of)
    invited = dict(Invitation.objects.filter(wave=wave).values_list("unit").annotate(n=Count("id")))
    answered = dict(responses.values_list("unit").annotate(n=Count("id")))
    counted_ids = set(invited) | set(answered)
    paths = dict(Unit.objects.filter(pk__in=counted_ids).values_list("pk", "path"))
    invited_total: dict[int, int] = {}
    answered_total: dict[int, int] = {}
    for unit_id in counted_ids:
        for ancestor in (int(part) for part in paths[unit_id].strip("/").split("/")):
            invited_total[ancestor] = invited_total.get(ancestor, 0) + invited.get(unit_id, 0)
            answered_total[ancestor] = answered_total.get(ancestor, 0) + answered.get(unit_id, 0)
    audience_ids = {unit.pk for unit in audience}
    # The audience's tops hang under one row (TOTAL_ID), gated with them: the total
    # minus the visible tops must not reveal a hidden one.
    every = [
        CountRow(
            unit_id=unit.pk,
            parent_id=unit.parent_id if unit.parent_id in audience_ids else TOTAL_ID,
            name=unit.name,
            depth=unit.depth,
            invited=invited_total.get(unit.pk, 0),
            responses=answered_total.get(unit.pk, 0),
            direct=answered.get(unit.pk, 0),
        )
        for unit in audience
    ]
    whole = whole_row(every)
    threshold = wave.threshold_scores if wave.protects_identity else None
    scoped = counts_for_scope(
        every, whole, in_scope, threshold, _reader_lineage(wave, scope, audience_ids)
    )
    rows, total = scoped.rows, scoped.total
    min_depth = min((row.depth for row in rows), default=0)
    for row in rows:
        row.depth -= min_depth
    return WaveCounts(
        wave=wave,
        rows=rows,
        threshold=threshold,
        as_of=as_of,
        total=total,
        top_ids=[row.unit_id for row in scoped.tops],
    )


def wave_totals(waves: list[Wave], scope: Scope, *, today: date) -> dict[int, WaveCounts]:
    """Return the counts of each wave within the scope, for lists."""
    return {wave.pk: wave_counts(wave, scope, today=today) for wave in waves}


def respondent_heading(*, unit: Unit) -> str:
    """Return the heading respondents see atop a survey: their organisation's name.

    The questionnaire's title and description are written for the people who run the
    survey (catalog names, methodological notes) and never reach respondents.
    """
    ancestors = unit.ancestor_ids
    if not ancestors:
        return unit.name
    # A plain statement: this runs on every form a respondent opens.
    with connection.cursor() as cursor:
        cursor.execute(_ROOT_NAME, [ancestors[0]])
        root = cursor.fetchone()
    return root[0] if root else unit.name


_ROOT_NAME = f"SELECT name FROM {Unit._meta.db_table} WHERE id = %s"  # noqa: S608


# Who a launch invites, and the preview of it ------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One invitation a launch creates, or (``channel`` None) one person no channel reaches."""

    member: Member
    unit: Unit
    channel: str | None


def _audience(source: Wave | Pulse) -> list[tuple[Member, Unit]]:
    """Return who the wave (or the pulse's next wave) invites, with the unit each answers for."""
    if source.lens == Lens.CUSTOMER:
        return []
    if source.lens == Lens.MANAGEMENT:
        return _managers(source)
    members = Member.objects.filter(
        wave_audience_filter(source, "unit__"), is_active=True, unit__is_active=True
    ).select_related("unit")
    if source.lens == Lens.PARTNER:
        members = members.filter(contract_type=ContractType.PARTNER)
    else:
        members = members.exclude(contract_type=ContractType.PARTNER)
        if source.contract_types:
            members = members.filter(contract_type__in=source.contract_types)
    return [(member, member.unit) for member in members.order_by("unit__path", "pk")]


def _managers(source: Wave | Pulse) -> list[tuple[Member, Unit]]:
    """Return the managers a management wave invites, each with the unit they estimate.

    Every manager of a unit in the wave's subtrees, or only those of the roles it names
    (``source.roles``): shop, area, regional, team managers by their unit's kind; the
    direction — the company's managers and the members with the direction role, who
    estimate for the top of the organisation when the wave covers it.
    """
    roles = Role.objects.filter(
        wave_audience_filter(source, "unit__"),
        kind=RoleKind.MANAGER,
        member__is_active=True,
        unit__is_active=True,
    )
    if source.roles:
        kinds = set().union(*(ROLE_UNIT_KINDS[role] for role in source.roles))
        roles = roles.filter(unit__kind__in=kinds)
    found = [
        (role.member, role.unit)
        for role in roles.select_related("member", "unit").order_by("unit__path", "member_id")
    ]
    if AudienceRole.DIRECTION in source.roles:
        tops = Unit.objects.filter(
            wave_audience_filter(source), parent__isnull=True, is_active=True
        )
        directors = Member.objects.filter(roles__kind=RoleKind.DIRECTION, is_active=True).order_by(
            "pk"
        )
        known = {(member.pk, unit.pk) for member, unit in found}
        for top in tops.order_by("path"):
            found += [(m, top) for m in directors if (m.pk, top.pk) not in known]
    return found


def _channel_for(channels: list[str], member: Member) -> str | None:
    """Return the first of the channels, in their order of preference, reaching ``member``."""
    from miroir.collect.channels import CHANNELS  # the channels read this module

    for code in channels:
        if code in CHANNELS and CHANNELS[code].reaches_member(member):
            return code
    return None


def audience_plan(source: Wave | Pulse) -> list[Planned]:
    """Return every invitation a launch of the wave (or of the pulse's next wave) creates.

    ``services.wave_launch`` creates exactly these; the audience preview counts them.
    """
    return [
        Planned(member=member, unit=unit, channel=_channel_for(source.channels, member))
        for member, unit in _audience(source)
    ]


# The key of the preview's row of people no channel reaches, and of the channels' total.
UNREACHABLE = ""
TOTAL_KEY = "*"


@dataclass
class ChannelCount:
    code: str  # UNREACHABLE for people no channel reaches
    label: str
    count: int
    suppressed: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.count


@dataclass
class AudiencePreview:
    """How many people a launch would invite, by unit and by channel, gated like wave counts."""

    rows: list[CountRow]
    total: CountRow
    channels: list[ChannelCount]
    threshold: int | None
    customers: bool = False


def audience_preview(source: Wave | Pulse, scope: Scope) -> AudiencePreview:
    """Return the preview of the invitations a launch creates, by unit and by channel.

    Read from ``audience_plan``, the launch's own list. These are counts of people per
    unit: like a wave's invitation counts they go through the results' gate over the
    whole audience (``counts_for_scope``), then are cut to the scope. The channels split
    the audience's total: they are gated as one more family under that total, which is
    hidden there too when the units hide it.
    """
    from django.utils.translation import gettext as _

    from miroir.collect.channels import CHANNELS  # the channels read this module

    plan = audience_plan(source)
    threshold = source.threshold_scores if source.lens != Lens.CUSTOMER else None
    audience = list(Unit.objects.filter(wave_audience_filter(source)).order_by("path"))
    in_scope = set(
        Unit.objects.filter(wave_audience_filter(source) & scope.unit_filter()).values_list(
            "pk", flat=True
        )
    )
    audience_ids = {unit.pk for unit in audience}
    invited: dict[int, int] = {}
    for planned in plan:
        if planned.channel is None:
            continue
        for ancestor in [*planned.unit.ancestor_ids, planned.unit.pk]:
            invited[ancestor] = invited.get(ancestor, 0) + 1
    every = [
        CountRow(
            unit_id=unit.pk,
            parent_id=unit.parent_id if unit.parent_id in audience_ids else TOTAL_ID,
            name=unit.name,
            depth=unit.depth,
            invited=invited.get(unit.pk, 0),
            responses=0,
            direct=0,
        )
        for unit in audience
    ]
    whole = whole_row(every)
    scoped = counts_for_scope(every, whole, in_scope, threshold)
    min_depth = min((row.depth for row in scoped.rows), default=0)
    for row in scoped.rows:
        row.depth -= min_depth
    by_channel: dict[str, int] = {code: 0 for code in source.channels if code in CHANNELS}
    for planned in plan:
        if planned.channel is not None:
            by_channel[planned.channel] = by_channel.get(planned.channel, 0) + 1
    channels = [
        ChannelCount(code=code, label=str(CHANNELS[code].label), count=count)
        for code, count in by_channel.items()
    ]
    unreachable = ChannelCount(
        code=UNREACHABLE,
        label=_("Not reachable"),
        count=sum(1 for planned in plan if planned.channel is None),
    )
    if threshold is not None:
        # The channels split the audience's invited total, gated as one more family under
        # it (hidden there when the units hide it): no difference uncovers a small group.
        parents: dict[str, str | None] = {TOTAL_KEY: None, **{c.code: TOTAL_KEY for c in channels}}
        counts = {TOTAL_KEY: whole.invited, **{c.code: c.count for c in channels}}
        hidden = [TOTAL_KEY] if whole.invited_suppressed else []
        shown = release_tree(parents, counts, threshold, hidden=hidden)
        for channel in channels:
            # A zero uncovers nobody.
            channel.suppressed = channel.count > 0 and channel.code not in shown
        unreachable.suppressed = 0 < unreachable.count < threshold
    return AudiencePreview(
        rows=scoped.rows,
        total=scoped.total,
        channels=[*channels, unreachable],
        threshold=threshold,
        customers=source.lens == Lens.CUSTOMER,
    )


# The calendar of waves ------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """A wave, or a pulse's occurrence the tick will create, on the calendar."""

    opens_on: date
    closes_on: date
    name: str
    status: str  # a WaveStatus, or "planned" for an occurrence not created yet
    status_label: str
    wave: Wave | None = None
    pulse: Pulse | None = None


@dataclass
class CalendarMonth:
    first_day: date
    entries: list[CalendarEntry]


def month_add(day: date, months: int) -> date:
    """Return the first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def waves_calendar(scope: Scope, *, start: date, months: int, now: datetime) -> list[CalendarMonth]:
    """Return the months from ``start`` with the waves in scope opening in each.

    Past, open and scheduled waves come from the database (drafts once they have an
    opening date); the occurrences active pulses will still create come from their
    schedule, as the tick will create them.
    """
    from django.utils.translation import gettext as _

    first = date(start.year, start.month, 1)
    end = month_add(first, months)
    zone = timezone.get_current_timezone()
    window_start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    window_end = datetime.combine(end, datetime.min.time(), tzinfo=zone)
    entries: list[CalendarEntry] = []
    waves = (
        waves_in_scope(scope)
        .filter(opens_at__gte=window_start, opens_at__lt=window_end)
        .order_by("opens_at", "pk")
    )
    for wave in waves:
        entries.append(
            CalendarEntry(
                opens_on=timezone.localdate(wave.opens_at),
                closes_on=timezone.localdate(wave.closes_at),
                name=wave.name,
                status=wave.status,
                status_label=wave.get_status_display(),
                wave=wave,
                pulse=wave.pulse,
            )
        )
    for pulse in pulses_in_scope(scope).filter(status="active"):
        latest = pulse.waves.order_by("-pulse_rank").first()
        schedule = pulse_schedule(pulse)
        rank = (latest.pulse_rank or 0) if latest else 0
        after = latest.opens_at if latest else None
        for k in upcoming(schedule, after=after, now=now, until=window_end):
            rank += 1
            opens = schedule.opens(k)
            if opens < window_start:
                continue
            entries.append(
                CalendarEntry(
                    opens_on=timezone.localdate(opens),
                    closes_on=timezone.localdate(schedule.closes(k)),
                    name=_("%(pulse)s, wave %(rank)d") % {"pulse": pulse.name, "rank": rank},
                    status="planned",
                    status_label=_("Planned"),
                    pulse=pulse,
                )
            )
    entries.sort(key=lambda entry: (entry.opens_on, entry.name))
    calendar = [CalendarMonth(first_day=month_add(first, i), entries=[]) for i in range(months)]
    for entry in entries:
        index = (entry.opens_on.year - first.year) * 12 + entry.opens_on.month - first.month
        calendar[index].entries.append(entry)
    return calendar


def pulse_upcoming(
    pulse: Pulse, *, now: datetime, count: int = 6
) -> list[tuple[int, datetime, datetime]]:
    """Return the next waves the pulse will create: (rank, opening, closing), soonest first."""
    if pulse.status != "active":
        return []
    latest = pulse.waves.order_by("-pulse_rank").first()
    schedule = pulse_schedule(pulse)
    rank = (latest.pulse_rank or 0) if latest else 0
    horizon = now + timedelta(weeks=pulse.every_weeks * count + 1)
    found = upcoming(schedule, after=latest.opens_at if latest else None, now=now, until=horizon)
    return [
        (rank + i + 1, schedule.opens(k), schedule.closes(k)) for i, k in enumerate(found[:count])
    ]
