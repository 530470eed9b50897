"""Outbound webhooks: subscriptions of other systems to Miroir's events, and their deliveries.

See docs/webhooks.md for the events, their payloads and how a receiver checks a signature.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miroir.accounts.sealed import SealedCharField

NAME_MAX = 100
URL_MAX = 500
# What a delivery keeps of the receiver's answer: enough to read an error message.
RESPONSE_EXCERPT_MAX = 500


class DisabledReason(models.TextChoices):
    MANUAL = "manual", _("Turned off")
    FAILURES = "failures", _("Turned off after repeated failures")


class Subscription(models.Model):
    """A URL that receives, signed, the events it subscribed to within its unit's subtree."""

    name = models.CharField(_("name"), max_length=NAME_MAX)
    url = models.URLField(_("URL"), max_length=URL_MAX)
    events = models.JSONField(_("events"), default=list)
    scope_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    # Needed in clear to sign each delivery: sealed at rest like second-factor secrets, so
    # that a copy of the database or a backup holds none (docs/webhooks.md).
    secret = SealedCharField(max_length=400, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("turned off"), null=True, blank=True)
    disabled_reason = models.CharField(
        _("why turned off"), max_length=16, choices=DisabledReason.choices, blank=True
    )
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_token = models.ForeignKey(
        "api.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event sent to one subscription: the exact body, and how its attempts went."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The event's id, the same for every subscription that received it: receivers use it
    # to handle each event once.
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event_type = models.CharField(_("event"), max_length=40)
    # The body as sent, so that every attempt signs and sends the same bytes.
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhooks_sub_created")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"


class AnnouncedDay(models.Model):
    """The day up to which (excluded) anonymous voices were announced: they leave in one
    batch per day, the day after, so that no event dates one more precisely than its day."""

    key = models.CharField(max_length=40, unique=True)
    day = models.DateField()

    def __str__(self) -> str:
        return f"{self.key}: {self.day}"
