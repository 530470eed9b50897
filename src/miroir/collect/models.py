"""Waves, invitations and the responses they bring back.

Employee, partner and management responses must never be linkable to a person: the
``Response``, ``Answer`` and ``SubmissionReceipt`` tables hold no foreign key to a member
or an invitation, no time finer than the day and no sequential id, and an invitation
keeps nothing of its use but ``used``. The one exception is by design and stated on the
form: a manager's attributed estimate for a unit they manage keeps its ``author``.
``docs/anonymity.md`` explains the whole design; ``tests/collect/test_anonymity.py``
fails if a column breaks it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Lens, UnitKind


class WaveKind(models.TextChoices):
    COLD = "cold", _("Cold (periodic)")
    HOT = "hot", _("Hot (after an interaction)")


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Language(models.TextChoices):
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class ResponseAttribute(models.TextChoices):
    """What a wave may keep with a response besides its unit (never more than this)."""

    CONTRACT_TYPE = "contract_type", _("Contract type")
    PROXIMITY = "proximity", _("Partner proximity")
    # Customers only: the journey moment named by the open link, poster or kiosk.
    MOMENT = "moment", _("Journey moment")


# Which attributes each lens may keep with its responses.
LENS_ATTRIBUTES: dict[str, frozenset[str]] = {
    Lens.EMPLOYEE: frozenset({ResponseAttribute.CONTRACT_TYPE}),
    Lens.PARTNER: frozenset({ResponseAttribute.PROXIMITY}),
    Lens.MANAGEMENT: frozenset(),
    Lens.CUSTOMER: frozenset({ResponseAttribute.MOMENT}),
}


def lens_attribute(lens: str) -> str:
    """Return the response attribute a lens's roll-ups are segmented by ("" for none)."""
    kept = sorted(LENS_ATTRIBUTES.get(lens, frozenset()))
    return str(kept[0]) if kept else ""


class AudienceRole(models.TextChoices):
    """Whom a management wave invites, by role: managers of units of some kinds, the direction."""

    SHOP_MANAGERS = "shop_managers", _("Shop managers")
    AREA_MANAGERS = "area_managers", _("Area managers")
    REGIONAL_MANAGERS = "regional_managers", _("Regional managers")
    TEAM_MANAGERS = "team_managers", _("Team and department managers")
    DIRECTION = "direction", _("Direction")


# The kinds of unit whose managers each role invites (the direction: the company's too).
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    AudienceRole.SHOP_MANAGERS: frozenset({UnitKind.SHOP, UnitKind.BRANCH}),
    AudienceRole.AREA_MANAGERS: frozenset({UnitKind.AREA}),
    AudienceRole.REGIONAL_MANAGERS: frozenset({UnitKind.REGION}),
    AudienceRole.TEAM_MANAGERS: frozenset({UnitKind.TEAM, UnitKind.DEPARTMENT}),
    AudienceRole.DIRECTION: frozenset({UnitKind.COMPANY}),
}


def roles_named(roles: list[str]) -> list[str]:
    """Return the translated names of audience roles, in their stored order."""
    return [str(AudienceRole(role).label) for role in roles if role in AudienceRole.values]


class PulseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class Pulse(models.Model):
    """A recurring series of waves: the same questionnaire and audience every N weeks.

    The periodic tick creates and launches each wave as its occurrence comes
    (``collect/pulses.py`` computes the schedule); a wave keeps what its pulse said when
    it was created, so editing the pulse changes only the waves to come.
    """

    name = models.CharField(_("name"), max_length=200)
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="pulses",
    )
    lens = models.CharField(_("lens"), max_length=16, choices=Lens.choices)
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units"), related_name="pulses", blank=True
    )
    contract_types = models.JSONField(_("contract types"), default=list, blank=True)
    # Management waves: the roles invited (``AudienceRole``); empty: every manager.
    roles = models.JSONField(_("roles invited"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    open_links = models.BooleanField(_("accept open links"), default=False)
    attributes = models.JSONField(_("attributes kept with responses"), default=list, blank=True)
    reminder_days = models.JSONField(_("reminders (days after opening)"), default=list, blank=True)
    language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    threshold_scores = models.PositiveSmallIntegerField(_("minimum respondents for scores"))
    threshold_verbatims = models.PositiveSmallIntegerField(_("minimum respondents for verbatims"))
    every_weeks = models.PositiveSmallIntegerField(_("every (weeks)"))
    open_days = models.PositiveSmallIntegerField(_("open for (days)"))
    starts_on = models.DateField(_("first wave on"))
    opens_at_time = models.TimeField(_("opening time"))
    ends_on = models.DateField(_("no wave after"), null=True, blank=True)
    # The invitation text per language ({"fr": "…"}); a language left out uses the default.
    messages = models.JSONField(_("invitation message"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PulseStatus.choices, default=PulseStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pulse")
        verbose_name_plural = _("pulses")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="collect_pulse_name_not_blank"),
            models.CheckConstraint(condition=Q(every_weeks__gte=1), name="collect_pulse_every"),
            models.CheckConstraint(condition=Q(open_days__gte=1), name="collect_pulse_open_days"),
            models.CheckConstraint(
                condition=Q(status__in=PulseStatus.values), name="collect_pulse_status_known"
            ),
            models.CheckConstraint(
                condition=Q(threshold_scores__gte=3)
                & Q(threshold_verbatims__gte=models.F("threshold_scores")),
                name="collect_pulse_thresholds",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def roles_display(self) -> list[str]:
        """Return the names of the roles its management waves invite (none: every manager)."""
        return roles_named(self.roles)

    @property
    def is_active(self) -> bool:
        return self.status == PulseStatus.ACTIVE


class Wave(models.Model):
    """One campaign of an instrument, for one lens, over some subtrees of the organisation."""

    # Respondent URLs carry this, never the sequential primary key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="waves",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=WaveKind.choices)
    lens = models.CharField(_("lens"), max_length=16, choices=Lens.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    reminder_days = models.JSONField(_("reminders (days after opening)"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    open_links = models.BooleanField(_("accept open links"), default=False)
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units"), related_name="waves", blank=True
    )
    contract_types = models.JSONField(_("contract types"), default=list, blank=True)
    # Management waves: the roles invited (``AudienceRole``); empty: every manager.
    roles = models.JSONField(_("roles invited"), default=list, blank=True)
    attributes = models.JSONField(_("attributes kept with responses"), default=list, blank=True)
    language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    threshold_scores = models.PositiveSmallIntegerField(_("minimum respondents for scores"))
    threshold_verbatims = models.PositiveSmallIntegerField(_("minimum respondents for verbatims"))
    unreachable = models.PositiveIntegerField(_("members no channel could reach"), default=0)
    # Hot waves: how an interaction becomes an invitation (docs/collection.md).
    hot_delay_minutes = models.PositiveIntegerField(
        _("delay after the interaction (minutes)"), default=120
    )
    hot_valid_days = models.PositiveSmallIntegerField(
        _("invitation valid for (days after the interaction)"), default=7
    )
    hot_moments = models.JSONField(_("moments that trigger it"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("invitations purged at"), null=True, blank=True)
    # The invitation text per language ({"fr": "…"}); a language left out uses the default.
    messages = models.JSONField(_("invitation message"), default=dict, blank=True)
    # A wave of a recurring series: its pulse and its rank in it (1 for the first).
    pulse = models.ForeignKey(
        Pulse,
        verbose_name=_("pulse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waves",
    )
    pulse_rank = models.PositiveIntegerField(_("rank in the pulse"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="collect_wave_name_not_blank"),
            models.CheckConstraint(
                condition=Q(lens__in=Lens.values), name="collect_wave_lens_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaveStatus.values), name="collect_wave_status_known"
            ),
            models.CheckConstraint(
                condition=Q(threshold_scores__gte=3)
                & Q(threshold_verbatims__gte=models.F("threshold_scores")),
                name="collect_wave_thresholds",
            ),
            # The tick's guard: one occurrence of a pulse never makes two waves.
            models.UniqueConstraint(
                fields=["pulse", "pulse_rank"],
                condition=Q(pulse__isnull=False),
                name="collect_wave_once_per_pulse_rank",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="collect_wave_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == WaveStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN

    @property
    def protects_identity(self) -> bool:
        """Return whether responses speak for people of the organisation (not customers)."""
        return self.lens != Lens.CUSTOMER

    @property
    def roles_display(self) -> list[str]:
        """Return the names of the roles a management wave invites (none: every manager)."""
        return roles_named(self.roles)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    OPTED_OUT = "opted_out", _("Opted out")


class Invitation(models.Model):
    """A single-use invitation to answer a wave.

    For members, ``member`` says who was invited (for sending and reminders) and is
    purged once the wave is closed; ``used`` is all that records an answer, with no time.
    Customers are reached through ``email``/``phone`` instead.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16)
    member = models.ForeignKey(
        "org.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("e-mail address"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, null=True, blank=True)
    used = models.BooleanField(default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    # Why the last message failed, as a short code (never the message or the address).
    error = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The latest message of any kind; the per-channel rate limit counts these.
    last_sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # Not sent before this time (a hot wave's delay, quiet hours); None: as soon as possible.
    not_before = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Hot waves: the journey moment of the interaction, kept with the response if the
    # wave keeps moments.
    moment = models.CharField(_("moment"), max_length=64, null=True, blank=True)
    # The SMS provider's id of the latest message, so that its delivery reports find it.
    provider_message_id = models.CharField(max_length=64, blank=True, db_index=True)
    # Customers: the keyed digest of the other address the interaction gave (the e-mail of
    # an SMS invitation, or the reverse), so that an opt-out of either one stops it and an
    # access request by either one finds it. Erased with the address.
    companion_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "member", "unit"],
                condition=Q(member__isnull=False),
                name="collect_invitation_once_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values),
                name="collect_invitation_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["wave", "status"], name="collect_inv_wave_status"),
            models.Index(fields=["channel", "last_sent_at"], name="collect_inv_channel_rate"),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.channel})"

    def respondent_language(self) -> str:
        return self.language or self.wave.language


class InvitationToken(models.Model):
    """The SHA-256 of one token sent for an invitation; the token itself is never stored.

    Each message (first invitation, reminder, links file) carries a fresh token, and the
    earlier ones keep working until the invitation is used, expires or is purged, so an
    old e-mail still opens the survey.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")

    class Meta:
        verbose_name = _("invitation token")
        verbose_name_plural = _("invitation tokens")

    def __str__(self) -> str:
        return f"token of invitation {self.invitation_id}"


class Response(models.Model):
    """The answers of one respondent to one wave: the unit, the day, nothing about who."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    lens = models.CharField(_("lens"), max_length=16, choices=Lens.choices)
    submitted_on = models.DateField(_("submitted on"))
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=16)
    # Customers only, for following up on what they said; the constraint forbids it
    # for every other lens.
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Management only, and only when the estimate is attributed (MIROIR_ESTIMATE_ATTRIBUTED
    # at answer time): a manager's estimate for a unit they manage is a professional
    # judgement shown under their name, kept out of the anonymous roll-ups. The
    # constraint forbids it for every other lens (docs/anonymity.md).
    author = models.ForeignKey(
        "org.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="estimates"
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(lens="customer") | Q(invitation__isnull=True),
                name="collect_response_invitation_customers_only",
            ),
            models.CheckConstraint(
                condition=Q(lens="management") | Q(author__isnull=True),
                name="collect_response_author_management_only",
            ),
            models.CheckConstraint(
                condition=Q(lens__in=Lens.values), name="collect_response_lens_known"
            ),
        ]
        indexes = [
            models.Index(fields=["wave", "unit", "submitted_on"], name="collect_resp_wave_unit"),
            # A unit's responses of a period (its comments on the result pages).
            models.Index(fields=["unit", "submitted_on"], name="collect_resp_unit_day"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    """One answer: a number (point scales, yes/no), a choice code, a text, or "don't know"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey("instruments.Item", on_delete=models.PROTECT, related_name="answers")
    number = models.FloatField(null=True, blank=True)
    choice = models.CharField(max_length=64, null=True, blank=True)
    text = models.TextField(null=True, blank=True)
    dont_know = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="collect_answer_once"),
            # Exactly one kind of value, or none at all for "don't know".
            models.CheckConstraint(
                condition=(
                    Q(dont_know=True, number__isnull=True, choice__isnull=True, text__isnull=True)
                    | Q(
                        dont_know=False,
                        number__isnull=False,
                        choice__isnull=True,
                        text__isnull=True,
                    )
                    | Q(
                        dont_know=False,
                        number__isnull=True,
                        choice__isnull=False,
                        text__isnull=True,
                    )
                    | Q(
                        dont_know=False,
                        number__isnull=True,
                        choice__isnull=True,
                        text__isnull=False,
                    )
                ),
                name="collect_answer_one_value",
            ),
        ]
        indexes = [models.Index(fields=["item"], name="collect_answer_item")]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class SubmissionReceipt(models.Model):
    """A submission already accepted, so that a retry answers the same without a new row.

    It holds the hash of the id the form carried, and nothing that leads to the response.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    submission_hash = models.CharField(max_length=64)
    created_on = models.DateField()

    class Meta:
        verbose_name = _("submission receipt")
        verbose_name_plural = _("submission receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "submission_hash"], name="collect_receipt_once"
            ),
        ]

    def __str__(self) -> str:
        return f"receipt {self.pk}"


class ContactOptOut(models.Model):
    """A customer contact who asked for no more invitations: honoured for ever.

    Only the SHA-256 of the normalised address is kept, so the list works without
    holding the addresses of people who asked to be left alone.
    """

    contact_hash = models.CharField(max_length=64, unique=True)
    created_on = models.DateField(auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"opt-out {self.pk}"


class InteractionOutcome(models.TextChoices):
    """What became of an interaction: at most one invitation, or the reason for none."""

    SCHEDULED = "scheduled", _("Invitation scheduled")
    NO_CONSENT = "no_consent", _("No consent")
    NO_CONTACT = "no_contact", _("No contact the wave can reach")
    OPTED_OUT = "opted_out", _("Contact opted out")
    RECENTLY_INVITED = "recently_invited", _("Contact invited recently")
    NO_WAVE = "no_wave", _("No open hot wave for this unit and moment")
    TOO_LATE = "too_late", _("Too late to invite")


class Interaction(models.Model):
    """A customer's visit, call or delivery, pushed by the API or a CSV file.

    It keeps no contact details: those live only on the invitation it led to, which the
    retention period erases. ``(source, external_id)`` makes a re-sent interaction a no-op.
    """

    source = models.CharField(_("source"), max_length=64)
    external_id = models.CharField(_("external id"), max_length=128)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    moment = models.CharField(_("moment"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    consent = models.BooleanField(_("consent to be surveyed"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=InteractionOutcome.choices)
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="collect_interaction_once"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=InteractionOutcome.values),
                name="collect_interaction_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"interaction {self.source}:{self.external_id}"


class ContactInvited(models.Model):
    """When a customer contact was last invited by a hot wave, under its digest.

    It enforces "at most one invitation per contact per period" across every unit,
    wave and channel, without keeping the address.
    """

    contact_hash = models.CharField(max_length=64, unique=True)
    invited_at = models.DateTimeField()

    class Meta:
        verbose_name = _("contact invited")
        verbose_name_plural = _("contacts invited")

    def __str__(self) -> str:
        return f"contact invited {self.pk}"


class ProviderEvent(models.Model):
    """A webhook call of the SMS provider already handled: its retries change nothing."""

    provider = models.CharField(max_length=32)
    event_key = models.CharField(max_length=128)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_key"], name="collect_provider_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} event {self.event_key}"


class Kiosk(models.Model):
    """A tablet set up to answer one wave for one unit, until its key is revoked.

    Only the SHA-256 of the key is kept: the key itself is shown once, in the link the
    issuer opens on the tablet (after ``#``, so that it never reaches a server's logs),
    and then lives in the tablet's cookie. Revoking one kiosk leaves the others working.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="kiosks")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    moment = models.CharField(_("journey moment"), max_length=64, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return f"kiosk {self.pk}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
