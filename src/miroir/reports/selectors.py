"""Reads of the monthly report subscriptions, and who may receive a unit's report."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from miroir.org.models import Member, RoleKind, Unit
from miroir.org.selectors import Scope, scope_for_user, unit_ancestors
from miroir.reports.models import ReportSubscription
from miroir.results.selectors import results_can_view


def report_subscriptions_for(scope: Scope) -> QuerySet[ReportSubscription]:
    """Return the subscriptions of the units the scope reaches, by unit name."""
    return (
        ReportSubscription.objects.filter(scope.unit_filter("unit__"))
        .select_related("unit")
        .prefetch_related("recipients")
        .order_by("unit__name", "pk")
    )


def access_report_subscription(scope: Scope, subscription_id: Any) -> ReportSubscription:
    """Return a subscription of a unit the scope reaches; 404 otherwise, 403 without rights."""
    if not results_can_view(scope):
        raise PermissionDenied("Reports are for managers and the direction")
    try:
        return report_subscriptions_for(scope).get(pk=int(subscription_id))
    except (ReportSubscription.DoesNotExist, TypeError, ValueError):
        raise Http404("No such report subscription") from None


def report_reader_can_read(member: Member, unit: Unit) -> bool:
    """Return whether ``member`` may read ``unit``'s results now (and so receive its report).

    The same rule as the result pages: an active login, a scope reaching the unit, the
    right to read results. Checked when a recipient is chosen and again at each sending.
    """
    if not member.is_active or not member.email or member.user_id is None:
        return False
    scope = scope_for_user(member.user)
    return results_can_view(scope) and scope.contains(unit)


def report_recipient_candidates(unit: Unit) -> list[Member]:
    """Return the members who may receive ``unit``'s report, by name.

    Those with a role over the whole network (direction, administrators) or on the unit
    or one of its ancestors, each checked with ``report_reader_can_read``.
    """
    lineage = [ancestor.pk for ancestor in unit_ancestors(unit)] + [unit.pk]
    roles = Q(roles__kind__in=[RoleKind.DIRECTION, RoleKind.ADMINISTRATOR]) | Q(
        roles__unit_id__in=lineage
    )
    members = (
        Member.objects.filter(roles, is_active=True, user__isnull=False, email__isnull=False)
        .exclude(email="")
        .select_related("user")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    return [member for member in members if report_reader_can_read(member, unit)]
