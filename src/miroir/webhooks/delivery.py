"""Sending a delivery: each attempt signed and logged, retried with back-off by the task worker.

``deliver`` is the task; a failed attempt raises ``DeliveryFailed`` and the task runs again
after 30 s, 2 min, 8 min, 32 min, 2 h (``retried_task``); the delivery counts its own attempts
and is marked failed at ``DELIVERY_ATTEMPTS``, before the task's own limit, which only an
unexpected error (the database) reaches. Failed deliveries in a row turn a subscription off.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.core.emails import email_message, email_render
from miroir.operations.retry import retried_task
from miroir.org.models import RoleKind
from miroir.webhooks import transport
from miroir.webhooks.events import PING
from miroir.webhooks.models import (
    RESPONSE_EXCERPT_MAX,
    Delivery,
    DeliveryStatus,
    DisabledReason,
    Subscription,
)
from miroir.webhooks.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

# Attempts of one delivery before it is marked failed.
DELIVERY_ATTEMPTS = 6


class DeliveryFailed(Exception):
    """An attempt failed and another one is due (the task is retried with back-off)."""


def _excerpt(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_MAX]


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Return the delivery after one more attempt; ``DeliveryFailed`` when it failed and
    has attempts left. A delivery already finished, or gone, is left alone (idempotent)."""
    delivery = (
        Delivery.objects.select_related("subscription")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:
        return None
    subscription = delivery.subscription
    if not subscription.is_active and delivery.event_type != PING:
        return _finish(delivery, ok=False, error=_("The webhook is turned off."), now=now)
    body = delivery.body.encode("utf-8")
    moment = now or timezone.now()
    headers = {
        SIGNATURE_HEADER: signature_header(subscription.secret, int(moment.timestamp()), body),
        "Miroir-Event": delivery.event_type,
        "Miroir-Event-Id": str(delivery.event_id),
        "Miroir-Delivery": str(delivery.pk),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = moment
    try:
        answer = transport.post(
            subscription.url, body, headers, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS
        )
    except transport.TargetRefused as refused:
        # Retrying will not change an address; the log says why.
        return _finish(delivery, ok=False, error=refused.reason, now=now)
    except OSError as error:
        return _after_failure(delivery, _network_failure(error), now=now)
    delivery.response_code = answer.status
    delivery.duration_ms = answer.duration_ms
    delivery.response_excerpt = _excerpt(answer.body)
    if 200 <= answer.status < 300:
        return _finish(delivery, ok=True, error="", now=now)
    return _after_failure(
        delivery, _("The receiver answered %(code)d.") % {"code": answer.status}, now=now
    )


def _after_failure(delivery: Delivery, error: str, *, now: datetime | None) -> Delivery:
    if delivery.attempts >= DELIVERY_ATTEMPTS:
        return _finish(delivery, ok=False, error=error, now=now)
    delivery.error = error[:500]
    delivery.save()
    raise DeliveryFailed(error)


@transaction.atomic
def _finish(delivery: Delivery, *, ok: bool, error: str, now: datetime | None) -> Delivery:
    delivery.status = DeliveryStatus.SUCCEEDED if ok else DeliveryStatus.FAILED
    delivery.error = error[:500]
    delivery.save()
    if delivery.event_type == PING:
        return delivery  # a test says how the receiver does; it does not count
    subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if ok:
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures"])
        return delivery
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures"]
    limit = settings.WEBHOOKS_DISABLE_AFTER
    if subscription.is_active and limit and subscription.consecutive_failures >= limit:
        subscription.is_active = False
        subscription.disabled_at = now or timezone.now()
        subscription.disabled_reason = DisabledReason.FAILURES
        fields += ["is_active", "disabled_at", "disabled_reason"]
        audit_record(
            actor=None,
            action="webhook.disable",
            target=f"webhook:{subscription.pk}",
            details={"failed": subscription.consecutive_failures},
        )
        subscription_id = subscription.pk
        transaction.on_commit(lambda: _tell_administrators(subscription_id))
    subscription.save(update_fields=fields)
    return delivery


def administrator_emails() -> list[str]:
    """Return the addresses of the active administrators' logins."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(member__roles__kind=RoleKind.ADMINISTRATOR, member__is_active=True)
        )
    )
    return sorted({user.email for user in users if user.email})


def _tell_administrators(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return
    link = settings.SITE_URL + reverse("webhooks:detail", args=[subscription.pk])
    rendered = email_render(
        "webhooks/email/disabled",
        {"subscription": subscription, "link": link, "failures": subscription.consecutive_failures},
        settings.LANGUAGE_CODE,
    )
    for to in administrator_emails():
        try:
            email_message(rendered, to=to).send()
        except Exception:  # the notice is also on the page; a mailbox down is only logged
            logger.exception(
                "Could not tell %s that webhook %s was turned off", to, subscription_id
            )


@retried_task(
    attempts=DELIVERY_ATTEMPTS + 2,
    base_delay=timedelta(seconds=30),
    factor=4.0,
    max_delay=timedelta(hours=2),
)
def deliver(delivery_id: int) -> str:
    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "gone"


def _network_failure(error: OSError) -> str:
    """Return what the log says of a failed exchange: its kind, never the exception's text."""
    if isinstance(error, transport.ExchangeFailed):
        return error.reason
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return type(error).__name__
