"""Writes to journeys: the moments of the customer journey."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from miroir.audit.services import audit_record
from miroir.journeys.models import Moment

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
