"""Writes to journeys: journeys, their moments, and the bundled templates."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.analytics.maps import EMOTIONS, SATISFACTION_SCALE
from miroir.audit.services import audit_record
from miroir.core.inputs import text_clean
from miroir.journeys.figures import unit_map
from miroir.journeys.models import (
    Journey,
    MapAnswer,
    MapPublication,
    MapPublicationStatus,
    MapReceipt,
    MapResponse,
    MapWave,
    MapWaveStatus,
    Moment,
    PainPoint,
    TeamFunction,
)
from miroir.journeys.selectors import map_moments, map_receipt_hash, map_seat
from miroir.org.models import Lens, Unit

if TYPE_CHECKING:
    from miroir.accounts.models import User

DEFAULT_MOMENTS_FILE = Path(__file__).resolve().parent / "moments.json"


def default_moments() -> list[dict[str, Any]]:
    """Return the bundled retail moments, as listed in ``moments.json``."""
    with DEFAULT_MOMENTS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["moments"]


@transaction.atomic
def moments_load(
    *, entries: list[dict[str, Any]] | None = None, actor: User | None = None
) -> list[Moment]:
    """Return the moments created or updated from ``entries`` (the bundled list by default).

    Moments are matched on their code, so loading twice changes nothing and names
    edited in the file are picked up; moments missing from the file are left alone
    because answers may already refer to them.
    """
    entries = default_moments() if entries is None else entries
    moments = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValidationError(f"moments[{position}]: expected an object")
        moment = Moment.objects.filter(code=entry.get("code", "")).first() or Moment(
            code=entry.get("code", "")
        )
        moment.name_fr = entry.get("fr", "")
        moment.name_en = entry.get("en", "")
        moment.stage = entry.get("stage", "")
        moment.order = entry.get("order", (position + 1) * 10)
        moment.is_active = entry.get("is_active", True)
        try:
            moment.full_clean(validate_unique=moment.pk is None)
        except ValidationError as error:
            raise ValidationError(f"moments[{position}]: {'; '.join(error.messages)}") from None
        moment.save()
        moments.append(moment)
    audit_record(actor=actor, action="moment.load", details={"count": len(moments)})
    return moments


JOURNEYS_FILE = Path(__file__).resolve().parent / "journeys.json"


def journey_templates() -> list[dict[str, Any]]:
    """Return the bundled journey templates (employee journey, shop customer journey)."""
    with JOURNEYS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["journeys"]


def _clean(instance: Journey | Moment, where: str) -> None:
    try:
        instance.full_clean(validate_unique=instance.pk is None)
    except ValidationError as error:
        raise ValidationError(f"{where}: {'; '.join(error.messages)}") from None


def _teams_checked(teams: Any, where: str) -> list[str]:
    if not isinstance(teams, list) or any(team not in TeamFunction.values for team in teams):
        known = ", ".join(TeamFunction.values)
        raise ValidationError(f"{where}: teams must be a list of {known}")
    return list(dict.fromkeys(teams))


@transaction.atomic
def journey_template_load(*, code: str, actor: User | None = None) -> Journey:
    """Return the journey created (or completed) from the bundled template ``code``.

    Loading twice changes nothing. Existing moments with the template's codes are
    attached to the journey and keep their names (an administrator may have renamed
    them); a moment already in another journey is refused, since a moment belongs to one.
    """
    template = next((entry for entry in journey_templates() if entry["code"] == code), None)
    if template is None:
        raise ValidationError(f"no bundled journey template named {code!r}")
    journey = Journey.objects.filter(code=code).first() or Journey(code=code)
    if journey.pk is None:
        journey.kind = template["kind"]
        journey.name_fr, journey.name_en = template["fr"], template.get("en", "")
        journey.description_fr = template.get("description_fr", "")
        journey.description_en = template.get("description_en", "")
        _clean(journey, code)
        journey.save()
    for position, entry in enumerate(template["moments"]):
        where = f"{code}.moments[{position}]"
        moment = Moment.objects.filter(code=entry["code"]).first()
        if moment is not None and moment.journey_id not in (None, journey.pk):
            raise ValidationError(f"{where}: moment {entry['code']!r} is in another journey")
        if moment is None:
            moment = Moment(
                code=entry["code"],
                name_fr=entry["fr"],
                name_en=entry.get("en", ""),
                stage=entry["stage"],
                order=(position + 1) * 10,
            )
        moment.journey = journey
        moment.teams = moment.teams or _teams_checked(entry.get("teams", []), where)
        _clean(moment, where)
        moment.save()
    audit_record(actor=actor, action="journey.load", target=journey.code)
    return journey


@transaction.atomic
def journey_save(*, journey: Journey, actor: User | None) -> Journey:
    """Return the journey created or changed (its name, description, active flag)."""
    created = journey.pk is None
    _clean(journey, journey.code or "journey")
    journey.save()
    action = "journey.create" if created else "journey.update"
    audit_record(actor=actor, action=action, target=journey.code)
    return journey


@transaction.atomic
def moment_save(*, moment: Moment, actor: User | None) -> Moment:
    """Return the moment created or changed in its journey (names, stage, order, teams)."""
    created = moment.pk is None
    if not created:
        stored = Moment.objects.get(pk=moment.pk)
        if stored.code != moment.code:
            raise ValidationError("a moment's code never changes once created")
    moment.teams = _teams_checked(moment.teams, moment.code or "moment")
    _clean(moment, moment.code or "moment")
    moment.save()
    action = "moment.create" if created else "moment.update"
    audit_record(actor=actor, action=action, target=moment.code)
    return moment


# -- satisfaction maps ------------------------------------------------------------------------


class MapError(ValidationError):
    """A map wave, answer or publication refused: the message says what is wrong."""


SOLUTION_MAX_LENGTH = 1000


@transaction.atomic
def map_wave_create(
    *,
    name: str,
    journey: Journey,
    unit: Unit,
    closes_at: datetime,
    actor: User | None,
    threshold_scores: int | None = None,
    threshold_verbatims: int | None = None,
) -> MapWave:
    """Return a new draft map wave over ``unit``'s subtree and the moments of ``journey``."""
    if not journey.moments.filter(is_active=True).exists():
        raise MapError(_("This journey has no active moment to rate."))
    scores = max(int(settings.MIROIR_ANONYMITY_THRESHOLD), threshold_scores or 0)
    verbatims = max(int(settings.MIROIR_VERBATIM_THRESHOLD), threshold_verbatims or 0, scores)
    wave = MapWave(
        name=name.strip(),
        journey=journey,
        unit=unit,
        closes_at=closes_at,
        threshold_scores=scores,
        threshold_verbatims=verbatims,
        created_by=actor,
    )
    _clean(wave, "map wave")
    wave.save()
    audit_record(actor=actor, action="map_wave.create", target=wave.name)
    return wave


@transaction.atomic
def map_wave_open(*, wave: MapWave, actor: User | None) -> MapWave:
    """Return the wave opened: its members may answer until it closes."""
    wave = MapWave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != MapWaveStatus.DRAFT:
        raise MapError(_("Only a draft map wave can be opened."))
    wave.status, wave.opened_at = MapWaveStatus.OPEN, timezone.now()
    wave.save(update_fields=["status", "opened_at"])
    audit_record(actor=actor, action="map_wave.open", target=wave.name)
    return wave


def _answer_checked(moment: Moment, entry: dict[str, Any]) -> MapAnswer | None:
    satisfaction = entry.get("satisfaction")
    if satisfaction in ("", None):
        satisfaction = None
    else:
        try:
            satisfaction = int(satisfaction)
        except (TypeError, ValueError):
            satisfaction = 0
        if satisfaction not in SATISFACTION_SCALE:
            raise MapError(
                _("%(moment)s: satisfaction is a whole number from 1 to 5.")
                % {"moment": moment.code}
            )
    emotion = entry.get("emotion") or ""
    if emotion and emotion not in EMOTIONS:
        raise MapError(_("%(moment)s: unknown emotion.") % {"moment": moment.code})
    truth = entry.get("moment_of_truth")
    if truth not in (None, True, False):
        raise MapError(
            _("%(moment)s: say yes or no for the moment of truth.") % {"moment": moment.code}
        )
    solution = text_clean(entry.get("solution") or "")
    if len(solution) > SOLUTION_MAX_LENGTH:
        raise MapError(
            _("%(moment)s: a proposed solution holds at most %(limit)d characters.")
            % {"moment": moment.code, "limit": SOLUTION_MAX_LENGTH}
        )
    if satisfaction is None and not emotion and truth is None and not solution:
        return None
    return MapAnswer(
        moment=moment,
        satisfaction=satisfaction,
        emotion=emotion,
        moment_of_truth=truth,
        solution=solution,
    )


@transaction.atomic
def map_submit(
    *, wave: MapWave, user: User, answers: dict[str, dict[str, Any]], today: date | None = None
) -> MapResponse:
    """Return the response stored for ``user``'s map; ``answers`` maps moment codes to ratings.

    An employee's response keeps no identity and only the day; a manager's is their
    estimate for the unit they manage, stored with them when estimates are attributed. A
    keyed digest refuses a second answer from the same person; it is deleted at the close.
    """
    wave = MapWave.objects.select_for_update().select_related("journey", "unit").get(pk=wave.pk)
    if wave.status != MapWaveStatus.OPEN:
        raise MapError(_("This map wave is not open."))
    seat = map_seat(wave, user)
    if seat is None:
        raise MapError(_("This map wave is not for you."))
    digest = map_receipt_hash(wave, seat.member)
    if MapReceipt.objects.filter(wave=wave, member_hash=digest).exists():
        raise MapError(_("You have already answered this map."))
    moments = {moment.code: moment for moment in map_moments(wave)}
    unknown = sorted(set(answers) - set(moments))
    if unknown:
        raise MapError(_("Not a moment of this journey: %(codes)s") % {"codes": ", ".join(unknown)})
    rows = [
        row
        for code, entry in answers.items()
        if (row := _answer_checked(moments[code], entry)) is not None
    ]
    if not rows:
        raise MapError(_("Rate at least one moment."))
    attributed = seat.lens == Lens.MANAGEMENT and bool(settings.MIROIR_ESTIMATE_ATTRIBUTED)
    response = MapResponse.objects.create(
        wave=wave,
        unit=seat.unit,
        lens=seat.lens,
        submitted_on=today or timezone.localdate(),
        manager=seat.member if attributed else None,
    )
    for row in rows:
        row.response = response
    MapAnswer.objects.bulk_create(rows)
    MapReceipt.objects.create(wave=wave, member_hash=digest)
    return response


@transaction.atomic
def map_wave_close(*, wave: MapWave, actor: User | None) -> list[MapPublication]:
    """Return the publications made at the close: both maps of every unit that answered.

    Publication to the unit's members is the default, dated and frozen (the gated map
    stored as it is now). The "already answered" digests are deleted: after the close,
    nothing is left that could tell whether someone answered.
    """
    wave = MapWave.objects.select_for_update().select_related("journey", "unit").get(pk=wave.pk)
    if wave.status != MapWaveStatus.OPEN:
        raise MapError(_("Only an open map wave can be closed."))
    now = timezone.now()
    wave.status, wave.closed_at = MapWaveStatus.CLOSED, now
    wave.save(update_fields=["status", "closed_at"])
    MapReceipt.objects.filter(wave=wave).delete()
    unit_ids = set(MapResponse.objects.filter(wave=wave).values_list("unit_id", flat=True))
    publications = []
    for unit in Unit.objects.filter(pk__in=unit_ids | {wave.unit_id}).order_by("path"):
        publications.append(
            MapPublication.objects.create(
                wave=wave,
                unit=unit,
                status=MapPublicationStatus.PUBLISHED,
                snapshot=unit_map(wave, unit, language="fr"),
                published_at=now,
            )
        )
    audit_record(
        actor=actor, action="map_wave.close", target=wave.name,
        details={"count": len(publications)},
    )  # fmt: skip
    return publications


@transaction.atomic
def map_publication_hold(
    *, publication: MapPublication, actor: User | None, reason: str
) -> MapPublication:
    """Return the publication held back (or withdrawn, once published); a reason is required."""
    reason = text_clean(reason or "")
    if len(reason) < 10:
        raise MapError(_("Say in a sentence why the maps are not shown to the team."))
    publication = MapPublication.objects.select_for_update().get(pk=publication.pk)
    if publication.status != MapPublicationStatus.PUBLISHED:
        raise MapError(_("These maps are not published."))
    publication.status = MapPublicationStatus.WITHDRAWN
    publication.reason, publication.decided_by = reason, actor
    publication.decided_at = timezone.now()
    publication.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    where = f"{publication.wave.name} / {publication.unit.name}"
    audit_record(actor=actor, action="map.withdraw", target=where, details={"reason": reason})
    return publication


@transaction.atomic
def map_publication_restore(*, publication: MapPublication, actor: User | None) -> MapPublication:
    """Return the publication shown again to the team, the same frozen maps as at the close."""
    publication = MapPublication.objects.select_for_update().get(pk=publication.pk)
    if publication.status == MapPublicationStatus.PUBLISHED:
        raise MapError(_("These maps are already published."))
    publication.status = MapPublicationStatus.PUBLISHED
    publication.decided_by, publication.decided_at = actor, timezone.now()
    publication.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="map.publish",
        target=f"{publication.wave.name} / {publication.unit.name}",
    )
    return publication


@transaction.atomic
def pain_point_mark(
    *, unit: Unit, moment: Moment, wave: MapWave | None, actor: User | None, note: str = ""
) -> PainPoint:
    """Return the open pain point of ``moment`` at ``unit`` (created, or the one already open)."""
    point = PainPoint.objects.filter(unit=unit, moment=moment, cleared_at__isnull=True).first()
    if point is not None:
        return point
    point = PainPoint.objects.create(
        unit=unit, moment=moment, wave=wave, note=text_clean(note or ""), created_by=actor
    )
    audit_record(actor=actor, action="moment.pain_point", target=f"{unit.name} / {moment.code}")
    return point


@transaction.atomic
def pain_point_clear(*, point: PainPoint, actor: User | None) -> PainPoint:
    """Return the pain point cleared (kept as history)."""
    if point.cleared_at is None:
        point.cleared_at = timezone.now()
        point.save(update_fields=["cleared_at"])
        audit_record(
            actor=actor, action="moment.pain_point_clear",
            target=f"{point.unit.name} / {point.moment.code}",
        )  # fmt: skip
    return point
