"""Reads of the webhooks, and the gate every look-up of a subscription goes through.

Administrators reach every subscription, from their session (pages, and the API's reads).
An integration token reaches the subscriptions whose unit lies in its scope (a network-wide
token also those of the whole network): it may watch what it may read. Everyone else: 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from miroir.org.selectors import Scope
from miroir.webhooks.models import Delivery, Subscription


def webhooks_can_manage(scope: Scope, *, token: bool = False) -> bool:
    """Return whether the caller manages webhooks: administrators, and integration tokens."""
    return scope.is_administrator or (token and scope.can_browse)


def access_subscriptions(scope: Scope, *, token: bool = False) -> QuerySet[Subscription]:
    """Return the subscriptions the caller reaches; 403 for who manages none."""
    if not webhooks_can_manage(scope, token=token):
        raise PermissionDenied("Only administrators and integrations manage webhooks")
    subscriptions = Subscription.objects.select_related("scope_unit")
    if scope.everything:
        return subscriptions
    return subscriptions.filter(scope.unit_filter("scope_unit__") & Q(scope_unit__isnull=False))


def access_subscription(scope: Scope, subscription_id: Any, *, token: bool = False) -> Subscription:
    """Return one subscription the caller reaches; 403 as above, 404 if out of reach."""
    try:
        return access_subscriptions(scope, token=token).get(pk=int(subscription_id))
    except (Subscription.DoesNotExist, TypeError, ValueError):
        raise Http404("No such webhook") from None


def subscription_deliveries(subscription: Subscription) -> QuerySet[Delivery]:
    """Return the subscription's deliveries, newest first."""
    return subscription.deliveries.order_by("-created_at", "-id")
