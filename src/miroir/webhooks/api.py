"""``/api/v1/webhooks``: integrations subscribe to Miroir's events (docs/webhooks.md).

Writes take an integration token (as everywhere in the API); a token manages the
subscriptions of its scope. Administrators' sessions read them all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from miroir.api.schemas import MAX_OFFSET, ApiErrorOut
from miroir.api.selectors import caller_scope, unit_by_reference
from miroir.webhooks import services
from miroir.webhooks.events import event_choices
from miroir.webhooks.models import Delivery, Subscription
from miroir.webhooks.selectors import (
    access_subscription,
    access_subscriptions,
    subscription_deliveries,
)

router = Router(tags=["webhooks"])

# Every operation may answer these, in the one error shape (docs/security.md).
ERRORS = {code: ApiErrorOut for code in (400, 401, 403, 404, 422)}


class EventTypeOut(Schema):
    code: str
    label: str


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    unit: int | None = Field(description="The unit whose subtree it hears of; null: the network.")
    active: bool
    disabled_at: datetime | None
    disabled_reason: str = Field(description='"", "manual" or "failures".')
    consecutive_failures: int
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown this once.")


class WebhookIn(Schema):
    name: str = Field(min_length=1, max_length=1000)
    url: str = Field(max_length=1000, description="https:// (see docs/webhooks.md).")
    events: list[str] = Field(min_length=1, max_length=50, description="See GET /webhooks/events.")
    unit: str | None = Field(
        None, max_length=64, description="External id or number of a unit; none: the network."
    )


class WebhookPatch(Schema):
    name: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=1000)
    events: list[str] | None = Field(None, max_length=50)
    active: bool | None = None


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    response_code: int | None
    duration_ms: int | None
    response_excerpt: str
    error: str
    created_at: datetime
    last_attempt_at: datetime | None


def _out(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "name": subscription.name,
        "url": subscription.url,
        "events": subscription.events,
        "unit": subscription.scope_unit_id,
        "active": subscription.is_active,
        "disabled_at": subscription.disabled_at,
        "disabled_reason": subscription.disabled_reason,
        "consecutive_failures": subscription.consecutive_failures,
        "created_at": subscription.created_at,
    }


def _delivery_out(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "event_id": str(delivery.event_id),
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "duration_ms": delivery.duration_ms,
        "response_excerpt": delivery.response_excerpt,
        "error": delivery.error,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
    }


def _token(request: HttpRequest) -> Any:
    return getattr(request, "api_token", None)


def _invalid(error: ValidationError) -> tuple[int, dict[str, Any]]:
    problems = [
        {"index": None, "field": field, "message": message}
        for field, messages in error.message_dict.items()
        for message in messages
    ]
    return 422, {"code": "webhooks.invalid", "message": _("Invalid webhook."), "errors": problems}


def _one(request: HttpRequest, webhook_id: int) -> Subscription:
    return access_subscription(caller_scope(request), webhook_id, token=_token(request) is not None)


@router.get(
    "/events", response={200: list[EventTypeOut], **ERRORS}, summary="Events one can subscribe to"
)
def webhooks_events(request: HttpRequest) -> Any:
    return [{"code": code, "label": label} for code, label in event_choices()]


@router.get("", response={200: list[WebhookOut], **ERRORS}, summary="Webhooks in your scope")
def webhooks_list(request: HttpRequest) -> Any:
    subscriptions = access_subscriptions(caller_scope(request), token=_token(request) is not None)
    return 200, [_out(subscription) for subscription in subscriptions]


@router.post(
    "",
    response={201: WebhookCreatedOut, **ERRORS},
    summary="Subscribe a URL to events; the answer holds its secret, shown once",
)
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Any:
    scope = caller_scope(request)
    access_subscriptions(scope, token=_token(request) is not None)
    unit = None
    if payload.unit:
        unit = unit_by_reference(payload.unit)
        if unit is None or not scope.contains(unit):
            return _invalid(ValidationError({"unit": [_("Choose a unit inside your scope.")]}))
    try:
        subscription, secret = services.subscription_create(
            name=payload.name,
            url=payload.url,
            events=payload.events,
            scope_unit=unit,
            actor=_token(request) or request.user,
            scope=scope,
        )
    except ValidationError as error:
        return _invalid(error)
    return 201, {**_out(subscription), "secret": secret}


@router.get(
    "/{webhook_id}",
    response={200: WebhookOut, **ERRORS},
    summary="A webhook",
)
def webhooks_detail(request: HttpRequest, webhook_id: int) -> Any:
    return 200, _out(_one(request, webhook_id))


@router.patch(
    "/{webhook_id}",
    response={200: WebhookOut, **ERRORS},
    summary="Change a webhook, or turn it off (active: false) and on again",
)
def webhooks_update(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    subscription = _one(request, webhook_id)
    try:
        subscription = services.subscription_update(
            subscription=subscription,
            actor=_token(request) or request.user,
            name=payload.name,
            url=payload.url,
            events=payload.events,
            active=payload.active,
        )
    except ValidationError as error:
        return _invalid(error)
    return 200, _out(subscription)


@router.delete(
    "/{webhook_id}",
    response={204: None, **ERRORS},
    summary="Delete a webhook and its delivery log",
)
def webhooks_delete(request: HttpRequest, webhook_id: int) -> Any:
    subscription = _one(request, webhook_id)
    services.subscription_delete(subscription=subscription, actor=_token(request) or request.user)
    return 204, None


@router.get(
    "/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="A webhook's deliveries, newest first",
)
def webhooks_deliveries(
    request: HttpRequest,
    response: HttpResponse,
    webhook_id: int,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    deliveries = subscription_deliveries(_one(request, webhook_id))
    response["X-Total-Count"] = str(deliveries.count())
    return 200, [_delivery_out(delivery) for delivery in deliveries[offset : offset + limit]]


@router.post(
    "/{webhook_id}/test",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a ping event to the webhook now",
)
def webhooks_test(request: HttpRequest, webhook_id: int) -> Any:
    subscription = _one(request, webhook_id)
    delivery = services.subscription_test(
        subscription=subscription, actor=_token(request) or request.user
    )
    return 202, _delivery_out(delivery)
