"""Reads of the collection: waves in scope, respondent links, counts with small ones hidden."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

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
    ContactOptOut,
    Invitation,
    Kiosk,
    Response,
    ResponseAttribute,
    Wave,
    WaveStatus,
)
from miroir.collect.tokens import contact_hash, token_hash, token_looks_valid
from miroir.instruments.models import Item
from miroir.journeys.models import Moment
from miroir.org.models import Member, RoleKind, Unit
from miroir.org.selectors import Scope

EDITOR_ROLES = frozenset({RoleKind.ADMINISTRATOR, RoleKind.DIRECTION})


def waves_can_view(scope: Scope) -> bool:
    """Return whether the scope may see waves (direction, administrators, managers)."""
    return scope.can_browse


def waves_can_edit(scope: Scope) -> bool:
    """Return whether the scope may create, launch and close waves."""
    return bool(EDITOR_ROLES & scope.roles)


def waves_in_scope(scope: Scope, *, status: str = "", kind: str = "") -> QuerySet[Wave]:
    """Return the waves whose audience overlaps the scope, newest first (of a status, a kind)."""
    waves = Wave.objects.select_related("instrument")
    if status:
        waves = waves.filter(status=status)
    if kind:
        waves = waves.filter(kind=kind)
    if scope.everything:
        return waves.all()
    if not scope.paths:
        return waves.none()
    overlap = Q()
    for path in scope.paths:
        # The audience lies inside the scope, or the scope inside the audience.
        ancestors = [int(part) for part in path.strip("/").split("/") if part]
        overlap |= Q(units__path__startswith=path) | Q(units__pk__in=ancestors)
    return waves.filter(overlap).distinct()


def access_wave(scope: Scope, wave_id: Any, *, write: bool = False) -> Wave:
    """Return the wave if the scope reaches it; 404 when it doesn't, 403 to change it."""
    if not waves_can_view(scope):
        raise PermissionDenied("Not allowed to see waves")
    try:
        wave = waves_in_scope(scope).get(pk=int(wave_id))
    except (Wave.DoesNotExist, TypeError, ValueError):
        raise Http404("No such wave") from None
    if write and not waves_can_edit(scope):
        raise PermissionDenied("Only administrators and direction manage waves")
    return wave


def wave_audience_filter(wave: Wave, prefix: str = "") -> Q:
    """Return a Q keeping the units (or rows whose ``prefix`` leads to a unit) of the audience."""
    query = Q(**{f"{prefix}pk__in": []})
    for path in wave.units.values_list("path", flat=True):
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def wave_reaches_unit(wave: Wave, unit: Unit) -> bool:
    """Return whether ``unit`` lies in one of the wave's audience subtrees."""
    return any(unit.path.startswith(path) for path in wave.units.values_list("path", flat=True))


def respondent_items(wave: Wave) -> list[Item]:
    """Return the items the wave's lens answers, in the order the respondent sees them."""
    return list(
        Item.objects.filter(instrument_id=wave.instrument_id, lens=wave.lens).order_by(
            "order", "id"
        )
    )


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


def _unit_target(wave: Wave, unit_id: Any, *, via: str, moment: Any) -> Target:
    try:
        unit = Unit.objects.get(pk=int(unit_id), is_active=True)
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise WrongUnit from None
    if not wave_reaches_unit(wave, unit):
        raise WrongUnit
    return Target(wave=wave, unit=unit, via=via, moment=link_moment(wave, moment))


def target_for_open_link(public_id: Any, unit_id: Any, *, moment: Any = None) -> Target:
    """Return the target of an open link; ``UnknownLink`` or ``WrongUnit`` when it has none."""
    wave = wave_by_public_id(public_id)
    if not wave.open_links or wave.status == WaveStatus.DRAFT:
        raise UnknownLink
    return _unit_target(wave, unit_id, via="link", moment=moment)


def target_for_kiosk(public_id: Any, unit_id: Any, *, moment: Any = None) -> Target:
    """Return the target of a kiosk: a wave listing the ``kiosk`` channel, and its unit.

    Whether the device may act as this kiosk (its signed key) is the view's check.
    """
    wave = wave_by_public_id(public_id)
    if "kiosk" not in wave.channels or wave.status == WaveStatus.DRAFT:
        raise UnknownLink
    return _unit_target(wave, unit_id, via="kiosk", moment=moment)


def kiosk_by_key(key: str | None, *, public_id: Any, unit_id: Any) -> Kiosk | None:
    """Return the kiosk a key was issued for, if it is this wave's and unit's and not revoked."""
    if not key or not token_looks_valid(key):
        return None
    try:
        return Kiosk.objects.select_related("wave", "unit").get(
            key_hash=token_hash(key),
            wave__public_id=uuid.UUID(str(public_id)),
            unit_id=int(unit_id),
            revoked_at__isnull=True,
        )
    except (Kiosk.DoesNotExist, ValueError, TypeError):
        return None


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
    root = Unit.objects.filter(pk=ancestors[0]).values_list("name", flat=True).first()
    return root or unit.name
