"""Voices: what employees, partners and customers say outside surveys, and the answer owed.

An anonymous voice keeps no author at all: only the digest of a claim code shown once to
the person who wrote it, with which they follow it. Its id is a random UUID and its time of
receipt is kept to the day, so that neither says who wrote it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Lens

TITLE_MAX = 160
TEXT_MAX = 4000
COMMENT_MAX = 1000


def arrived(now: datetime | None = None) -> Q:
    """Return the condition of the voices others may read at ``now``.

    Signed voices and complaints at once; an anonymous voice from the day after the day it
    was sent (local midnight), with every other anonymous voice of that day: polling a page
    or the API never tells its arrival more precisely than the day.
    """
    local = timezone.localtime(now or timezone.now())
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(is_anonymous=False) | Q(received_at__lt=today)


def pending_notice() -> str:
    """Return what readers see of a text whose names have not been removed yet."""
    return gettext("Text hidden until people's names are removed from it.")


class VoiceKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    IRRITANT = "irritant", _("Irritant in the customer journey")
    TESTIMONIAL = "testimonial", _("Testimonial")
    BEST_FAILURE = "best_failure", _("Best failure")
    COMPLAINT = "complaint", _("Customer complaint")


# Kinds an employee or a partner submits; a complaint comes from customers.
STAFF_KINDS = (
    VoiceKind.SUGGESTION,
    VoiceKind.IRRITANT,
    VoiceKind.TESTIMONIAL,
    VoiceKind.BEST_FAILURE,
)
# Kinds colleagues see, support and add to (open innovation).
SHARED_KINDS = (VoiceKind.SUGGESTION, VoiceKind.BEST_FAILURE)


class VoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    STUDYING = "studying", _("Under study")
    ANSWERED = "answered", _("Answered")


class VoiceOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    IMPLEMENTED = "implemented", _("Implemented")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged into another voice")


class VoiceSource(models.TextChoices):
    APP = "app", _("Miroir")
    API = "api", _("API")
    CSV = "csv", _("CSV import")
    WEB_FORM = "web_form", _("Public web form")
    HOT_SURVEY = "hot_survey", _("Hot survey answer")


class VoiceNotify(models.TextChoices):
    APP = "app", _("In Miroir only")
    EMAIL = "email", _("By e-mail")
    NONE = "none", _("Not at all")


class Voice(models.Model):
    """One voice: its words, where it comes from, and where it stands in its life cycle."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=VoiceKind.choices)
    lens = models.CharField(_("lens"), max_length=16, choices=Lens.choices)
    source = models.CharField(_("source"), max_length=16, choices=VoiceSource.choices)
    external_id = models.CharField(_("external id"), max_length=128, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="voices"
    )
    moment = models.ForeignKey(
        "journeys.Moment",
        verbose_name=_("journey moment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voices",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    # The text everyone but the author reads: names of people removed, in the same
    # transaction as the text. Empty while it could not be done: nothing is shown then.
    redacted_text = models.TextField(blank=True)
    redacted_title = models.CharField(max_length=TITLE_MAX, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    author = models.ForeignKey(
        "org.Member",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voices",
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    claim_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Digest of the random id of the form that sent it: a retried sending finds it again.
    submission_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    notify = models.CharField(_("tell me of the answer"), max_length=8, choices=VoiceNotify.choices)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    # When the address given on the public form was confirmed by its link: answers go to a
    # confirmed address only (an address typed by a stranger is never written to).
    contact_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Empty for an anonymous voice: its author's interface language is not kept.
    language = models.CharField(_("language"), max_length=2, default="fr", blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VoiceStatus.choices, default=VoiceStatus.RECEIVED
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=VoiceOutcome.choices, blank=True
    )
    answer = models.TextField(_("answer"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    redacted_answer = models.TextField(blank=True)
    redacted_effect = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_voices",
    )
    owner = models.ForeignKey(
        "org.Member",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_voices",
    )
    escalated_to = models.ForeignKey(
        "org.Member",
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_voices",
    )
    answered_by = models.ForeignKey(
        "org.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    studied_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    answer_unread = models.BooleanField(default=False)
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    support_count = models.PositiveIntegerField(default=0)

    class Meta:
        # The random id breaks ties: voices of one day never come in their order of arrival.
        ordering = ["-received_at", "id"]
        verbose_name = _("voice")
        verbose_name_plural = _("voices")
        indexes = [
            models.Index(fields=["unit", "status"], name="voices_unit_status"),
            models.Index(fields=["status", "due_at"], name="voices_status_due"),
        ]
        constraints = [
            # The heart of anonymity: an anonymous voice has no author, a signed one no code.
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(author__isnull=True),
                name="voices_anonymous_has_no_author",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="declined") | ~Q(answer=""),
                name="voices_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=(Q(status="answered") & ~Q(outcome=""))
                | (~Q(status="answered") & Q(outcome="")),
                name="voices_outcome_iff_answered",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="merged") | Q(merged_into__isnull=False),
                name="voices_merged_has_target",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="voices_external_id_unique_per_source",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="voices_text_not_blank"),
        ]

    def __str__(self) -> str:
        return self.shown_title()

    @property
    def is_open(self) -> bool:
        return self.status != VoiceStatus.ANSWERED

    @property
    def is_customer(self) -> bool:
        return self.lens == Lens.CUSTOMER

    def is_overdue(self, now: object) -> bool:
        return self.is_open and self.due_at <= now  # type: ignore[operator]

    @property
    def text_pending(self) -> bool:
        """Whether a text of the voice still waits for its names to be removed."""
        return (
            not self.redacted_title
            or not self.redacted_text
            or bool(self.answer and not self.redacted_answer)
            or bool(self.effect and not self.redacted_effect)
        )

    def shown_text(self) -> str:
        """Return the text for readers other than the author: names removed, never the raw
        text (a notice while the removal has not run)."""
        return self.redacted_text or pending_notice()

    def shown_title(self) -> str:
        return self.redacted_title or pending_notice()

    def shown_answer(self) -> str:
        """Return the manager's answer as others read it ("" when there is none)."""
        return (self.redacted_answer or pending_notice()) if self.answer else ""

    def shown_effect(self) -> str:
        return (self.redacted_effect or pending_notice()) if self.effect else ""


class VoiceEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    STUDYING = "studying", _("Under study")
    ANSWERED = "answered", _("Answered")
    REMINDED = "reminded", _("Owner reminded")
    ESCALATED = "escalated", _("Escalated")
    HIDDEN = "hidden", _("Hidden by moderation")
    RESTORED = "restored", _("Restored by moderation")


class VoiceEvent(models.Model):
    """One step of a voice's life, shown on its timeline (to its author too)."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=VoiceEventKind.choices)
    at = models.DateTimeField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class VoiceSupport(models.Model):
    """A colleague's "+1": once per member and voice."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey("org.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voice", "member"], name="voices_support_once"),
        ]

    def __str__(self) -> str:
        return f"+1 {self.voice_id}"


class VoiceComment(models.Model):
    """What a colleague adds to a voice; signed, since it speaks in public."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        "org.Member", null=True, on_delete=models.SET_NULL, related_name="voice_comments"
    )
    text = models.TextField(max_length=COMMENT_MAX)
    redacted_text = models.TextField(blank=True)
    created_at = models.DateTimeField()
    is_hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="voices_comment_not_blank"),
        ]

    def __str__(self) -> str:
        return self.shown_text()[:60]

    def shown_text(self) -> str:
        """Return the comment with names removed, never the raw text."""
        return self.redacted_text or pending_notice()


class VoiceReport(models.Model):
    """A report that a voice or a comment breaks the rules, waiting for a moderator."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        VoiceComment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        "org.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    # What moderators read: names of people removed, "" until that ran.
    redacted_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["voice", "comment", "reporter"],
                condition=Q(resolved_at__isnull=True),
                name="voices_report_once_while_open",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_reason()

    def shown_reason(self) -> str:
        """Return the reason as moderators read it: names removed, never the raw text."""
        return self.redacted_reason or pending_notice()


class VoiceTablet(models.Model):
    """A shared shop tablet where anyone leaves an anonymous voice, without a login.

    Bound to one unit, until a manager revokes it. Like a kiosk (collect.Kiosk), only the
    SHA-256 of its key is kept: the key is shown once, after ``#`` in the link opened on the
    tablet, then lives in the tablet's HttpOnly cookie. A voice left on it keeps no trace of
    the tablet (docs/voices.md, "Shop tablets").
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("voice tablet")
        verbose_name_plural = _("voice tablets")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"voice tablet {self.pk}"
