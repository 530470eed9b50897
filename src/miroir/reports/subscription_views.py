"""The page where managers set up monthly PDF reports by e-mail, and its two actions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miroir.core.pagination import paginate
from miroir.org.selectors import request_scope, scope_roots
from miroir.reports import services
from miroir.reports.forms import ReportSubscriptionForm
from miroir.reports.selectors import (
    access_report_subscription,
    report_recipient_candidates,
    report_subscriptions_for,
)
from miroir.results.selectors import access_results, results_can_view


def _back(unit_id: int) -> HttpResponse:
    return redirect(reverse("reports:subscriptions") + "?" + urlencode({"unit": unit_id}))


@login_required
@require_GET
def subscriptions(request: HttpRequest) -> HttpResponse:
    """The monthly reports of the units in scope, and the form for one unit's."""
    scope = request_scope(request)
    if not results_can_view(scope):
        raise PermissionDenied("Reports are for managers and the direction")
    chosen = request.GET.get("unit") or getattr(scope_roots(scope).first(), "pk", None)
    if chosen is None:
        raise Http404("No unit in scope")
    unit = access_results(scope, chosen)
    form = ReportSubscriptionForm(candidates=report_recipient_candidates(unit))
    page = paginate(request, report_subscriptions_for(scope))
    context = {"unit": unit, "form": form, "page": page, "nav_section": "results"}
    return render(request, "reports/subscriptions.html", context)


@login_required
@require_POST
def subscription_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Set up a unit's monthly PDF report to the chosen recipients."""
    scope = request_scope(request)
    unit = access_results(scope, unit_id)
    form = ReportSubscriptionForm(request.POST, candidates=report_recipient_candidates(unit))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return _back(unit.pk)
    try:
        services.report_subscription_create(
            unit=unit, actor=request.user, scope=scope, **form.cleaned_data
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report will be sent every month."))
    return _back(unit.pk)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Stop a monthly PDF report."""
    scope = request_scope(request)
    subscription = access_report_subscription(scope, subscription_id)
    unit_id = subscription.unit_id
    services.report_subscription_delete(subscription=subscription, actor=request.user, scope=scope)
    messages.success(request, _("The monthly report is stopped."))
    return _back(unit_id)
