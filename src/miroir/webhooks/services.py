"""Writes of the webhooks: subscriptions, the deliveries of each event, and their attempts."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.core.inputs import text_clean
from miroir.org.models import Unit
from miroir.org.selectors import Scope, scope_for_unit
from miroir.webhooks import transport
from miroir.webhooks.delivery import deliver
from miroir.webhooks.events import EVENT_TYPES, PING
from miroir.webhooks.models import (
    NAME_MAX,
    URL_MAX,
    AnnouncedDay,
    Delivery,
    DeliveryStatus,
    DisabledReason,
    Subscription,
)
from miroir.webhooks.signing import secret_new

ANONYMOUS_VOICES = "anonymous_voices"


# Subscriptions -----------------------------------------------------------------------------


def _name(value: str) -> str:
    name = text_clean(value or "").strip()
    if not name:
        raise ValidationError({"name": [_("A webhook needs a name.")]})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [_("At most %(max)d characters.") % {"max": NAME_MAX}]})
    return name


def _url(value: str) -> str:
    url = (value or "").strip()
    if len(url) > URL_MAX:
        raise ValidationError({"url": [_("At most %(max)d characters.") % {"max": URL_MAX}]})
    problem = transport.url_problem(url)
    if problem:
        raise ValidationError({"url": [problem]})
    return url


def _events(values: Any) -> list[str]:
    chosen = list(dict.fromkeys(values or []))
    unknown = [code for code in chosen if code not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"events": [_("Unknown event: %(code)s.") % {"code": ", ".join(map(str, unknown))}]}
        )
    if not chosen:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    # Registry order: the same list however it was typed.
    return [code for code in EVENT_TYPES if code in chosen]


def _scope_unit(scope: Scope, unit: Unit | None) -> Unit | None:
    if unit is None and not scope.everything:
        raise ValidationError({"unit": [_("Choose a unit inside your scope.")]})
    if unit is not None and not scope.contains(unit):
        raise ValidationError({"unit": [_("Choose a unit inside your scope.")]})
    return unit


def _actor_fields(actor: Any) -> dict[str, Any]:
    from miroir.api.models import ApiToken

    if isinstance(actor, ApiToken):
        return {"created_by_token": actor}
    return {"created_by": actor if getattr(actor, "is_authenticated", False) else None}


@transaction.atomic
def subscription_create(
    *,
    name: str,
    url: str,
    events: list[str],
    scope_unit: Unit | None,
    actor: Any,
    scope: Scope,
) -> tuple[Subscription, str]:
    """Return the new subscription and its secret, shown this once (``scope``: the caller's,
    which the subscription's unit must lie in; None for the whole network needs all of it)."""
    problems: dict[str, list[str]] = {}
    checks = {
        "name": lambda: _name(name),
        "url": lambda: _url(url),
        "events": lambda: _events(events),
        "unit": lambda: _scope_unit(scope, scope_unit),
    }
    values: dict[str, Any] = {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ValidationError as error:
            problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    secret = secret_new()
    subscription = Subscription.objects.create(
        name=values["name"],
        url=values["url"],
        events=values["events"],
        scope_unit=values["unit"],
        secret=secret,
        **_actor_fields(actor),
    )
    audit_record(
        actor=actor,
        action="webhook.create",
        target=f"webhook:{subscription.pk}",
        details={"events": subscription.events, "unit": scope_unit.pk if scope_unit else None},
    )
    return subscription, secret


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    actor: Any,
    name: str | None = None,
    url: str | None = None,
    events: list[str] | None = None,
    active: bool | None = None,
) -> Subscription:
    """Return the subscription changed; turning it on again clears its failures."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    changed: list[str] = []
    problems: dict[str, list[str]] = {}
    for field, value, check in (
        ("name", name, _name),
        ("url", url, _url),
        ("events", events, _events),
    ):
        if value is None:
            continue
        try:
            cleaned = check(value)
        except ValidationError as error:
            problems.update(error.message_dict)
            continue
        if getattr(subscription, field) != cleaned:
            setattr(subscription, field, cleaned)
            changed.append(field)
    if problems:
        raise ValidationError(problems)
    if active is not None and active != subscription.is_active:
        subscription.is_active = active
        subscription.disabled_at = None if active else timezone.now()
        subscription.disabled_reason = "" if active else DisabledReason.MANUAL
        subscription.consecutive_failures = 0
        changed.append("active")
    if not changed:
        return subscription
    subscription.save()
    audit_record(
        actor=actor,
        action="webhook.update",
        target=f"webhook:{subscription.pk}",
        details={"fields": changed, "active": subscription.is_active},
    )
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription, actor: Any) -> str:
    """Return the subscription's new secret (shown this once); the old one stops at once."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    secret = secret_new()
    subscription.secret = secret
    subscription.save(update_fields=["secret", "updated_at"])
    audit_record(actor=actor, action="webhook.rotate", target=f"webhook:{subscription.pk}")
    return secret


@transaction.atomic
def subscription_delete(*, subscription: Subscription, actor: Any) -> None:
    """Delete the subscription and its delivery log; deliveries still queued are dropped."""
    audit_record(
        actor=actor,
        action="webhook.delete",
        target=f"webhook:{subscription.pk}",
        details={"events": subscription.events},
    )
    subscription.delete()


@transaction.atomic
def subscription_test(*, subscription: Subscription, actor: Any) -> Delivery:
    """Return the ``ping`` delivery queued for the subscription, active or not."""
    data = {"subscription": subscription.pk, "message": "ping"}
    delivery = _delivery_create(subscription, PING, data, event_id=uuid.uuid4())
    audit_record(actor=actor, action="webhook.test", target=f"webhook:{subscription.pk}")
    return delivery


# Events to deliveries ----------------------------------------------------------------------


def _body(event_id: uuid.UUID, code: str, data: dict[str, Any], at: datetime) -> str:
    envelope = {
        "id": str(event_id),
        "type": code,
        "created_at": at.astimezone(UTC).isoformat(),
        "data": data,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _enqueue(delivery_id: int) -> None:
    deliver.enqueue(delivery_id)


def _delivery_create(
    subscription: Subscription, code: str, data: dict[str, Any], *, event_id: uuid.UUID
) -> Delivery:
    delivery = Delivery.objects.create(
        subscription=subscription,
        event_id=event_id,
        event_type=code,
        body=_body(event_id, code, data, timezone.now()),
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def _subscription_scope(subscription: Subscription) -> Scope:
    return scope_for_unit(subscription.scope_unit)


def events_dispatch(*, code: str, refs: dict[str, Any]) -> list[Delivery]:
    """Return the deliveries queued for the event ``code``, one per active subscription to
    it that sees something of it (each gets the payload its scope allows)."""
    kind = EVENT_TYPES.get(code)
    if kind is None:
        return []
    # A network holds a handful of subscriptions: their event lists are read here rather
    # than queried as JSON, which SQLite (the embedded database) cannot do.
    subscriptions = [
        subscription
        for subscription in Subscription.objects.filter(is_active=True).select_related("scope_unit")
        if code in subscription.events
    ]
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    deliveries = []
    with transaction.atomic():
        for subscription in subscriptions:
            data = kind.payload(_subscription_scope(subscription), **refs)
            if data is None:
                continue
            deliveries.append(_delivery_create(subscription, code, data, event_id=event_id))
    return deliveries


def on_event(sender: Any, code: str, refs: dict[str, Any], **kwargs: Any) -> None:
    """Turn a domain event into deliveries (connected to ``core.events.event_occurred``)."""
    events_dispatch(code=code, refs=refs)


def anonymous_voices_announce(*, now: datetime | None = None) -> int:
    """Return how many anonymous voices were announced: those of every day before today not
    announced yet, all at once and in no order of arrival (their ids are random)."""
    from miroir.voices.models import Voice, VoiceKind

    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        mark, created = AnnouncedDay.objects.select_for_update().get_or_create(
            key=ANONYMOUS_VOICES, defaults={"day": today}
        )
        if created or mark.day >= today:
            # The first round starts from today: history is not replayed to new receivers.
            return 0
        start = _local_midnight(mark.day)
        voices = list(
            Voice.objects.filter(
                is_anonymous=True,
                received_at__gte=start,
                received_at__lt=_local_midnight(today),
            )
            .exclude(kind=VoiceKind.COMPLAINT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        mark.day = today
        mark.save(update_fields=["day"])
        for voice_id in voices:
            events_dispatch(code="voice.received", refs={"voice_id": voice_id})
    return len(voices)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Return how many finished deliveries older than the retention period were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WEBHOOKS_DELIVERY_RETENTION_DAYS)
    deleted, _counts = (
        Delivery.objects.filter(created_at__lt=cutoff)
        .exclude(status=DeliveryStatus.PENDING)
        .delete()
    )
    return deleted
