"""Administrators' pages of the webhooks: list, create, read the delivery log, test, change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miroir.core.pagination import paginate
from miroir.org.selectors import request_scope
from miroir.webhooks import services
from miroir.webhooks.forms import SubscriptionEditForm, SubscriptionForm
from miroir.webhooks.models import Subscription
from miroir.webhooks.selectors import (
    access_subscription,
    access_subscriptions,
    subscription_deliveries,
)


def _add_errors(form: Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _render_list(request: HttpRequest, form: SubscriptionForm) -> HttpResponse:
    subscriptions = access_subscriptions(request_scope(request))
    context = {"subscriptions": subscriptions, "form": form, "nav_section": "webhooks"}
    return render(request, "webhooks/list.html", context)


def _render_detail(
    request: HttpRequest,
    subscription: Subscription,
    form: SubscriptionEditForm | None = None,
    secret: str = "",
) -> HttpResponse:
    form = form or SubscriptionEditForm(
        initial={
            "name": subscription.name,
            "url": subscription.url,
            "events": subscription.events,
            "active": subscription.is_active,
        }
    )
    context: dict[str, Any] = {
        "subscription": subscription,
        "form": form,
        "secret": secret,
        "page": paginate(request, subscription_deliveries(subscription)),
        "retention": settings.WEBHOOKS_DELIVERY_RETENTION_DAYS,
        "nav_section": "webhooks",
    }
    response = render(request, "webhooks/detail.html", context)
    if secret:
        # The secret lives in this response only, as for API tokens: never cached.
        add_never_cache_headers(response)
    return response


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, SubscriptionForm())


@login_required
@require_POST
def webhook_create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    access_subscriptions(scope)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form)
    try:
        subscription, secret = services.subscription_create(
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            scope_unit=form.cleaned_data["unit"],
            actor=request.user,
            scope=scope,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _render_list(request, form)
    return _render_detail(request, subscription, secret=secret)


@login_required
@require_GET
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    return _render_detail(request, access_subscription(request_scope(request), webhook_id))


@login_required
@require_POST
def webhook_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = access_subscription(request_scope(request), webhook_id)
    form = SubscriptionEditForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, subscription, form)
    try:
        services.subscription_update(
            subscription=subscription,
            actor=request.user,
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            active=form.cleaned_data["active"],
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _render_detail(request, subscription, form)
    messages.success(request, _("The webhook is saved."))
    return redirect("webhooks:detail", webhook_id=subscription.pk)


@login_required
@require_POST
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = access_subscription(request_scope(request), webhook_id)
    services.subscription_test(subscription=subscription, actor=request.user)
    messages.success(
        request, _("A ping event is on its way: its delivery appears below in a moment.")
    )
    return redirect("webhooks:detail", webhook_id=subscription.pk)


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = access_subscription(request_scope(request), webhook_id)
    secret = services.subscription_rotate_secret(subscription=subscription, actor=request.user)
    return _render_detail(request, subscription, secret=secret)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = access_subscription(request_scope(request), webhook_id)
    name = subscription.name
    services.subscription_delete(subscription=subscription, actor=request.user)
    messages.success(request, _("The webhook “%(name)s” is deleted.") % {"name": name})
    return redirect("webhooks:list")
