"""Customer complaints in batches, from the API and from CSV files: checked whole first.

``complaints_check`` names every problem by row and field and stores nothing;
``complaints_record`` stores checked rows, and a complaint already received under the
same source and external id comes back as "duplicate" unchanged, so re-sending is safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.core.inputs import moment_parse, moment_problem, text_storable, whole_number
from miroir.journeys.models import Moment
from miroir.org.models import Unit
from miroir.org.selectors import Scope
from miroir.voices.models import TEXT_MAX, TITLE_MAX
from miroir.voices.services import complaint_receive

FIELDS = ("external_id", "unit", "text", "title", "moment", "received_at", "email", "language")
REQUIRED = ("external_id", "unit", "text")
MAX_BATCH = 1000


@dataclass(frozen=True)
class RowProblem:
    index: int
    field: str
    message: str


@dataclass(frozen=True)
class ComplaintIn:
    index: int
    external_id: str
    unit: Unit
    text: str
    title: str = ""
    moment: Moment | None = None
    received_at: datetime | None = None
    email: str = ""
    language: str = "fr"


@dataclass
class RecordReport:
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "duplicate": 0})
    ids: list[str] = field(default_factory=list)


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _units(references: set[str], scope: Scope | None) -> dict[str, Unit]:
    """Return the active units named by external id (first) or number, within ``scope``."""
    units = Unit.objects.filter(is_active=True)
    if scope is not None:
        units = units.filter(scope.unit_filter())
    found = {unit.external_id: unit for unit in units.filter(external_id__in=references)}
    numbers = [n for ref in references - set(found) if (n := whole_number(ref)) is not None]
    for unit in units.filter(pk__in=numbers):
        found.setdefault(str(unit.pk), unit)
    return found


def _storable(row: Mapping[str, Any]) -> bool:
    return all(text_storable(value) for value in row.values() if isinstance(value, str))


def complaints_check(
    rows: Iterable[Mapping[str, Any]],
    *,
    scope: Scope | None = None,
    now: datetime | None = None,
    start: int = 0,
) -> tuple[list[ComplaintIn], list[RowProblem]]:
    """Return the valid rows, and every problem of the others by row and field.

    A unit outside ``scope`` reads as unknown: a caller learns nothing of other subtrees.
    """
    now = now or timezone.now()
    rows = list(rows)
    # A value PostgreSQL cannot hold (NUL, lone surrogate) is a problem of its row, below,
    # and must not reach a query.
    units = _units({_text(row, "unit") for row in rows if _storable(row)} - {""}, scope)
    moments = {moment.code: moment for moment in Moment.objects.all()}
    checked: list[ComplaintIn] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=start):
        found: list[RowProblem] = []
        for name in sorted(set(row) - set(FIELDS)):
            found.append(
                RowProblem(
                    index, name, _("Unknown field; expected: %(f)s.") % {"f": ", ".join(FIELDS)}
                )
            )
        for name in REQUIRED:
            if not _text(row, name):
                found.append(RowProblem(index, name, _("This field is required.")))
        for name in FIELDS:
            value = row.get(name)
            if isinstance(value, str) and not text_storable(value):
                message = _("Contains a character that cannot be stored (NUL or lone surrogate).")
                found.append(RowProblem(index, name, message))
        if not _storable(row):
            problems.extend(found)
            continue
        external_id = _text(row, "external_id")
        if len(external_id) > 128:
            found.append(RowProblem(index, "external_id", _("At most 128 characters.")))
        elif external_id and external_id in seen:
            found.append(RowProblem(index, "external_id", _("Given twice in this batch.")))
        seen.add(external_id)
        unit = units.get(_text(row, "unit"))
        if _text(row, "unit") and unit is None:
            found.append(RowProblem(index, "unit", _("No such unit.")))
        text, title = _text(row, "text"), _text(row, "title")
        if len(text) > TEXT_MAX:
            found.append(
                RowProblem(index, "text", _("At most %(max)d characters.") % {"max": TEXT_MAX})
            )
        if len(title) > TITLE_MAX:
            found.append(
                RowProblem(index, "title", _("At most %(max)d characters.") % {"max": TITLE_MAX})
            )
        moment = None
        if _text(row, "moment"):
            moment = moments.get(_text(row, "moment"))
            if moment is None:
                found.append(RowProblem(index, "moment", _("No such journey moment.")))
        received_at = None
        if _text(row, "received_at"):
            received_at = moment_parse(_text(row, "received_at"))
            if received_at is None:
                found.append(
                    RowProblem(index, "received_at", _("Expected an ISO 8601 date and time."))
                )
            elif problem := moment_problem(received_at, now=now, future=timedelta(0)):
                found.append(RowProblem(index, "received_at", problem))
        email = _text(row, "email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                found.append(RowProblem(index, "email", _("Not an e-mail address.")))
        language = _text(row, "language") or "fr"
        if language not in ("fr", "en"):
            found.append(RowProblem(index, "language", _("Expected fr or en.")))
        if found:
            problems.extend(found)
            continue
        checked.append(
            ComplaintIn(
                index=index,
                external_id=external_id,
                unit=unit,
                text=text,
                title=title,
                moment=moment,
                received_at=received_at,
                email=email,
                language=language,
            )
        )
    return checked, problems


@transaction.atomic
def complaints_record(checked: list[ComplaintIn], *, source: str) -> RecordReport:
    """Return what became of each checked complaint: created, or a duplicate left unchanged."""
    report = RecordReport()
    for row in checked:
        received = complaint_receive(
            unit=row.unit,
            text=row.text,
            title=row.title,
            source=source,
            external_id=row.external_id,
            moment=row.moment,
            contact_email=row.email,
            language=row.language,
            received_at=row.received_at,
        )
        report.counts["created" if received.created else "duplicate"] += 1
        report.ids.append(str(received.voice.pk))
    return report
