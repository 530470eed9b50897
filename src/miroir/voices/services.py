"""Writes of the voices: submission, intake of complaints, life cycle, open innovation, moderation.

Every state change is atomic, writes its audit entry when it is sensitive, and sends its
e-mails once committed. Anonymous submissions are not audited: the journal would tie a
login to a time, and through it to the voice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.core.emails import email_message, email_render
from miroir.core.events import event_emit
from miroir.core.inputs import moment_problem, text_clean
from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Member, Role, RoleKind, Unit
from miroir.results import gate
from miroir.voices.claims import claim_code_new, claim_digest
from miroir.voices.models import (
    COMMENT_MAX,
    STAFF_KINDS,
    TEXT_MAX,
    TITLE_MAX,
    Voice,
    VoiceComment,
    VoiceEvent,
    VoiceEventKind,
    VoiceKind,
    VoiceNotify,
    VoiceOutcome,
    VoiceReport,
    VoiceSource,
    VoiceStatus,
    VoiceSupport,
    arrived,
)

if TYPE_CHECKING:
    from miroir.accounts.models import User

logger = logging.getLogger(__name__)


def submission_receipt(submission_id: str) -> str:
    """Return the digest a form's random id is kept under."""
    return hashlib.sha256(f"voice-submission:{submission_id}".encode()).hexdigest()


def _complaint_receipt(*, unit: Unit, text: str, contact_email: str, day: date) -> str:
    """Return the receipt of a public complaint: the same one sent again the same day finds it.

    The public form carries no account and no external id: its unit, text and address, on the
    day, are what makes a complaint the same (a double click, a robot sending it again).
    """
    content = "\n".join([str(unit.pk), " ".join(text.split()).casefold(), contact_email.lower()])
    fingerprint = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return submission_receipt(f"complaint:{day.isoformat()}:{fingerprint}")


CONTACT_CONFIRM_SALT = "voices.contact-confirm"
# How long the link that confirms a complaint's address stays valid.
CONTACT_CONFIRM_MAX_AGE = timedelta(days=7)


def contact_confirm_token(voice: Voice) -> str:
    """Return the signed token of the link confirming a complaint's contact address."""
    return signing.dumps(
        {"voice": str(voice.pk), "email": voice.contact_email.lower()}, salt=CONTACT_CONFIRM_SALT
    )


def _ask_contact_confirmation(voice_id: Any) -> None:
    voice = Voice.objects.filter(pk=voice_id).first()
    if voice is None or not voice.contact_email or voice.contact_confirmed_at is not None:
        return
    link = settings.SITE_URL + reverse(
        "voices:complaint_confirm", args=[contact_confirm_token(voice)]
    )
    _send(voice, "contact_confirm", voice.contact_email, voice.language, link=link)


@transaction.atomic
def complaint_contact_confirm(*, token: str) -> Voice:
    """Return the complaint whose contact address the token confirms, now confirmed.

    ``ValidationError`` for a token that is forged, expired, or for an address changed since.
    """
    try:
        found = signing.loads(
            token, salt=CONTACT_CONFIRM_SALT, max_age=CONTACT_CONFIRM_MAX_AGE.total_seconds()
        )
        voice = Voice.objects.select_for_update().filter(pk=found["voice"]).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        voice = found = None
    if voice is None or not voice.contact_email or voice.contact_email.lower() != found["email"]:
        raise ValidationError(
            _(
                "This link is not valid or has expired. Your complaint is kept: follow it "
                "and read its answer with its code."
            )
        )
    if voice.contact_confirmed_at is None:
        voice.contact_confirmed_at = timezone.now()
        voice.save(update_fields=["contact_confirmed_at"])
    return voice


# Routing and deadlines ---------------------------------------------------------------------


def voice_deadline(kind: str, received_at: datetime) -> datetime:
    """Return when a voice of ``kind`` received at ``received_at`` is due an answer."""
    return received_at + timedelta(days=settings.VOICES_DEADLINE_DAYS[kind])


def unit_manager(unit: Unit | None) -> Member | None:
    """Return the manager of ``unit``, or of its nearest ancestor that has one."""
    while unit is not None:
        role = (
            Role.objects.filter(kind=RoleKind.MANAGER, unit=unit, member__is_active=True)
            .select_related("member")
            .order_by("id")
            .first()
        )
        if role is not None:
            return role.member
        unit = unit.parent
    return None


def escalation_target(voice: Voice) -> Member | None:
    """Return the manager above the voice's owner: the first one above the owning unit."""
    unit = voice.unit
    owner = voice.owner
    # Climb to the unit whose manager owns the voice, then one step beyond it.
    while unit is not None:
        if (
            owner is not None
            and Role.objects.filter(kind=RoleKind.MANAGER, unit=unit, member=owner).exists()
        ):
            return unit_manager(unit.parent)
        unit = unit.parent
    return unit_manager(voice.unit.parent)


# Intake ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A stored voice, with the claim code to show once (None when there is none)."""

    voice: Voice
    claim_code: str | None = None
    created: bool = True


def _clean(title: str, text: str) -> tuple[str, str]:
    title = " ".join(text_clean(title or "").split())
    text = text_clean(text or "").strip()
    problems: dict[str, list[str]] = {}
    if not text:
        problems["text"] = [_("Say what you have to say: the text is empty.")]
    elif len(text) > TEXT_MAX:
        problems["text"] = [_("At most %(max)d characters.") % {"max": TEXT_MAX}]
    if len(title) > TITLE_MAX:
        problems["title"] = [_("At most %(max)d characters.") % {"max": TITLE_MAX}]
    if problems:
        raise ValidationError(problems)
    if not title:
        # A title from the first words, so that lists stay readable.
        first = " ".join(text.split()[:10])
        title = first if len(first) <= 80 else first[:79] + "…"
    return title, text


def _moment(kind: str, moment: Moment | str | None) -> Moment | None:
    if isinstance(moment, str):
        moment = Moment.objects.filter(code=moment).first() if moment else None
        if moment is None and kind == VoiceKind.IRRITANT:
            raise ValidationError({"moment": [_("Choose a moment of the customer journey.")]})
    if kind == VoiceKind.IRRITANT and moment is None:
        raise ValidationError({"moment": [_("Say at which moment of the journey it hurts.")]})
    return moment


def _receive(voice: Voice, claim_code: str | None) -> Received:
    voice.due_at = voice_deadline(voice.kind, voice.received_at)
    voice.owner = unit_manager(voice.unit)
    # Names are removed in the write itself (milliseconds): no reader ever meets a voice
    # whose text waits for a background step, and no task row carries its id.
    _analyse(voice)
    voice.save()
    if not voice.is_anonymous:
        # An anonymous voice gets no event row: its sequential id, among the other voices'
        # events, would place its arrival between two instants. Its timeline starts from
        # its day of receipt (``selectors.voice_timeline``).
        VoiceEvent.objects.create(voice=voice, kind=VoiceEventKind.RECEIVED, at=voice.received_at)
        # An anonymous voice is announced with the others of its day, the day after
        # (``webhooks``' daily round): an event now would date it to the minute.
        received = "complaint.received" if voice.kind == VoiceKind.COMPLAINT else "voice.received"
        event_emit(received, voice_id=voice.pk)
    return Received(voice=voice, claim_code=claim_code)


def anonymous_unit(author: Member) -> Unit:
    """Return the unit an anonymous voice of ``author`` is filed under.

    The nearest unit at or above the author's whose active people of the author's lens
    reach the gate's verbatim threshold (the company when none does): a voice shown with
    a unit of one to a few people would name its author.
    """
    return anonymous_unit_for(author.unit, author.lens)


def anonymous_unit_for(unit: Unit, lens: str) -> Unit:
    """Return the nearest unit at or above ``unit`` whose active people of ``lens`` reach the
    verbatim threshold (the company when none does); see ``anonymous_unit``."""
    threshold = gate.verbatim_threshold(lens)
    partners = Q(contract_type=ContractType.PARTNER)
    people = Member.objects.filter(is_active=True).filter(
        partners if lens == Lens.PARTNER else ~partners
    )
    while unit.parent_id is not None:
        if people.filter(unit__path__startswith=unit.path).count() >= threshold:
            break
        unit = unit.parent
    return unit


def voice_submit(
    *,
    author: Member,
    kind: str,
    text: str,
    title: str = "",
    anonymous: bool = False,
    moment: Moment | str | None = None,
    notify: str = VoiceNotify.APP,
    language: str = "fr",
    submission_id: str = "",
    now: datetime | None = None,
) -> Received:
    """Return the stored voice of an employee or partner, and its claim code if anonymous.

    An anonymous voice keeps no author, no notification channel and a receipt time rounded
    to the day: only the digest of the claim code returned here links it to its author.
    The same ``submission_id`` sent again (a retry, a reload) returns the first voice with
    ``created`` False and no code: the code is shown once.
    """
    return _staff_voice(
        author=author,
        lens=author.lens,
        unit=author.unit,
        kind=kind,
        text=text,
        title=title,
        anonymous=anonymous,
        moment=moment,
        notify=notify,
        language=language,
        submission_id=submission_id,
        now=now,
    )


def tablet_voice_submit(
    *,
    unit: Unit,
    kind: str,
    text: str,
    title: str = "",
    moment: Moment | str | None = None,
    submission_id: str = "",
    now: datetime | None = None,
) -> Received:
    """Return the anonymous voice left on the shop tablet of ``unit``, and its claim code.

    The same voice as an anonymous one sent from a phone, of the employee lens, filed by the
    same rule (``anonymous_unit_for``); nothing in it says it came from a tablet.
    """
    return _staff_voice(
        author=None,
        lens=Lens.EMPLOYEE,
        unit=unit,
        kind=kind,
        text=text,
        title=title,
        anonymous=True,
        moment=moment,
        notify=VoiceNotify.NONE,
        language="",
        submission_id=submission_id,
        now=now,
    )


def _staff_voice(
    *,
    author: Member | None,
    lens: str,
    unit: Unit,
    kind: str,
    text: str,
    title: str,
    anonymous: bool,
    moment: Moment | str | None,
    notify: str,
    language: str,
    submission_id: str,
    now: datetime | None,
) -> Received:
    receipt = submission_receipt(submission_id) if submission_id else None
    if receipt:
        existing = Voice.objects.filter(submission_digest=receipt).first()
        if existing is not None:
            return Received(voice=existing, created=False)
    if kind not in STAFF_KINDS:
        raise ValidationError({"kind": [_("Choose a kind of voice.")]})
    title, text = _clean(title, text)
    chosen = _moment(kind, moment)
    now = now or timezone.now()
    code = claim_code_new() if anonymous else None
    if anonymous:
        local = timezone.localtime(now)
        now = local.replace(hour=0, minute=0, second=0, microsecond=0)
        notify = VoiceNotify.NONE
        language = ""
    elif notify not in VoiceNotify.values:
        raise ValidationError({"notify": [_("Choose how to be told of the answer.")]})
    voice = Voice(
        kind=kind,
        lens=lens,
        source=VoiceSource.APP,
        unit=anonymous_unit_for(unit, lens) if anonymous else unit,
        moment=chosen,
        title=title,
        text=text,
        author=None if anonymous else author,
        is_anonymous=anonymous,
        claim_digest=claim_digest(code) if code else None,
        submission_digest=receipt,
        notify=notify,
        language=language[:2],
        received_at=now,
    )
    try:
        with transaction.atomic():
            return _receive(voice, code)
    except IntegrityError:
        # The same form, sent twice at once: the first one stands.
        existing = Voice.objects.filter(submission_digest=receipt).first() if receipt else None
        if existing is None:
            raise
        return Received(voice=existing, created=False)


@transaction.atomic
def complaint_receive(
    *,
    unit: Unit,
    text: str,
    source: str,
    title: str = "",
    external_id: str = "",
    moment: Moment | str | None = None,
    contact_email: str = "",
    language: str = "fr",
    received_at: datetime | None = None,
    with_claim_code: bool = False,
    now: datetime | None = None,
) -> Received:
    """Return the stored customer complaint; one already received under the same source and
    external id comes back unchanged (``created`` False), so that re-sending is safe."""
    if source not in VoiceSource.values or source == VoiceSource.APP:
        raise ValidationError({"source": [_("Unknown source of complaints.")]})
    if external_id:
        existing = Voice.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return Received(voice=existing, created=False)
    title, text = _clean(title, text)
    if not unit.is_active:
        raise ValidationError({"unit": [_("This unit is closed.")]})
    chosen = _moment(VoiceKind.COMPLAINT, moment)
    now = now or timezone.now()
    received_at = received_at or now
    late = moment_problem(received_at, now=now, future=timedelta(minutes=5))
    if late:
        raise ValidationError({"received_at": [late]})
    public = source == VoiceSource.WEB_FORM
    receipt = None
    if public:
        receipt = _complaint_receipt(
            unit=unit, text=text, contact_email=contact_email, day=timezone.localdate(now)
        )
        existing = Voice.objects.filter(submission_digest=receipt).first()
        if existing is not None:
            return Received(voice=existing, created=False)
    code = claim_code_new() if with_claim_code else None
    voice = Voice(
        submission_digest=receipt,
        # An address from an integration is the company's own record; one typed on the
        # public form is written to only once its owner confirmed it.
        contact_confirmed_at=None if public else (now if contact_email else None),
        kind=VoiceKind.COMPLAINT,
        lens=Lens.CUSTOMER,
        source=source,
        external_id=external_id,
        unit=unit,
        moment=chosen,
        title=title,
        text=text,
        claim_digest=claim_digest(code) if code else None,
        notify=VoiceNotify.EMAIL if contact_email else VoiceNotify.NONE,
        contact_email=contact_email,
        language=(language or "fr")[:2],
        received_at=received_at,
    )
    try:
        with transaction.atomic():
            received = _receive(voice, code)
    except IntegrityError:
        # The same external id or public complaint, sent twice at once: the first one stands.
        existing = (
            Voice.objects.filter(submission_digest=receipt).first()
            if receipt
            else Voice.objects.filter(source=source, external_id=external_id).first()
        )
        if existing is None:
            raise
        return Received(voice=existing, created=False)
    if public and contact_email:
        transaction.on_commit(lambda: _ask_contact_confirmation(received.voice.pk))
    return received


# Life cycle --------------------------------------------------------------------------------


def _member_of(actor: User | None) -> Member | None:
    if isinstance(actor, Member):
        return actor
    return Member.objects.filter(user_id=getattr(actor, "pk", None)).first() if actor else None


def _locked(voice: Voice) -> Voice:
    return Voice.objects.select_for_update().get(pk=voice.pk)


def _audit(actor: User | None, action: str, voice: Voice, **details: Any) -> None:
    audit_record(actor=actor, action=action, target=f"voice:{voice.pk}", details=details)


@transaction.atomic
def voice_acknowledge(*, voice: Voice, actor: User | None, now: datetime | None = None) -> Voice:
    """Return the voice, acknowledged: its owner has read it (received → acknowledged)."""
    voice = _locked(voice)
    if voice.status != VoiceStatus.RECEIVED:
        raise ValidationError(_("Only a voice just received can be acknowledged."))
    now = now or timezone.now()
    voice.status = VoiceStatus.ACKNOWLEDGED
    voice.acknowledged_at = now
    voice.save(update_fields=["status", "acknowledged_at"])
    VoiceEvent.objects.create(voice=voice, kind=VoiceEventKind.ACKNOWLEDGED, at=now)
    return voice


@transaction.atomic
def voice_study(*, voice: Voice, actor: User | None, now: datetime | None = None) -> Voice:
    """Return the voice, under study (from received or acknowledged)."""
    voice = _locked(voice)
    if voice.status not in (VoiceStatus.RECEIVED, VoiceStatus.ACKNOWLEDGED):
        raise ValidationError(_("This voice is already under study or answered."))
    now = now or timezone.now()
    voice.acknowledged_at = voice.acknowledged_at or now
    voice.status = VoiceStatus.STUDYING
    voice.studied_at = now
    voice.save(update_fields=["status", "acknowledged_at", "studied_at"])
    VoiceEvent.objects.create(voice=voice, kind=VoiceEventKind.STUDYING, at=now)
    return voice


@transaction.atomic
def voice_answer(
    *,
    voice: Voice,
    actor: User | None,
    outcome: str,
    text: str = "",
    effect: str = "",
    merged_into: Voice | None = None,
    now: datetime | None = None,
) -> Voice:
    """Return the voice, answered with ``outcome``; its author is told.

    Declining needs a reason and merging a target voice. An adopted voice may be answered
    again once implemented (with its effect), which keeps the first answer's date.
    """
    voice = _locked(voice)
    text = text_clean(text or "").strip()
    effect = text_clean(effect or "").strip()
    if outcome not in VoiceOutcome.values:
        raise ValidationError({"outcome": [_("Choose an outcome.")]})
    if voice.status == VoiceStatus.ANSWERED and not (
        voice.outcome == VoiceOutcome.ADOPTED and outcome == VoiceOutcome.IMPLEMENTED
    ):
        raise ValidationError(_("This voice is already answered."))
    if outcome == VoiceOutcome.DECLINED and not text:
        raise ValidationError({"text": [_("Say why the voice is declined.")]})
    if len(text) > TEXT_MAX or len(effect) > TEXT_MAX:
        raise ValidationError({"text": [_("At most %(max)d characters.") % {"max": TEXT_MAX}]})
    if outcome == VoiceOutcome.MERGED:
        if merged_into is None:
            raise ValidationError({"merged_into": [_("Choose the voice to merge into.")]})
        if merged_into.pk == voice.pk or merged_into.merged_into_id == voice.pk:
            raise ValidationError({"merged_into": [_("A voice cannot be merged into itself.")]})
        if merged_into.outcome == VoiceOutcome.MERGED:
            merged_into = merged_into.merged_into
        if not text:
            text = _("Merged into “%(title)s”, which carries the same idea.") % {
                "title": merged_into.shown_title()
            }
    elif merged_into is not None:
        raise ValidationError({"merged_into": [_("Only a merge names another voice.")]})
    now = now or timezone.now()
    voice.status = VoiceStatus.ANSWERED
    voice.outcome = outcome
    voice.answer = text or voice.answer
    voice.effect = effect or voice.effect
    voice.merged_into = merged_into
    voice.answered_at = voice.answered_at or now
    voice.answered_by = _member_of(actor)
    voice.acknowledged_at = voice.acknowledged_at or now
    voice.answer_unread = voice.author_id is not None
    voice.redacted_answer, voice.redacted_effect = texts_redacted(
        [voice.answer, voice.effect], language=voice.language
    )
    voice.save()
    if outcome == VoiceOutcome.MERGED:
        _supports_move(voice, merged_into)
    VoiceEvent.objects.create(voice=voice, kind=VoiceEventKind.ANSWERED, at=now, text=voice.answer)
    _audit(actor, "voice.answer", voice, outcome=outcome)
    event_emit("voice.answered", voice_id=voice.pk)
    voice_id = voice.pk
    transaction.on_commit(lambda: _tell_author(voice_id))
    return voice


def _supports_move(voice: Voice, into: Voice) -> None:
    """Carry the merged voice's supporters over to the voice it joins, once each."""
    already = set(VoiceSupport.objects.filter(voice=into).values_list("member_id", flat=True))
    moved = [
        VoiceSupport(voice=into, member_id=member_id)
        for member_id in VoiceSupport.objects.filter(voice=voice).values_list(
            "member_id", flat=True
        )
        if member_id not in already
    ]
    VoiceSupport.objects.bulk_create(moved)
    Voice.objects.filter(pk=into.pk).update(support_count=F("support_count") + len(moved))


def voice_merge(
    *, voice: Voice, into: Voice, actor: User | None, now: datetime | None = None
) -> Voice:
    """Return ``voice``, answered as merged into ``into`` (its supporters follow)."""
    return voice_answer(
        voice=voice, actor=actor, outcome=VoiceOutcome.MERGED, merged_into=into, now=now
    )


@transaction.atomic
def voice_mark_read(*, voice: Voice) -> None:
    """Forget the "new answer" mark once the author has read the answer."""
    if voice.answer_unread:
        Voice.objects.filter(pk=voice.pk).update(answer_unread=False)


# Reminders and escalation (run by the periodic task) ---------------------------------------


def voices_remind_due(*, now: datetime) -> int:
    """Return how many owners were reminded of a voice due within the reminder period."""
    horizon = now + timedelta(days=settings.VOICES_REMINDER_DAYS)
    due = Voice.objects.filter(
        arrived(now),
        due_at__gt=now,
        due_at__lte=horizon,
        reminded_at__isnull=True,
        owner__isnull=False,
    ).exclude(status=VoiceStatus.ANSWERED)
    count = 0
    for voice_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            voice = Voice.objects.select_for_update().get(pk=voice_id)
            if voice.reminded_at is not None or voice.status == VoiceStatus.ANSWERED:
                continue
            voice.reminded_at = now
            voice.save(update_fields=["reminded_at"])
            VoiceEvent.objects.create(voice=voice, kind=VoiceEventKind.REMINDED, at=now)
            transaction.on_commit(
                lambda voice_id=voice_id: _tell_manager(voice_id, "voice_reminder", "owner")
            )
            count += 1
    return count


def voices_escalate_overdue(*, now: datetime) -> int:
    """Return how many overdue voices were escalated to the manager above their owner."""
    overdue = Voice.objects.filter(
        arrived(now), due_at__lte=now, escalated_at__isnull=True
    ).exclude(status=VoiceStatus.ANSWERED)
    count = 0
    for voice_id in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            voice = (
                Voice.objects.select_for_update(of=("self",))
                .select_related("unit")
                .get(pk=voice_id)
            )
            if voice.escalated_at is not None or voice.status == VoiceStatus.ANSWERED:
                continue
            target = escalation_target(voice)
            voice.escalated_at = now
            voice.escalated_to = target
            voice.save(update_fields=["escalated_at", "escalated_to"])
            VoiceEvent.objects.create(voice=voice, kind=VoiceEventKind.ESCALATED, at=now)
            _audit(None, "voice.escalate", voice, to=target.pk if target else None)
            event_emit("alert.raised", alert="voice_overdue", voice_id=voice.pk)
            if target is not None:
                transaction.on_commit(
                    lambda voice_id=voice_id: _tell_manager(
                        voice_id, "voice_escalated", "escalated_to"
                    )
                )
            count += 1
    return count


# Open innovation ---------------------------------------------------------------------------


@transaction.atomic
def voice_support(*, voice: Voice, member: Member) -> bool:
    """Return whether the member's "+1" was added (False: they had given it already)."""
    try:
        with transaction.atomic():
            VoiceSupport.objects.create(voice=voice, member=member)
    except IntegrityError:
        return False
    Voice.objects.filter(pk=voice.pk).update(support_count=F("support_count") + 1)
    return True


@transaction.atomic
def voice_unsupport(*, voice: Voice, member: Member) -> bool:
    """Return whether the member's "+1" was withdrawn."""
    deleted, _details = VoiceSupport.objects.filter(voice=voice, member=member).delete()
    if deleted:
        Voice.objects.filter(pk=voice.pk, support_count__gt=0).update(
            support_count=F("support_count") - 1
        )
    return bool(deleted)


@transaction.atomic
def voice_comment_add(
    *, voice: Voice, member: Member, text: str, now: datetime | None = None
) -> VoiceComment:
    """Return the colleague's comment added to the voice."""
    text = text_clean(text or "").strip()
    if not text:
        raise ValidationError({"text": [_("The comment is empty.")]})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": [_("At most %(max)d characters.") % {"max": COMMENT_MAX}]})
    comment = VoiceComment(voice=voice, author=member, text=text, created_at=now or timezone.now())
    (comment.redacted_text,) = texts_redacted([text], language=voice.language)
    comment.save()
    return comment


# Moderation --------------------------------------------------------------------------------


@transaction.atomic
def voice_report(
    *,
    voice: Voice,
    reporter: Member | None,
    reason: str,
    comment: VoiceComment | None = None,
    now: datetime | None = None,
) -> VoiceReport:
    """Return the open report on the voice (or one of its comments) for the moderators."""
    reason = " ".join(text_clean(reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most %(max)d characters.") % {"max": 300}]})
    if comment is not None and comment.voice_id != voice.pk:
        raise ValidationError(_("This comment belongs to another voice."))
    existing = VoiceReport.objects.filter(
        voice=voice, comment=comment, reporter=reporter, resolved_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    (redacted,) = texts_redacted([reason], language=voice.language)
    return VoiceReport.objects.create(
        voice=voice,
        comment=comment,
        reporter=reporter,
        reason=reason,
        redacted_reason=redacted,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def voice_moderate(
    *,
    voice: Voice,
    actor: User | None,
    hide: bool,
    comment: VoiceComment | None = None,
    now: datetime | None = None,
) -> None:
    """Hide or restore a voice or one of its comments; resolves the reports on it."""
    now = now or timezone.now()
    if comment is not None:
        if comment.voice_id != voice.pk:
            raise ValidationError(_("This comment belongs to another voice."))
        VoiceComment.objects.filter(pk=comment.pk).update(is_hidden=hide)
        VoiceReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=now
        )
    else:
        Voice.objects.filter(pk=voice.pk).update(is_hidden=hide)
        VoiceReport.objects.filter(
            voice=voice, comment__isnull=True, resolved_at__isnull=True
        ).update(resolved_at=now)
        VoiceEvent.objects.create(
            voice=voice, kind=VoiceEventKind.HIDDEN if hide else VoiceEventKind.RESTORED, at=now
        )
    _audit(
        actor,
        "voice.hide" if hide else "voice.restore",
        voice,
        comment=comment.pk if comment else None,
    )


@transaction.atomic
def voice_report_dismiss(
    *, report: VoiceReport, actor: User | None, now: datetime | None = None
) -> None:
    """Close a report without hiding anything."""
    VoiceReport.objects.filter(pk=report.pk).update(resolved_at=now or timezone.now())
    _audit(actor, "voice.report_dismiss", report.voice, report=report.pk)


# Text analysis and notifications (after commit) --------------------------------------------


def texts_redacted(texts: list[str], *, language: str = "") -> list[str]:
    """Return the texts with people's names removed, in order; "" for an empty text.

    Fails closed: when the text engine cannot run, every text comes back "" (nothing to
    show), and ``texts_redact_pending`` completes them later.
    """
    from miroir.voices import text as voice_text

    wanted = [text for text in texts if text]
    if not wanted:
        return ["" for _text in texts]
    try:
        done = iter(voice_text.redact(wanted, language=language or settings.LANGUAGE_CODE[:2]))
    except voice_text.RedactionUnavailable:
        return ["" for _text in texts]
    return [next(done) if text else "" for text in texts]


def _analyse(voice: Voice) -> None:
    """Set the voice's redacted texts and themes (in memory; the caller saves)."""
    from miroir.voices import text as voice_text

    voice.redacted_title, voice.redacted_text, voice.redacted_answer, voice.redacted_effect = (
        texts_redacted(
            [voice.title, voice.text, voice.answer, voice.effect], language=voice.language
        )
    )
    voice.themes = voice_text.themes(
        f"{voice.title}\n{voice.text}", language=voice.language or settings.LANGUAGE_CODE[:2]
    )


def voice_text_apply(*, voice: Voice) -> Voice:
    """Return the voice with its redacted texts and themes computed again by the text engine."""
    _analyse(voice)
    Voice.objects.filter(pk=voice.pk).update(
        redacted_title=voice.redacted_title,
        redacted_text=voice.redacted_text,
        redacted_answer=voice.redacted_answer,
        redacted_effect=voice.redacted_effect,
        themes=voice.themes,
    )
    return voice


def texts_redact_pending(*, limit: int = 500) -> None:
    """Remove names from the voices, comments and reports whose redaction could not run before.

    Returns nothing and logs nothing: how many were pending, and when, would tell when
    anonymous voices arrived.
    """
    pending = (
        Q(redacted_title="")
        | Q(redacted_text="")
        | (~Q(answer="") & Q(redacted_answer=""))
        | (~Q(effect="") & Q(redacted_effect=""))
    )
    for voice in Voice.objects.filter(pending).order_by("pk")[:limit]:
        voice_text_apply(voice=voice)
    for model, raw, done in (
        (VoiceComment, "text", "redacted_text"),
        (VoiceReport, "reason", "redacted_reason"),
    ):
        for row in model.objects.filter(**{done: ""}).select_related("voice")[:limit]:
            (redacted,) = texts_redacted([getattr(row, raw)], language=row.voice.language)
            model.objects.filter(pk=row.pk).update(**{done: redacted})


def _send(voice: Voice, template: str, to: str, language: str, **context: Any) -> None:
    rendered = email_render(
        f"voices/email/{template}",
        {"voice": voice, "site_url": settings.SITE_URL, **context},
        language,
    )
    try:
        email_message(rendered, to=to).send()
    except Exception:  # an unreachable mailbox must not undo the answer
        logger.exception("Could not send %s for voice %s", template, voice.pk)


def _tell_author(voice_id: Any) -> None:
    voice = Voice.objects.select_related("author", "merged_into").filter(pk=voice_id).first()
    if voice is None or voice.notify != VoiceNotify.EMAIL:
        return
    # A customer's address is written to only once confirmed (a stranger may have typed it).
    confirmed = voice.contact_email if voice.contact_confirmed_at is not None else ""
    to = voice.author.email if voice.author else confirmed
    if not to:
        return
    link = ""
    if voice.author is not None:
        link = settings.SITE_URL + reverse("voices:mine_detail", args=[voice.pk])
    _send(voice, "voice_answered", to, voice.language, link=link)


def _tell_manager(voice_id: Any, template: str, field: str) -> None:
    voice = Voice.objects.select_related("unit", field).filter(pk=voice_id).first()
    manager = getattr(voice, field, None) if voice else None
    if manager is None or not manager.email:
        return
    link = settings.SITE_URL + reverse("voices:detail", args=[voice.pk])
    _send(voice, template, manager.email, "fr", link=link, manager=manager)
