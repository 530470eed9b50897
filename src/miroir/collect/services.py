"""Writes of the collection: waves, invitations and their sending, respondents' submissions.

Submissions write no audit entry and no log line on purpose: either would put a precise
time next to a unit, which the response itself refuses to keep (docs/anonymity.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.collect.channels import CHANNELS, channel_get, respondent_url
from miroir.collect.channels.kiosk.keys import FRAGMENT_NAME
from miroir.collect.channels.sms.replies import reply_is_stop
from miroir.collect.errors import AlreadyAnswered, AnswerProblem, CollectError, ResponseRejected
from miroir.collect.models import (
    LENS_ATTRIBUTES,
    Answer,
    AudienceRole,
    ContactOptOut,
    Invitation,
    InvitationStatus,
    InvitationToken,
    Kiosk,
    Language,
    ProviderEvent,
    Pulse,
    PulseStatus,
    Response,
    ResponseAttribute,
    SubmissionReceipt,
    Wave,
    WaveKind,
    WaveStatus,
)
from miroir.collect.pulses import MAX_EVERY_WEEKS, MAX_OPEN_DAYS, Schedule, due_occurrence
from miroir.collect.selectors import (
    Target,
    audience_plan,
    contact_opted_out,
    estimate_author,
    invitations_for_links,
    links_export_open,
    pulse_schedule,
    respondent_items,
    target_check,
    target_for_kiosk,
    target_for_open_link,
    target_for_token,
    wave_reaches_unit,
)
from miroir.collect.signals import response_stored
from miroir.collect.tasks import send_invitations
from miroir.collect.tokens import (
    contact_hash,
    submission_hash,
    submission_id_valid,
    token_hash,
    token_new,
)
from miroir.core.checks import MINIMUM_ANONYMITY_THRESHOLD
from miroir.core.events import event_emit
from miroir.core.inputs import day_problem, text_clean
from miroir.instruments.forms import answer_error_message
from miroir.instruments.logic import Route, answer_key
from miroir.instruments.models import Instrument, Item
from miroir.instruments.scales import FreeTextScale, ScaleValueError, is_blank
from miroir.instruments.services import instrument_lock
from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Unit
from miroir.results import services as results_services

if TYPE_CHECKING:
    from miroir.accounts.models import User

logger = logging.getLogger(__name__)

MAX_REMINDER_DAY = 365
DEFAULT_HOT_DELAY_MINUTES = 120
DEFAULT_HOT_VALID_DAYS = 7
MAX_HOT_DELAY_MINUTES = 7 * 24 * 60
MAX_HOT_VALID_DAYS = 90

# Waves ------------------------------------------------------------------------------------


# A threshold above this would hide every unit of any real network (and the column is a
# smallint): refused with a message rather than stored.
THRESHOLD_MAX = 1000


def threshold_floor() -> tuple[int, int]:
    """Return the lowest thresholds a wave may use: the configured ones, never below 3."""
    scores = max(MINIMUM_ANONYMITY_THRESHOLD, settings.MIROIR_ANONYMITY_THRESHOLD)
    return scores, max(scores, settings.MIROIR_VERBATIM_THRESHOLD)


def _reminder_days(days: Iterable[Any]) -> list[int]:
    try:
        values = sorted({int(day) for day in days})
    except (TypeError, ValueError):
        raise ValidationError(
            {"reminder_days": _("Reminders are whole numbers of days.")}
        ) from None
    if any(not 1 <= day <= MAX_REMINDER_DAY for day in values):
        raise ValidationError(
            {
                "reminder_days": _("Reminders fall from 1 to %(max)d days after opening.")
                % {"max": MAX_REMINDER_DAY}
            }
        )
    return values


def _thresholds_too_high(scores: int, verbatims: int) -> dict[str, str]:
    message = _("At most %(max)d.") % {"max": THRESHOLD_MAX}
    named = {"threshold_scores": scores, "threshold_verbatims": verbatims}
    return {name: message for name, value in named.items() if value > THRESHOLD_MAX}


def _wave_check(wave: Wave, units: list[Unit]) -> None:
    """Raise a ValidationError naming every field of the wave that is wrong."""
    errors: dict[str, str] = {}
    unknown = [code for code in wave.channels if code not in CHANNELS]
    if unknown:
        errors["channels"] = _("Unknown channel: %(codes)s.") % {"codes": ", ".join(unknown)}
    elif not wave.channels and not wave.open_links:
        errors["channels"] = _("Choose at least one channel, or accept open links.")
    if wave.contract_types and wave.lens != Lens.EMPLOYEE:
        errors["contract_types"] = _("Contract types only narrow employee waves.")
    elif set(wave.contract_types) - (set(ContractType.values) - {ContractType.PARTNER}):
        errors["contract_types"] = _("Choose contract types of employees.")
    if wave.roles and wave.lens != Lens.MANAGEMENT:
        errors["roles"] = _("Roles only narrow management waves.")
    elif set(wave.roles) - set(AudienceRole.values):
        errors["roles"] = _("Unknown role: %(codes)s.") % {
            "codes": ", ".join(sorted(set(wave.roles) - set(AudienceRole.values)))
        }
    allowed = LENS_ATTRIBUTES.get(wave.lens, frozenset())
    if set(wave.attributes) - allowed:
        errors["attributes"] = _("This lens cannot keep these attributes with its responses.")
    for name in ("opens_at", "closes_at"):
        value = getattr(wave, name)
        if value is not None and (problem := day_problem(value)):
            errors[name] = problem
    if "closes_at" not in errors and wave.opens_at and wave.closes_at <= wave.opens_at:
        errors["closes_at"] = _("A wave closes after it opens.")
    if not units:
        errors["units"] = _("Choose at least one unit.")
    if not 0 <= wave.hot_delay_minutes <= MAX_HOT_DELAY_MINUTES:
        errors["hot_delay_minutes"] = _("Between 0 and %(max)d minutes.") % {
            "max": MAX_HOT_DELAY_MINUTES
        }
    if not 1 <= wave.hot_valid_days <= MAX_HOT_VALID_DAYS:
        errors["hot_valid_days"] = _("Between 1 and %(max)d days.") % {"max": MAX_HOT_VALID_DAYS}
    unknown_moments = set(wave.hot_moments) - set(Moment.objects.values_list("code", flat=True))
    if unknown_moments:
        errors["hot_moments"] = _("Unknown moment: %(codes)s.") % {
            "codes": ", ".join(sorted(unknown_moments))
        }
    if wave.instrument_id and not wave.instrument.items.filter(lens=wave.lens).exists():
        errors["lens"] = _("The questionnaire has no question for this lens.")
    scores, verbatims = threshold_floor()
    if wave.threshold_scores < scores:
        errors["threshold_scores"] = _("At least %(min)d.") % {"min": scores}
    if wave.threshold_verbatims < max(verbatims, wave.threshold_scores):
        errors["threshold_verbatims"] = _("At least %(min)d.") % {
            "min": max(verbatims, wave.threshold_scores)
        }
    errors.update(_thresholds_too_high(wave.threshold_scores, wave.threshold_verbatims))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def wave_create(
    *,
    actor: User | None,
    instrument: Instrument,
    name: str,
    lens: str,
    closes_at: datetime,
    units: Iterable[Unit],
    kind: str = WaveKind.COLD,
    channels: Iterable[str] = (),
    open_links: bool = False,
    contract_types: Iterable[str] = (),
    roles: Iterable[str] = (),
    attributes: Iterable[str] = (),
    reminder_days: Iterable[int] = (),
    opens_at: datetime | None = None,
    language: str = Language.FRENCH,
    threshold_scores: int | None = None,
    threshold_verbatims: int | None = None,
    hot_delay_minutes: int = DEFAULT_HOT_DELAY_MINUTES,
    hot_valid_days: int = DEFAULT_HOT_VALID_DAYS,
    hot_moments: Iterable[str] = (),
) -> Wave:
    """Return a new draft wave; its thresholds start from the configured ones."""
    floor_scores, floor_verbatims = threshold_floor()
    units = list(units)
    wave = Wave(
        instrument=instrument,
        name=text_clean(name).strip(),
        kind=kind,
        lens=lens,
        closes_at=closes_at,
        opens_at=opens_at,
        channels=list(dict.fromkeys(channels)),
        open_links=open_links,
        contract_types=sorted(set(contract_types)),
        roles=sorted(set(roles)),
        attributes=sorted(set(attributes)),
        reminder_days=_reminder_days(reminder_days),
        language=language,
        threshold_scores=threshold_scores or floor_scores,
        threshold_verbatims=threshold_verbatims or floor_verbatims,
        hot_delay_minutes=hot_delay_minutes,
        hot_valid_days=hot_valid_days,
        hot_moments=sorted(set(hot_moments)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _wave_check(wave, units)
    wave.full_clean(exclude=["units"])
    wave.save()
    wave.units.set(units)
    audit_record(actor=actor, action="wave.create", target=f"wave:{wave.pk}")
    return wave


WAVE_EDITABLE = (
    "instrument",
    "name",
    "kind",
    "lens",
    "closes_at",
    "opens_at",
    "channels",
    "open_links",
    "contract_types",
    "roles",
    "attributes",
    "reminder_days",
    "language",
    "threshold_scores",
    "threshold_verbatims",
    "hot_delay_minutes",
    "hot_valid_days",
    "hot_moments",
)


def _locked_wave(wave: Wave) -> Wave:
    return Wave.objects.select_for_update().select_related("instrument").get(pk=wave.pk)


def _fields_set(target: Wave | Pulse, changes: Mapping[str, Any]) -> None:
    """Set the changed fields of a wave or a pulse, each in its stored form."""
    for name, value in changes.items():
        if name == "reminder_days":
            value = _reminder_days(value)
        elif name in ("contract_types", "roles", "attributes", "hot_moments"):
            value = sorted(set(value))
        elif name == "channels":
            value = list(dict.fromkeys(value))
        elif name == "name":
            value = text_clean(value).strip()
        setattr(target, name, value)


def _save_checked(
    target: Wave | Pulse,
    *,
    actor: Any,
    action: str,
    units: Iterable[Unit] | None,
    changes: Mapping[str, Any],
) -> None:
    """Check and save a changed wave or pulse (with its units when given), audited."""
    unit_list = list(units) if units is not None else list(target.units.all())
    if isinstance(target, Pulse):
        _pulse_check(target, unit_list)
    else:
        _wave_check(target, unit_list)
    target.full_clean(exclude=["units"])
    target.save()
    if units is not None:
        target.units.set(unit_list)
    kind = "pulse" if isinstance(target, Pulse) else "wave"
    audit_record(
        actor=actor,
        action=action,
        target=f"{kind}:{target.pk}",
        details={"fields": sorted([*changes, *(["units"] if units is not None else [])])},
    )


@transaction.atomic
def wave_update(
    *, wave: Wave, actor: User | None, units: Iterable[Unit] | None = None, **changes: Any
) -> Wave:
    """Return the draft wave with ``changes`` applied; a launched wave cannot change."""
    wave = _locked_wave(wave)
    if not wave.is_draft:
        raise ValidationError(_("Only a draft wave can be changed."), code="state")
    unknown = set(changes) - set(WAVE_EDITABLE)
    if unknown:
        raise TypeError(f"wave_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _fields_set(wave, changes)
    _save_checked(wave, actor=actor, action="wave.update", units=units, changes=changes)
    return wave


def _enqueue_send(wave_id: int) -> None:
    send_invitations.enqueue(wave_id)


@transaction.atomic
def wave_launch(*, wave: Wave, actor: User | None, now: datetime | None = None) -> Wave:
    """Return the wave launched: questionnaire locked, invitations created, sending queued.

    A wave whose opening date is still ahead is only scheduled; ``open_due_waves``
    opens it and starts the sending when the date comes.
    """
    now = now or timezone.now()
    wave = _locked_wave(wave)
    if not wave.is_draft:
        raise ValidationError(_("Only a draft wave can be launched."), code="state")
    _wave_check(wave, list(wave.units.all()))
    if wave.closes_at <= now:
        raise ValidationError({"closes_at": _("The closing date has passed.")})
    instrument_lock(instrument=wave.instrument, actor=actor)
    invitations = []
    unreachable = 0
    # The audience preview counts this same plan.
    for planned in audience_plan(wave):
        if planned.channel is None:
            unreachable += 1
            continue
        invitations.append(
            Invitation(
                wave=wave,
                unit=planned.unit,
                member=planned.member,
                channel=planned.channel,
                expires_at=wave.closes_at,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    opens_now = wave.opens_at is None or wave.opens_at <= now
    wave.status = WaveStatus.OPEN if opens_now else WaveStatus.SCHEDULED
    wave.opens_at = wave.opens_at or now
    wave.launched_at = now
    wave.unreachable = unreachable
    wave.save(update_fields=["status", "opens_at", "launched_at", "unreachable", "updated_at"])
    audit_record(
        actor=actor,
        action="wave.launch",
        target=f"wave:{wave.pk}",
        details={
            "status": wave.status,
            "invitations": len(invitations),
            "unreachable": unreachable,
        },
    )
    if opens_now:
        event_emit("wave.opened", wave_id=wave.pk)
    if opens_now and invitations:
        transaction.on_commit(partial(_enqueue_send, wave.pk))
    return wave


@transaction.atomic
def wave_open(*, wave: Wave, actor: User | None = None, now: datetime | None = None) -> Wave:
    """Return the scheduled wave opened, its sending queued."""
    now = now or timezone.now()
    wave = _locked_wave(wave)
    if wave.status != WaveStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled wave can be opened."), code="state")
    wave.status = WaveStatus.OPEN
    wave.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="wave.open", target=f"wave:{wave.pk}")
    event_emit("wave.opened", wave_id=wave.pk)
    transaction.on_commit(partial(_enqueue_send, wave.pk))
    return wave


@transaction.atomic
def wave_close(*, wave: Wave, actor: User | None, now: datetime | None = None) -> Wave:
    """Return the wave closed: no more answers, unsent invitations expired."""
    now = now or timezone.now()
    wave = _locked_wave(wave)
    if wave.status not in (WaveStatus.OPEN, WaveStatus.SCHEDULED):
        raise ValidationError(_("Only an open or scheduled wave can be closed."), code="state")
    wave.status = WaveStatus.CLOSED
    wave.closed_at = now
    wave.save(update_fields=["status", "closed_at", "updated_at"])
    expired = Invitation.objects.filter(wave=wave, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.EXPIRED
    )
    # Rewrite every used flag in this one transaction: in PostgreSQL a row version
    # carries the id of the transaction that wrote it, which for an invitation used
    # during the wave is the transaction that also inserted its response.
    Invitation.objects.filter(wave=wave, used=True).update(used=True)
    audit_record(
        actor=actor, action="wave.close", target=f"wave:{wave.pk}", details={"expired": expired}
    )
    event_emit("wave.closed", wave_id=wave.pk)
    return wave


@transaction.atomic
def wave_raise_thresholds(
    *, wave: Wave, actor: User | None, scores: int | None = None, verbatims: int | None = None
) -> Wave:
    """Return the wave with new anonymity thresholds; once launched, they only go up."""
    wave = _locked_wave(wave)
    new_scores = wave.threshold_scores if scores is None else int(scores)
    new_verbatims = wave.threshold_verbatims if verbatims is None else int(verbatims)
    if not wave.is_draft and (
        new_scores < wave.threshold_scores or new_verbatims < wave.threshold_verbatims
    ):
        raise ValidationError(
            _("Once a wave has started, its thresholds can only be raised."), code="lower"
        )
    floor_scores, floor_verbatims = threshold_floor()
    errors = {}
    if new_scores < floor_scores:
        errors["threshold_scores"] = _("At least %(min)d.") % {"min": floor_scores}
    if new_verbatims < max(floor_verbatims, new_scores):
        errors["threshold_verbatims"] = _("At least %(min)d.") % {
            "min": max(floor_verbatims, new_scores)
        }
    errors.update(_thresholds_too_high(new_scores, new_verbatims))
    if errors:
        raise ValidationError(errors)
    before = (wave.threshold_scores, wave.threshold_verbatims)
    wave.threshold_scores, wave.threshold_verbatims = new_scores, new_verbatims
    wave.save(update_fields=["threshold_scores", "threshold_verbatims", "updated_at"])
    audit_record(
        actor=actor,
        action="wave.thresholds",
        target=f"wave:{wave.pk}",
        details={"from": list(before), "to": [new_scores, new_verbatims]},
    )
    return wave


def waves_open_due(*, now: datetime) -> list[int]:
    """Return the ids of the scheduled waves opened because their opening date came."""
    opened = []
    for wave in Wave.objects.filter(status=WaveStatus.SCHEDULED, opens_at__lte=now):
        wave_open(wave=wave, now=now)
        opened.append(wave.pk)
    return opened


def waves_close_due(*, now: datetime) -> list[int]:
    """Return the ids of the open waves closed because their closing date passed."""
    closed = []
    for wave in Wave.objects.filter(
        status__in=[WaveStatus.OPEN, WaveStatus.SCHEDULED], closes_at__lte=now
    ):
        wave_close(wave=wave, actor=None, now=now)
        closed.append(wave.pk)
    return closed


@transaction.atomic
def invitations_purge(*, wave: Wave, actor: User | None = None, now: datetime | None = None) -> int:
    """Return how many invitations of the closed wave lost their member and their tokens.

    Counts per unit stay (the invitation and its unit remain); who was invited goes.
    """
    now = now or timezone.now()
    wave = _locked_wave(wave)
    if wave.status != WaveStatus.CLOSED:
        raise ValidationError(_("Only a closed wave's invitations can be purged."), code="state")
    purged = Invitation.objects.filter(wave=wave, member__isnull=False).update(member=None)
    InvitationToken.objects.filter(invitation__wave=wave).delete()
    wave.purged_at = now
    wave.save(update_fields=["purged_at", "updated_at"])
    audit_record(
        actor=actor, action="wave.purge", target=f"wave:{wave.pk}", details={"purged": purged}
    )
    return purged


def waves_purge_due(*, now: datetime) -> list[int]:
    """Return the ids of the waves purged because they closed longer ago than retention."""
    days = settings.COLLECT_INVITATION_RETENTION_DAYS
    purged = []
    for wave in Wave.objects.filter(
        status=WaveStatus.CLOSED, purged_at__isnull=True, closed_at__lte=now - timedelta(days=days)
    ):
        invitations_purge(wave=wave, now=now)
        purged.append(wave.pk)
    return purged


# Pulses: recurring waves ------------------------------------------------------------------

PULSE_EDITABLE = (
    "instrument",
    "name",
    "lens",
    "channels",
    "open_links",
    "contract_types",
    "roles",
    "attributes",
    "reminder_days",
    "language",
    "threshold_scores",
    "threshold_verbatims",
    "every_weeks",
    "open_days",
    "starts_on",
    "opens_at_time",
    "ends_on",
)


def _pulse_check(pulse: Pulse, units: list[Unit]) -> None:
    """Raise a ValidationError naming every field of the pulse that is wrong.

    Its first wave, as the tick would create it, must pass the wave's own checks.
    """
    errors: dict[str, str] = {}
    if not 1 <= pulse.every_weeks <= MAX_EVERY_WEEKS:
        errors["every_weeks"] = _("Between 1 and %(max)d weeks.") % {"max": MAX_EVERY_WEEKS}
    elif not 1 <= pulse.open_days <= min(MAX_OPEN_DAYS, 7 * pulse.every_weeks):
        errors["open_days"] = _(
            "Between 1 and %(max)d days: a wave closes before the next one opens."
        ) % {"max": min(MAX_OPEN_DAYS, 7 * pulse.every_weeks)}
    elif any(day >= pulse.open_days for day in pulse.reminder_days):
        errors["reminder_days"] = _("Reminders fall while the wave is open (before day %(n)d).") % {
            "n": pulse.open_days
        }
    if problem := day_problem(pulse.starts_on):
        errors["starts_on"] = problem
    elif pulse.ends_on is not None and pulse.ends_on < pulse.starts_on:
        errors["ends_on"] = _("The last wave comes on or after the first.")
    if not errors:
        schedule = pulse_schedule(pulse)
        probe = Wave(
            instrument=pulse.instrument,
            kind=WaveKind.COLD,
            lens=pulse.lens,
            opens_at=schedule.opens(0),
            closes_at=schedule.closes(0),
            channels=pulse.channels,
            open_links=pulse.open_links,
            contract_types=pulse.contract_types,
            roles=pulse.roles,
            attributes=pulse.attributes,
            threshold_scores=pulse.threshold_scores,
            threshold_verbatims=pulse.threshold_verbatims,
        )
        try:
            _wave_check(probe, units)
        except ValidationError as error:
            errors.update({name: " ".join(texts) for name, texts in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pulse_create(
    *,
    actor: Any,
    units: Iterable[Unit],
    threshold_scores: int | None = None,
    threshold_verbatims: int | None = None,
    **fields: Any,
) -> Pulse:
    """Return a new active pulse; the tick creates and launches its waves as they come.

    ``fields`` are those of ``PULSE_EDITABLE`` (instrument, name, lens, every_weeks,
    open_days, starts_on, opens_at_time are required).
    """
    unknown = set(fields) - set(PULSE_EDITABLE)
    if unknown:
        raise TypeError(f"pulse_create() got unexpected fields: {', '.join(sorted(unknown))}")
    floor_scores, floor_verbatims = threshold_floor()
    units = list(units)
    pulse = Pulse(
        threshold_scores=threshold_scores or floor_scores,
        threshold_verbatims=threshold_verbatims or floor_verbatims,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _fields_set(pulse, fields)
    _pulse_check(pulse, units)
    pulse.full_clean(exclude=["units"])
    pulse.save()
    pulse.units.set(units)
    audit_record(actor=actor, action="pulse.create", target=f"pulse:{pulse.pk}")
    return pulse


def _locked_pulse(pulse: Pulse) -> Pulse:
    return Pulse.objects.select_for_update().select_related("instrument").get(pk=pulse.pk)


@transaction.atomic
def pulse_update(
    *, pulse: Pulse, actor: Any, units: Iterable[Unit] | None = None, **changes: Any
) -> Pulse:
    """Return the pulse changed; the waves it already created keep what they had."""
    pulse = _locked_pulse(pulse)
    if pulse.status == PulseStatus.STOPPED:
        raise ValidationError(_("A stopped pulse cannot change."), code="state")
    unknown = set(changes) - set(PULSE_EDITABLE)
    if unknown:
        raise TypeError(f"pulse_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _fields_set(pulse, changes)
    _save_checked(pulse, actor=actor, action="pulse.update", units=units, changes=changes)
    return pulse


# What each change of state requires, and its audit action.
PULSE_MOVES = {
    PulseStatus.PAUSED: ({PulseStatus.ACTIVE}, "pulse.pause"),
    PulseStatus.ACTIVE: ({PulseStatus.PAUSED}, "pulse.resume"),
    PulseStatus.STOPPED: ({PulseStatus.ACTIVE, PulseStatus.PAUSED}, "pulse.stop"),
}


@transaction.atomic
def pulse_set_status(*, pulse: Pulse, actor: Any, status: str) -> Pulse:
    """Return the pulse paused, resumed or stopped (for good); its waves go on as they are.

    A resumed pulse skips the occurrences that passed while it was paused.
    """
    pulse = _locked_pulse(pulse)
    allowed, action = PULSE_MOVES[PulseStatus(status)]
    if pulse.status not in allowed:
        raise ValidationError(
            _("This pulse is %(status)s.") % {"status": pulse.get_status_display().lower()},
            code="state",
        )
    pulse.status = status
    pulse.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=action, target=f"pulse:{pulse.pk}")
    return pulse


@transaction.atomic
def pulse_messages_set(*, pulse: Pulse, actor: Any, messages: Mapping[str, str]) -> Pulse:
    """Return the pulse with its invitation message per language, for the waves to come."""
    pulse = _locked_pulse(pulse)
    if pulse.status == PulseStatus.STOPPED:
        raise ValidationError(_("A stopped pulse cannot change."), code="state")
    _messages_store(pulse, actor=actor, messages=messages)
    return pulse


def _pulse_wave_name(pulse: Pulse, rank: int) -> str:
    with translation.override(pulse.language):
        return _("%(pulse)s, wave %(rank)d") % {"pulse": pulse.name[:170], "rank": rank}


def _pulse_wave_make(pulse: Pulse, schedule: Schedule, occurrence: int, rank: int) -> Wave:
    wave = wave_create(
        actor=None,
        instrument=pulse.instrument,
        name=_pulse_wave_name(pulse, rank),
        lens=pulse.lens,
        units=list(pulse.units.all()),
        opens_at=schedule.opens(occurrence),
        closes_at=schedule.closes(occurrence),
        channels=pulse.channels,
        open_links=pulse.open_links,
        contract_types=pulse.contract_types,
        roles=pulse.roles,
        attributes=pulse.attributes,
        reminder_days=pulse.reminder_days,
        language=pulse.language,
        threshold_scores=pulse.threshold_scores,
        threshold_verbatims=pulse.threshold_verbatims,
    )
    wave.pulse, wave.pulse_rank, wave.messages = pulse, rank, dict(pulse.messages)
    wave.save(update_fields=["pulse", "pulse_rank", "messages", "updated_at"])
    return wave


@transaction.atomic
def pulse_wave_due(*, pulse: Pulse, now: datetime) -> Wave | None:
    """Return the wave of the pulse's occurrence due now, created and launched; None if none.

    The pulse's row is locked, and its latest wave says which occurrences are done, so
    two ticks never create two waves for one occurrence (the unique rank guards it too).
    A wave the checks refuse (every unit of the audience closed since, the questionnaire
    left without questions for the lens…) is not created: the pulse pauses itself and
    the audit log says why, rather than failing again every minute.
    """
    pulse = _locked_pulse(pulse)
    if pulse.status != PulseStatus.ACTIVE:
        return None
    latest = pulse.waves.order_by("-pulse_rank").first()
    schedule = pulse_schedule(pulse)
    due = due_occurrence(schedule, after=latest.opens_at if latest else None, now=now)
    if due is None:
        return None
    rank = (latest.pulse_rank or 0) + 1 if latest else 1
    try:
        with transaction.atomic():
            wave = _pulse_wave_make(pulse, schedule, due.occurrence, rank)
            wave = wave_launch(wave=wave, actor=None, now=now)
    except ValidationError as error:
        pulse.status = PulseStatus.PAUSED
        pulse.save(update_fields=["status", "updated_at"])
        refused = sorted(error.message_dict) if hasattr(error, "error_dict") else ["__all__"]
        audit_record(
            actor=None,
            action="pulse.pause",
            target=f"pulse:{pulse.pk}",
            details={"rank": rank, "refused": refused},
        )
        return None
    audit_record(
        actor=None,
        action="pulse.wave",
        target=f"pulse:{pulse.pk}",
        details={"wave": wave.pk, "rank": rank, "skipped": due.skipped},
    )
    return wave


def pulses_launch_due(*, now: datetime) -> list[int]:
    """Return the ids of the waves the active pulses created because their occurrence came."""
    created = []
    for pulse in Pulse.objects.filter(status=PulseStatus.ACTIVE):
        wave = pulse_wave_due(pulse=pulse, now=now)
        if wave is not None:
            created.append(wave.pk)
    return created


# Invitation messages --------------------------------------------------------------------

MESSAGE_MAX = 1000


def _messages_clean(messages: Mapping[str, str]) -> dict[str, str]:
    """Return the messages per language to store (blank ones left out), or raise naming one."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for language, text in messages.items():
        if language not in Language.values:
            message = _("Unknown language: %(code)s.") % {"code": language}
            raise ValidationError({"messages": message})
        text = text_clean(text or "").strip()
        if len(text) > MESSAGE_MAX:
            errors[f"message_{language}"] = _("At most %(max)d characters.") % {"max": MESSAGE_MAX}
        elif text:
            cleaned[language] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _messages_store(target: Wave | Pulse, *, actor: Any, messages: Mapping[str, str]) -> None:
    target.messages = _messages_clean(messages)
    target.save(update_fields=["messages", "updated_at"])
    kind = "pulse" if isinstance(target, Pulse) else "wave"
    audit_record(
        actor=actor,
        action=f"{kind}.message",
        target=f"{kind}:{target.pk}",
        details={"languages": sorted(target.messages)},
    )


@transaction.atomic
def wave_messages_set(*, wave: Wave, actor: Any, messages: Mapping[str, str]) -> Wave:
    """Return the draft wave with its invitation message per language (blank: the default)."""
    wave = _locked_wave(wave)
    if not wave.is_draft:
        raise ValidationError(_("Only a draft wave can be changed."), code="state")
    _messages_store(wave, actor=actor, messages=messages)
    return wave


# Invitations (sent by ``collect.sending``) ---------------------------------------------------


@transaction.atomic
def invitation_create_customer(
    *,
    wave: Wave,
    unit: Unit,
    channel: str,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
) -> Invitation | None:
    """Return a new invitation for a customer contact, or None if the contact opted out.

    It is sent by the next ``send_invitations`` run once ``not_before`` has passed.
    """
    if wave.lens != Lens.CUSTOMER:
        raise ValidationError(_("Only customer waves invite customer contacts."), code="lens")
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("The wave is closed."), code="state")
    if channel not in wave.channels or not channel_get(channel).reaches_contact(
        email=email, phone=phone
    ):
        raise ValidationError(_("This channel cannot reach this contact."), code="channel")
    if not wave_reaches_unit(wave, unit):
        raise ValidationError(_("The unit is outside the wave's audience."), code="unit")
    if contact_opted_out(email=email, phone=phone):
        return None
    return Invitation.objects.create(
        wave=wave,
        unit=unit,
        channel=channel,
        email=email or None,
        phone=phone or None,
        language=language if language in Language.values else None,
        not_before=not_before,
        expires_at=min(expires_at or wave.closes_at, wave.closes_at),
    )


@dataclass(frozen=True)
class LinkRow:
    member: str
    unit: str
    unit_external_id: str
    language: str
    url: str


@transaction.atomic
def wave_links_export(
    *, wave: Wave, actor: User | None, now: datetime | None = None
) -> list[LinkRow]:
    """Return the wave's personal links, each with a fresh token, for unit managers to hand out.

    Every personal link is in the file, used or not, and a used link cannot be told from
    an unused one, so the file tells nobody who has answered. It is available only before
    answers arrive (``links_export_open``), and each download is audited. Earlier files
    keep working.
    """
    now = now or timezone.now()
    wave = _locked_wave(wave)
    if not links_export_open(wave, now=now):
        raise ValidationError(
            _(
                "Personal links can be downloaded only to hand them out: while the wave is "
                "scheduled and on the day it opens."
            ),
            code="links_closed",
        )
    invitations = list(invitations_for_links(wave))
    tokens = [token_new() for _invitation in invitations]
    InvitationToken.objects.bulk_create(
        [
            InvitationToken(invitation=invitation, token_hash=token_hash(token))
            for invitation, token in zip(invitations, tokens, strict=True)
        ],
        batch_size=1000,
    )
    Invitation.objects.filter(
        pk__in=[invitation.pk for invitation in invitations], status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.SENT, sent_at=now)
    audit_record(
        actor=actor,
        action="wave.links_export",
        target=f"wave:{wave.pk}",
        details={"links": len(invitations)},
    )
    return [
        LinkRow(
            member=invitation.member.full_name,
            unit=invitation.unit.name,
            unit_external_id=invitation.unit.external_id or "",
            language=invitation.respondent_language(),
            url=respondent_url(token, language=invitation.respondent_language()),
        )
        for invitation, token in zip(invitations, tokens, strict=True)
    ]


@transaction.atomic
def contact_opt_out(*, contact: str) -> bool:
    """Return whether the contact digest was newly added to the opt-outs (kept for ever)."""
    _optout, created = ContactOptOut.objects.get_or_create(contact_hash=contact)
    return created


def contact_opt_out_address(*, email: str | None = None, phone: str | None = None) -> bool:
    """Return whether the address was newly opted out (e.g. an SMS "STOP")."""
    digest = contact_hash(email=email, phone=phone)
    if not digest:
        raise ValueError("an e-mail address or a phone number is needed")
    return contact_opt_out(contact=digest)


# SMS provider events -------------------------------------------------------------------------

# Delivery statuses after which the message will never arrive.
SMS_UNDELIVERED = frozenset({"failed", "undelivered"})
# Twilio's error for a recipient who blocked the sender at the operator ("STOP" to Twilio).
TWILIO_UNSUBSCRIBED = "21610"


def provider_event_claim(*, provider: str, event_key: str) -> bool:
    """Return True the first time a provider event is seen; False for its retries and replays.

    The unique constraint decides, so two deliveries of one event racing each other
    claim it once.
    """
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(provider=provider, event_key=event_key[:128])
    except IntegrityError:
        return False
    return True


@transaction.atomic
def sms_delivery_report(*, message_id: str, status: str, error_code: str = "") -> bool:
    """Return whether a delivery report changed an invitation (failed: it is marked so).

    A recipient blocked at the operator is opted out as if they had replied STOP.
    """
    if not message_id:
        return False
    invitation = (
        Invitation.objects.select_for_update().filter(provider_message_id=message_id).first()
    )
    if invitation is None:
        return False
    if error_code == TWILIO_UNSUBSCRIBED and invitation.phone:
        contact_opt_out_address(phone=invitation.phone)
    if status not in SMS_UNDELIVERED:
        return False
    changes: dict[str, Any] = {
        "error": f"sms:{status}:{error_code}"[:64] if error_code else f"sms:{status}"
    }
    if invitation.status == InvitationStatus.SENT and not invitation.used:
        changes["status"] = InvitationStatus.FAILED
    Invitation.objects.filter(pk=invitation.pk).update(**changes)
    return True


def sms_reply_received(*, phone: str, body: str) -> bool:
    """Return whether the reply opted its sender out; any other reply is not kept.

    A STOP is honoured for ever, across every unit, wave and channel that uses the number.
    """
    if not phone or not reply_is_stop(body):
        return False
    contact_opt_out_address(phone=phone)
    return True


# Submissions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    """The outcome acknowledged to the respondent; ``replayed`` for a retried submission."""

    replayed: bool = False


def _answer_for(item: Item, value: Any) -> Answer:
    if value is None:
        return Answer(item=item, dont_know=True)
    scale = item.get_scale()
    if isinstance(scale, FreeTextScale):
        return Answer(item=item, text=value)
    if scale.is_numeric:
        return Answer(item=item, number=float(value))
    return Answer(item=item, choice=str(value))


def answers_check(
    items: list[Item], answers: Mapping[str, Any], *, language: str, not_asked: str = "reject"
) -> list[Answer]:
    """Return unsaved answers to the items asked, or raise ``ResponseRejected`` naming problems.

    A blank answer to an optional item is no answer; an unknown item code is a problem.
    Items whose display conditions do not hold for these answers (``instruments.logic``)
    are not asked: nothing is stored for them and they are never required. An answer
    given to one anyway is a ``not_asked`` problem, or, with ``not_asked="ignore"`` (the
    pages, which show every item when scripts are off), dropped.
    """
    by_code = {item.code: item for item in items}
    problems = []
    route = Route()
    with translation.override(language):
        for code in answers:
            if code not in by_code:
                problems.append(
                    AnswerProblem(
                        item_code=str(code)[:64],
                        reason="unknown_item",
                        message=_("This question is not part of the survey."),
                    )
                )
        built = []
        for item in items:
            raw = answers.get(item.code)
            if not route.asks(item):
                if not is_blank(raw) and not_asked != "ignore":
                    problems.append(
                        AnswerProblem(
                            item_code=item.code,
                            reason="not_asked",
                            message=_(
                                "This question is not asked after the answers given before it."
                            ),
                            detail=f"{item.code}: not asked, its display conditions do not hold",
                        )
                    )
                continue
            if is_blank(raw) and not item.required:
                continue
            try:
                value = item.get_scale().validate(raw)
            except ScaleValueError as error:
                problems.append(
                    AnswerProblem(
                        item_code=item.code,
                        reason=error.reason,
                        message=answer_error_message(error, language),
                        detail=str(error),
                    )
                )
            else:
                built.append(_answer_for(item, value))
                route.answered(item, answer_key(value))
    if problems:
        raise ResponseRejected(problems)
    return built


def _attributes(target: Target) -> dict[str, str]:
    """Return what the wave allows to keep with the response (member's attributes, moment)."""
    kept = {}
    if ResponseAttribute.MOMENT in target.wave.attributes and target.moment:
        kept[ResponseAttribute.MOMENT.value] = target.moment
    member = target.invitation.member if target.invitation else None
    if member is None:
        return kept
    if ResponseAttribute.CONTRACT_TYPE in target.wave.attributes and member.contract_type:
        kept[ResponseAttribute.CONTRACT_TYPE.value] = member.contract_type
    if ResponseAttribute.PROXIMITY in target.wave.attributes and member.proximity:
        kept[ResponseAttribute.PROXIMITY.value] = member.proximity
    return kept


def response_submit(
    *,
    answers: Mapping[str, Any],
    submission_id: str,
    language: str = Language.FRENCH,
    invitation_token: str | None = None,
    open_link: tuple[Any, Any] | None = None,
    kiosk: tuple[Any, Any] | None = None,
    moment: str | None = None,
    now: datetime | None = None,
    not_asked: str = "reject",
) -> SubmitResult:
    """Return the outcome of a respondent's submission, stored whole or not at all.

    Give ``invitation_token`` for a personal link, ``open_link=(wave public id, unit
    id)``, or ``kiosk=(wave public id, unit id)`` for a kiosk whose key the caller has
    checked; ``moment`` is the journey moment an open link or kiosk names. Raises
    ``UnknownLink``, ``WrongUnit``, ``WaveNotOpen``, ``WaveClosed``, ``InvitationExpired``,
    ``AlreadyAnswered`` (customer waves only: a used link of the organisation's lenses is
    acknowledged and stores nothing) or ``ResponseRejected`` (see errors.py).
    The same ``submission_id`` sent again returns the first outcome without a new row.
    ``not_asked`` says what becomes of answers to items the survey logic skips:
    ``"reject"`` (the kiosk intake) or ``"ignore"`` (the pages); see ``answers_check``.
    """
    if sum(way is not None for way in (invitation_token, open_link, kiosk)) != 1:
        raise TypeError("give exactly one of invitation_token, open_link and kiosk")
    if not submission_id_valid(submission_id):
        with translation.override(language):
            message = _("The form was incomplete: please send it again.")
        raise ResponseRejected(
            [AnswerProblem(item_code="", reason="submission_id", message=message)]
        )
    now = now or timezone.now()
    today = timezone.localdate(now)
    if invitation_token is not None:
        target = target_for_token(invitation_token)
    elif open_link is not None:
        target = target_for_open_link(*open_link, moment=moment)
    else:
        target = target_for_kiosk(*kiosk, moment=moment)
    wave = target.wave
    receipt = submission_hash(submission_id)
    try:
        target_check(target, now=now)
        built = answers_check(
            respondent_items(wave), answers, language=language, not_asked=not_asked
        )
    except CollectError:
        # A retry of a submission already stored gets its first outcome, even once the
        # wave has closed or the link been used (by that very submission).
        if SubmissionReceipt.objects.filter(wave=wave, submission_hash=receipt).exists():
            return SubmitResult(replayed=True)
        raise
    try:
        stored = _store(target, built, receipt=receipt, today=today)
    except AlreadyAnswered:
        if wave.protects_identity:
            # A used link of the organisation's lenses answers like an unused one, and its
            # new answers are dropped whole (receipt included): nobody can tell by trying
            # a link whether its member answered, and each link still counts once.
            return SubmitResult()
        raise
    except IntegrityError:
        # The same submission, retried while the first was being stored, lost the race
        # on the receipt: the first one's outcome stands.
        if SubmissionReceipt.objects.filter(wave=wave, submission_hash=receipt).exists():
            return SubmitResult(replayed=True)
        raise
    return SubmitResult(replayed=not stored)


def _store(target: Target, answers: list[Answer], *, receipt: str, today: date) -> bool:
    """Store the response whole or not at all; return False when its receipt was there.

    Raises ``AlreadyAnswered`` when the invitation was used meanwhile (nothing stored).
    """
    wave = target.wave
    invitation = target.invitation
    author = estimate_author(target)
    response = Response(
        wave=wave,
        unit=target.unit,
        lens=wave.lens,
        submitted_on=today,
        attributes=_attributes(target),
        channel=target.channel,
        invitation=invitation if wave.lens == Lens.CUSTOMER else None,
        author=author,
    )
    for answer in answers:
        answer.response = response
    if connection.vendor == "postgresql":
        # PostgreSQL: one statement, so one round trip, atomic by itself without a personal
        # link; with one, a transaction takes the receipt back if the link was used.
        if invitation is None:
            stored = _store_statement(response, answers, invitation, receipt=receipt, today=today)
        else:
            with transaction.atomic():
                stored = _store_statement(
                    response, answers, invitation, receipt=receipt, today=today
                )
    else:
        stored = _store_models(response, answers, invitation, receipt=receipt, today=today)
    if stored:
        response._state.adding = False
        transaction.on_commit(
            lambda: response_stored.send(sender=Response, response=response, answers=answers)
        )
    return stored


@transaction.atomic
def _store_models(
    response: Response,
    answers: list[Answer],
    invitation: Invitation | None,
    *,
    receipt: str,
    today: date,
) -> bool:
    """Store through the ORM, a statement per table (SQLite)."""
    wave = response.wave
    # First, so that a concurrent retry of the same submission waits on it.
    SubmissionReceipt.objects.create(wave=wave, submission_hash=receipt, created_on=today)
    # The single-use guard: of two racing submissions, only one updates the row.
    if invitation is not None and not Invitation.objects.filter(
        pk=invitation.pk, used=False
    ).update(used=True):
        raise AlreadyAnswered
    response.save(force_insert=True)
    Answer.objects.bulk_create(answers)
    # In the same transaction: the roll-ups never count a response that was not stored.
    # An attributed estimate stays out of them: it is shown as itself, at its unit only,
    # and the anonymous figures (and the gate's sums) hold anonymous answers only.
    if response.author_id is None:
        results_services.rollups_add(response=response, answers=answers)
    return True


def _insert_sql(model: type[Model], rows: list[list[Any]], source: str) -> tuple[str, list[Any]]:
    """Return ``INSERT … SELECT`` of ``rows`` (every concrete column) for each row of ``source``."""
    sql = _insert_text(model, len(rows), source, connection.vendor)
    return sql, [value for row in rows for value in row]


@lru_cache(maxsize=64)
def _insert_text(model: type[Model], count: int, source: str, vendor: str) -> str:
    """Return the text of ``_insert_sql``'s statement, built once per shape."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    names = ", ".join(quote(f.column) for f in fields)
    # The first row's types are the column's: the others need no cast (a shorter statement).
    first = "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields) + ")"
    other = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([first] + [other] * (count - 1))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({names}) SELECT v.* FROM {source}, (VALUES {values}) AS v"  # noqa: S608


def _row(instance: Model) -> list[Any]:
    return [
        f.get_db_prep_save(f.pre_save(instance, True), connection)
        for f in instance._meta.concrete_fields
    ]


def _store_statement(
    response: Response,
    answers: list[Answer],
    invitation: Invitation | None,
    *,
    receipt: str,
    today: date,
) -> bool:
    """Store the receipt, the response, its answers and their roll-ups in one statement.

    The receipt goes first (``ON CONFLICT DO NOTHING``: a concurrent retry of the same
    submission waits on it, then stores nothing); a personal link's invitation is claimed
    only where the receipt was new and only if still unused (the single-use guard); the
    response, its answers and the roll-ups follow only from a claimed link or a new receipt.
    """
    quote = connection.ops.quote_name
    receipt_row = SubmissionReceipt(wave=response.wave, submission_hash=receipt, created_on=today)
    receipt_sql, receipt_params = _insert_sql(
        SubmissionReceipt, [_row(receipt_row)], "(SELECT 1) AS one"
    )
    receipt_sql += (
        f" ON CONFLICT ({quote('wave_id')}, {quote('submission_hash')}) DO NOTHING"
        f" RETURNING {quote('id')}"
    )
    parts = [("receipt", receipt_sql, receipt_params)]
    if invitation is not None:
        table, used, pk = (quote(name) for name in (Invitation._meta.db_table, "used", "id"))
        claim_sql = f"UPDATE {table} SET {used} = true WHERE {pk} = %s AND NOT {used} "  # noqa: S608
        claim_sql += f"AND EXISTS (SELECT 1 FROM receipt) RETURNING {pk}"  # noqa: S608
        parts.append(("claim", claim_sql, [invitation.pk]))
    gate = "claim" if invitation is not None else "receipt"
    response_sql, response_params = _insert_sql(
        Response,
        [_row(response)],
        f"(SELECT 1 FROM {gate} LIMIT 1) AS g",  # noqa: S608
    )
    parts.append(("stored", response_sql + f" RETURNING {quote('id')}", response_params))
    if answers:
        answers_sql, answers_params = _insert_sql(Answer, [_row(a) for a in answers], "stored")
        parts.append(("answers", answers_sql, answers_params))
    # An attributed estimate stays out of the roll-ups (see ``_store_models``).
    upserts = (
        results_services.rollups_upserts(
            response=response, answers=answers, guard="EXISTS (SELECT 1 FROM stored)"
        )
        if response.author_id is None
        else []
    )
    for index, (sql, params) in enumerate(upserts):
        parts.append((f"rollup{index}", sql, params))
    sql = "WITH " + ", ".join(f"{name} AS ({body})" for name, body, _params in parts)
    claim_count = "(SELECT count(*) FROM claim)" if invitation is not None else "1"
    sql += f" SELECT (SELECT count(*) FROM receipt), {claim_count}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _name, _body, params in parts for value in params])
        new_receipt, claim = cursor.fetchone()
    if not new_receipt:
        return False
    if not claim:
        raise AlreadyAnswered
    return True


# Kiosks ------------------------------------------------------------------------------------


@transaction.atomic
def kiosk_issue(
    *,
    wave: Wave,
    unit: Unit,
    actor: User | None,
    moment: str | None = None,
    now: datetime | None = None,
) -> tuple[Kiosk, str]:
    """Return a new kiosk of the wave for ``unit`` and its key (shown once, never stored).

    Only the key's SHA-256 is kept; the kiosk works until it is revoked or the wave
    closes. The issue is audited.
    """
    if "kiosk" not in wave.channels:
        raise ValidationError(_("Add the kiosk channel to the wave first."), code="channel")
    if wave.status not in (WaveStatus.OPEN, WaveStatus.SCHEDULED):
        raise ValidationError(_("Kiosks exist only while the wave is scheduled or open."))
    if not unit.is_active or not wave_reaches_unit(wave, unit):
        raise ValidationError(_("The unit is outside the wave's audience."), code="unit")
    if moment and (
        ResponseAttribute.MOMENT not in wave.attributes
        or not Moment.objects.filter(code=moment).exists()
    ):
        raise ValidationError(_("This wave does not keep this journey moment."), code="moment")
    key = token_new()
    kiosk = Kiosk.objects.create(
        wave=wave,
        unit=unit,
        moment=moment or "",
        key_hash=token_hash(key),
        issued_at=now or timezone.now(),
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="wave.kiosk_issue",
        target=f"wave:{wave.pk}",
        details={"unit": unit.pk, "moment": moment or "", "kiosk": str(kiosk.pk)},
    )
    return kiosk, key


def kiosk_link(kiosk: Kiosk, key: str) -> str:
    """Return the link that sets a tablet up as ``kiosk``: the key after ``#``, never sent."""
    path = reverse("collect:kiosk", args=[kiosk.wave.public_id, kiosk.unit_id])
    return f"{settings.SITE_URL}{path}#{urlencode({FRAGMENT_NAME: key})}"


@transaction.atomic
def kiosk_revoke(*, kiosk: Kiosk, actor: User | None, now: datetime | None = None) -> Kiosk:
    """Return the kiosk revoked: its tablet can no longer send answers. Audited."""
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if kiosk.revoked:
        raise ValidationError(_("This kiosk is already revoked."), code="revoked")
    kiosk.revoked_at = now or timezone.now()
    kiosk.revoked_by = actor if getattr(actor, "pk", None) else None
    kiosk.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="wave.kiosk_revoke",
        target=f"wave:{kiosk.wave_id}",
        details={"unit": kiosk.unit_id, "kiosk": str(kiosk.pk)},
    )
    return kiosk
