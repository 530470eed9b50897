"""Writes to journeys: journeys, their moments, and the bundled templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from miroir.audit.services import audit_record
from miroir.journeys.models import Journey, Moment, TeamFunction

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
