"""Interactions become hot invitations: checked, matched to a hot wave, scheduled or refused.

An interaction (a visit, a call, a delivery) arrives by the API or a CSV file with its unit,
moment, time, the customer's contact and consent. ``interactions_check`` reads raw rows and
names every problem by row and field; ``interactions_record`` then applies the rules of
docs/collection.md in one transaction:

* an open hot customer wave must reach the unit and, if it lists moments, the moment;
* without consent, or without an address one of the wave's channels can use, no invitation;
* an opted-out contact is never invited again, by any unit, wave or channel;
* a contact is invited at most once per period (``COLLECT_HOT_CONTACT_PERIOD_DAYS``);
* the invitation leaves the wave's delay after the interaction, and an SMS only inside the
  sending window of the unit's time zone (deferred to the next opening, never dropped);
* it expires the wave's validity after the interaction; one that could only leave after
  that is "too late".

The interaction itself keeps no contact details; ``(source, external_id)`` makes a re-sent
interaction change nothing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.collect.channels import CHANNELS
from miroir.collect.interaction_rules import DUPLICATE, InteractionStage
from miroir.collect.models import (
    ContactInvited,
    InteractionOutcome,
    Language,
    Wave,
    WaveKind,
    WaveStatus,
)
from miroir.collect.phones import PhoneInvalid, phone_e164
from miroir.collect.quiet_hours import SendingWindow, next_send_time
from miroir.collect.tokens import contact_digester, contact_normalise
from miroir.core.inputs import (
    EARLIEST,
    latest,
    moment_parse,
    moment_problem,
    text_storable,
    whole_number,
)
from miroir.journeys.models import Moment
from miroir.org.models import Lens, Unit
from miroir.org.selectors import Scope

MAX_BATCH = 1000
# An interaction "in the future" by more than this is a clock or a typing error.
FUTURE_TOLERANCE = timedelta(minutes=5)
FIELDS = ("external_id", "unit", "moment", "occurred_at", "email", "phone", "consent", "language")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "oui", "o", "vrai"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "non", "faux", ""})


@dataclass(frozen=True)
class RowProblem:
    """One problem of one row: its index (0-based in a batch), the field and what is wrong."""

    index: int
    field: str
    message: str


@dataclass(frozen=True)
class InteractionIn:
    """A checked interaction, ready to be recorded."""

    index: int
    external_id: str
    unit: Unit
    moment: str
    occurred_at: datetime
    consent: bool
    email: str | None = None
    phone: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class InteractionResult:
    index: int
    external_id: str
    outcome: str  # an InteractionOutcome, or "duplicate" for one already recorded
    wave_id: int | None = None
    channel: str | None = None
    send_at: datetime | None = None


@dataclass
class RecordReport:
    results: list[InteractionResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(result.outcome for result in self.results))

    @property
    def scheduled(self) -> int:
        return self.counts.get(InteractionOutcome.SCHEDULED, 0)


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _consent(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = "" if value is None else str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS and word:
        return False
    return None


@lru_cache(maxsize=65536)
def _phone(text: str, region: str) -> str | None:
    # A customer who comes back is parsed once: the parse is the dearest check of a row.
    try:
        return phone_e164(text, region=region)
    except PhoneInvalid:
        return None


def _occurred_at(text: str, unit: Unit | None) -> datetime | None:
    # A till exports its local time: a time without an offset is read in the unit's zone.
    return moment_parse(text, zone=ZoneInfo(unit.timezone) if unit is not None else None)


def _moment_codes() -> set[str]:
    return set(Moment.objects.values_list("code", flat=True))


def _units_by_reference(references: set[str], scope: Scope | None) -> dict[str, Unit]:
    """Return the active units named by external id (first) or number, within ``scope``."""
    found: dict[str, Unit] = {}
    units = Unit.objects.filter(is_active=True)
    if scope is not None:
        units = units.filter(scope.unit_filter())
    for unit in units.filter(external_id__in=references):
        found[unit.external_id] = unit
    numbers = [n for ref in references - set(found) if (n := whole_number(ref)) is not None]
    for unit in units.filter(pk__in=numbers):
        found.setdefault(str(unit.pk), unit)
    return found


class Lookups:
    """The units and moments named by the chunks of one file, each read from the database once."""

    def __init__(self, scope: Scope | None = None) -> None:
        self.scope = scope
        self.units: dict[str, Unit] = {}
        self.moments = _moment_codes()

    def units_named(self, references: set[str]) -> dict[str, Unit]:
        missing = {ref for ref in references if ref not in self.units and text_storable(ref)}
        if missing:
            self.units.update(_units_by_reference(missing, self.scope))
        return self.units


_FIELD_SET = frozenset(FIELDS)


def interactions_check(
    rows: Iterable[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    scope: Scope | None = None,
    start: int = 0,
    seen: set[str] | None = None,
    lookups: Lookups | None = None,
) -> tuple[list[InteractionIn], list[RowProblem]]:
    """Return the rows that are valid, and every problem of the others, by row and field.

    A unit outside ``scope`` reads as unknown: a caller learns nothing of other subtrees.
    Rows are numbered from ``start``; ``seen`` carries the ids of earlier chunks of a file,
    ``lookups`` the units and moments they named.
    """
    now = now or timezone.now()
    rows = list(rows)
    lookups = lookups or Lookups(scope)
    units = lookups.units_named({_text(row, "unit") for row in rows} - {""})
    moments = lookups.moments
    checked: list[InteractionIn] = []
    problems: list[RowProblem] = []
    seen = set() if seen is None else seen
    last_day = latest(now)
    region = settings.COLLECT_PHONE_REGION
    for index, row in enumerate(rows, start=start):
        found: list[RowProblem] = []

        def problem(name: str, message: str, index: int = index, found: list = found) -> None:
            found.append(RowProblem(index, name, message))

        if not _FIELD_SET.issuperset(row):
            problem(
                sorted(set(row) - _FIELD_SET)[0],
                _("Unknown field; expected: %(fields)s.") % {"fields": ", ".join(FIELDS)},
            )
        text = {name: _text(row, name) for name in FIELDS}
        unreadable = (
            []
            if text_storable("".join(text.values()))
            else [name for name in FIELDS if not text_storable(text[name])]
        )
        for name in unreadable:
            problem(name, _("Contains a character that cannot be stored (NUL or lone surrogate)."))
        if unreadable:
            problems.extend(found)
            continue
        external_id = text["external_id"]
        if not external_id:
            problem("external_id", _("The interaction's id is required."))
        elif len(external_id) > 128:
            problem("external_id", _("At most 128 characters."))
        elif external_id in seen:
            problem("external_id", _("This id appears twice in the batch."))
        seen.add(external_id)
        unit = units.get(text["unit"])
        if not text["unit"]:
            problem("unit", _("The unit (its external id or number) is required."))
        elif unit is None:
            problem("unit", _("No unit %(unit)s.") % {"unit": text["unit"]})
        moment = text["moment"]
        if moment and moment not in moments:
            problem("moment", _("No journey moment %(moment)s.") % {"moment": moment})
        occurred_text = text["occurred_at"]
        occurred_at = _occurred_at(occurred_text, unit) if occurred_text else None
        if not occurred_text:
            problem("occurred_at", _("The time of the interaction is required."))
        elif occurred_at is None:
            problem(
                "occurred_at",
                _("Not a date and time; expected e.g. 2026-03-14T15:30:00+01:00."),
            )
        elif occurred_at > now + FUTURE_TOLERANCE:
            problem("occurred_at", _("The interaction cannot be in the future."))
        elif not EARLIEST <= occurred_at.date() <= last_day and (
            late := moment_problem(occurred_at, now=now)
        ):
            problem("occurred_at", late)
        consent = _consent(row.get("consent"))
        if consent is None:
            problem("consent", _("Consent is required: true or false."))
        email = text["email"].lower() or None
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem("email", _("Not a valid e-mail address."))
        phone = None
        if phone_text := text["phone"]:
            phone = _phone(phone_text, region)
            if phone is None:
                problem("phone", _("Not a valid phone number."))
        language = text["language"].lower() or None
        if language and language not in Language.values:
            problem("language", _("Language must be fr or en."))
        if found:
            problems.extend(found)
            continue
        checked.append(
            InteractionIn(
                index=index,
                external_id=external_id,
                unit=unit,
                moment=moment,
                occurred_at=occurred_at,
                consent=bool(consent),
                email=email,
                phone=phone,
                language=language,
            )
        )
    return checked, problems


@dataclass
class _HotWave:
    wave: Wave
    paths: list[str]

    def reaches(self, unit: Unit, moment: str) -> bool:
        if self.wave.hot_moments and moment not in self.wave.hot_moments:
            return False
        return any(unit.path.startswith(path) for path in self.paths)

    def depth(self, unit: Unit) -> int:
        return max(len(path) for path in self.paths if unit.path.startswith(path))


def _hot_waves(now: datetime) -> list[_HotWave]:
    waves = (
        Wave.objects.filter(
            kind=WaveKind.HOT, lens=Lens.CUSTOMER, status=WaveStatus.OPEN, closes_at__gt=now
        )
        .select_related("instrument")
        .prefetch_related("units")
        .order_by("pk")
    )
    return [_HotWave(wave, [unit.path for unit in wave.units.all()]) for wave in waves]


def _wave_for(hot: list[_HotWave], item: InteractionIn) -> Wave | None:
    # The wave aimed most narrowly at the unit wins: a shop's own wave before the network's.
    reaching = [candidate for candidate in hot if candidate.reaches(item.unit, item.moment)]
    if not reaching:
        return None
    return max(
        reaching, key=lambda candidate: (candidate.depth(item.unit), -candidate.wave.pk)
    ).wave


def _channel_for(wave: Wave, item: InteractionIn) -> str | None:
    for code in wave.channels:
        channel = CHANNELS.get(code)
        if (
            channel is not None
            and channel.delivers
            and channel.reaches_contact(email=item.email, phone=item.phone)
        ):
            return code
    return None


class _RowRules:
    """What an interaction's own values decide: its wave, channel, send time and digests.

    The waves reaching a unit and moment are looked up once per pair, and each channel's
    window once per intake.
    """

    def __init__(self, hot: list[_HotWave], now: datetime) -> None:
        self.hot = hot
        self.now = now
        self.waves: dict[tuple[int, str], Wave | None] = {}
        self.windows: dict[str, SendingWindow | None] = {}
        self.digest = contact_digester()

    def wave(self, item: InteractionIn) -> Wave | None:
        key = (item.unit.pk, item.moment)
        if key not in self.waves:
            self.waves[key] = _wave_for(self.hot, item)
        return self.waves[key]

    def send_at(self, wave: Wave, item: InteractionIn, channel: str) -> datetime:
        due = max(item.occurred_at + timedelta(minutes=wave.hot_delay_minutes), self.now)
        if channel not in self.windows:
            self.windows[channel] = CHANNELS[channel].window()
        window = self.windows[channel]
        if window is None:
            return due
        return next_send_time(due, time_zone=item.unit.timezone, window=window)

    def row(self, item: InteractionIn) -> tuple[Any, ...]:
        """Return the interaction as a row of the stage (``interaction_rules.COLUMNS``)."""
        wave = self.wave(item)
        channel = _channel_for(wave, item) if wave is not None else None
        send_at = expires_at = late = None
        if wave is not None and channel is not None and item.consent:
            send_at = self.send_at(wave, item, channel)
            expires_at = min(item.occurred_at + timedelta(days=wave.hot_valid_days), wave.closes_at)
            late = send_at >= expires_at
        return (
            item.index,
            item.external_id,
            item.unit.pk,
            item.moment,
            item.occurred_at,
            item.consent,
            item.email,
            item.phone,
            item.language,
            self.digest(contact_normalise(email=item.email)) if item.email else None,
            self.digest(contact_normalise(phone=item.phone)) if item.phone else None,
            wave.pk if wave is not None else None,
            channel,
            send_at,
            expires_at,
            late,
        )


def _stage(source: str, now: datetime) -> InteractionStage:
    period = timedelta(days=settings.COLLECT_HOT_CONTACT_PERIOD_DAYS)
    return InteractionStage(source=source, now=now, since=now - period)


@transaction.atomic
def interactions_record(
    items: list[InteractionIn],
    *,
    source: str,
    now: datetime | None = None,
    hot: list[_HotWave] | None = None,
) -> RecordReport:
    """Return what became of each checked interaction, having recorded them all.

    The rules that read other rows run set-wise (``collect/interaction_rules.py``).
    Invitations are created pending, with ``not_before`` at their send time; the minute
    tick (``miroir tick``) sends them within each channel's rate.
    """
    now = now or timezone.now()
    rules = _RowRules(_hot_waves(now) if hot is None else hot, now)
    rows = [rules.row(item) for item in items]
    with _stage(source, now) as stage:
        stage.add(rows)
        stage.judge()
        outcomes = stage.outcomes()
    report = RecordReport()
    for item, row in zip(items, rows, strict=True):
        outcome = outcomes[item.index]
        scheduled = outcome == InteractionOutcome.SCHEDULED
        report.results.append(
            InteractionResult(
                item.index,
                item.external_id,
                outcome,
                wave_id=row[11] if outcome != DUPLICATE else None,
                channel=row[12] if scheduled else None,
                send_at=row[13] if scheduled else None,
            )
        )
    return report


def contacts_invited_forget(*, now: datetime | None = None) -> int:
    """Return how many contact digests were dropped once their period was over."""
    now = now or timezone.now()
    period = timedelta(days=settings.COLLECT_HOT_CONTACT_PERIOD_DAYS)
    deleted, _by_model = ContactInvited.objects.filter(invited_at__lte=now - period).delete()
    return deleted


class InteractionFileProblem(ValueError):
    """The file as a whole cannot be read (encoding, header, CSV syntax)."""


@dataclass
class ImportReport:
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    written: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.problems) and not self.written


class _Rollback(Exception):
    pass


def _csv_reader(binary: IO[bytes]) -> tuple[Any, int]:
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        header_line = text.readline()
    except UnicodeDecodeError as error:
        raise InteractionFileProblem(
            _("The file is not UTF-8 text (line %(line)d).") % {"line": 1}
        ) from error
    if not header_line.strip():
        raise InteractionFileProblem(_("The file is empty."))
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    unknown = [name for name in header if name not in FIELDS]
    if unknown:
        raise InteractionFileProblem(
            _("Unknown column %(column)s; the columns are: %(fields)s.")
            % {"column": unknown[0], "fields": ", ".join(FIELDS)}
        )
    return csv.DictReader(text, fieldnames=header, delimiter=delimiter), len(header)


def _chunks(reader: Any) -> Iterable[list[dict[str, str]]]:
    chunk: list[dict[str, str]] = []
    try:
        for row in reader:
            chunk.append({name: value for name, value in row.items() if name is not None})
            if len(chunk) == MAX_BATCH:
                yield chunk
                chunk = []
    except UnicodeDecodeError as error:
        raise InteractionFileProblem(
            _("The file is not UTF-8 text (line %(line)d).") % {"line": reader.line_num + 1}
        ) from error
    except csv.Error:
        # The csv module's message is English and technical: say what to look at instead.
        raise InteractionFileProblem(
            _(
                "Line %(line)d is not valid CSV: check its quotes, that it holds no NUL "
                "character and that no field is very long."
            )
            % {"line": reader.line_num}
        ) from None
    if chunk:
        yield chunk


def interactions_import(
    binary: IO[bytes],
    *,
    source: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    now: datetime | None = None,
    progress: Any = None,
) -> ImportReport:
    """Return what a CSV file of interactions held and what became of it.

    The file streams through in chunks of ``MAX_BATCH`` rows inside one transaction: a
    file with an invalid row records nothing (unless ``skip_invalid``), and every problem
    is reported, named by its row (``RowProblem.index`` is the 0-based data row; the file
    line is ``index + 2``). ``progress(phase, done, total)`` is called per chunk.
    """
    now = now or timezone.now()
    report = ImportReport()
    reader, _width = _csv_reader(binary)
    seen: set[str] = set()
    lookups = Lookups()
    rules = _RowRules(_hot_waves(now), now)
    try:
        with transaction.atomic(), _stage(source, now) as stage:
            for chunk in _chunks(reader):
                checked, problems = interactions_check(
                    chunk, now=now, start=report.rows, seen=seen, lookups=lookups
                )
                report.rows += len(chunk)
                report.problems.extend(problems)
                if dry_run or (report.problems and not skip_invalid):
                    continue
                stage.add(rules.row(item) for item in checked)
                if progress is not None:
                    progress(_("Interactions"), report.rows, report.rows)
            if dry_run or (report.problems and not skip_invalid):
                raise _Rollback
            stage.judge()
            report.counts.update(stage.counts())
    except _Rollback:
        report.counts.clear()
        return report
    report.written = True
    return report
