"""Writes of the monthly PDF reports: subscriptions, and each month's sending by e-mail.

A subscription names a unit, the report (the unit's or the network's under it), a
language and a day of the month; its recipients are members who may read the unit's
results. The periodic tick (``reports.periodic``) opens each month's ``ReportDelivery``
once the day has come and hands it to the task worker (``send_report_delivery``), which
builds the PDF for each recipient, as that recipient (their scope, their place in the
groups), and e-mails it. A recipient who can no longer read the unit's results at that
moment receives nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.core.emails import email_message, email_render
from miroir.org.models import Member, Unit
from miroir.org.selectors import Scope, scope_for_user
from miroir.reports.models import (
    LAST_DAY,
    ReportDelivery,
    ReportLanguage,
    ReportPage,
    ReportSubscription,
)
from miroir.reports.pdf import ReportError, report_for, report_language
from miroir.reports.selectors import report_reader_can_read
from miroir.results.selectors import results_can_view

logger = logging.getLogger("miroir.reports")
EMAIL_TEMPLATE = "reports/email/report"


def _check_scope(scope: Scope, unit: Unit) -> None:
    if not results_can_view(scope) or not scope.contains(unit):
        raise PermissionDenied("The unit's results are out of this scope")


def report_subscription_create(
    *,
    unit: Unit,
    page: str,
    language: str,
    day: int,
    recipients: list[Member],
    actor: Any,
    scope: Scope,
    now: datetime | None = None,
) -> ReportSubscription:
    """Return a new monthly subscription to ``unit``'s report, audited.

    ``ValidationError`` naming the field for a bad report, language or day, no recipient,
    or a recipient who may not read the unit's results; nothing is written then.
    """
    _check_scope(scope, unit)
    errors: dict[str, list[str]] = {}
    if page not in ReportPage.values:
        errors["page"] = [_("Choose the unit's report or the network's.")]
    if language not in ReportLanguage.values:
        errors["language"] = [_("Choose French, English or each recipient's language.")]
    if not isinstance(day, int) or not 1 <= day <= LAST_DAY:
        errors["day"] = [
            _("The day of the month is a number from 1 to %(last)d.") % {"last": LAST_DAY}
        ]
    if not recipients:
        errors["recipients"] = [_("Choose at least one recipient.")]
    outside = [member for member in recipients if not report_reader_can_read(member, unit)]
    if outside:
        errors["recipients"] = [
            _("%(names)s may not read this unit's results: they cannot receive its report.")
            % {"names": ", ".join(f"{m.first_name} {m.last_name}" for m in outside)}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        subscription = ReportSubscription.objects.create(
            unit=unit,
            page=page,
            language=language,
            day=day,
            created_at=now or timezone.now(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        subscription.recipients.set(recipients)
        audit_record(
            actor=actor,
            action="report.subscribe",
            target=f"report_subscription:{subscription.pk}",
            details={"unit": unit.pk, "members": len(recipients), "day": day},
        )
    return subscription


def report_subscription_delete(
    *, subscription: ReportSubscription, actor: Any, scope: Scope
) -> None:
    """Delete a subscription (its past sendings with it), audited."""
    _check_scope(scope, subscription.unit)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="report.unsubscribe",
            target=f"report_subscription:{subscription.pk}",
            details={"unit": subscription.unit_id},
        )
        subscription.delete()


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def report_subscriptions_due(*, now: datetime) -> list[ReportSubscription]:
    """Return the subscriptions whose report of this month is due and not yet started.

    Due from the subscription's day of the month on; a subscription created after that
    day first sends the next month.
    """
    today = timezone.localdate(now)
    month = _month(today)
    due = []
    candidates = ReportSubscription.objects.filter(day__lte=today.day).exclude(
        deliveries__month=month
    )
    for subscription in candidates.select_related("unit"):
        due_day = today.replace(day=subscription.day)
        if timezone.localdate(subscription.created_at) <= due_day:
            due.append(subscription)
    return due


def report_deliveries_start(*, now: datetime) -> list[int]:
    """Return the ids of this month's sendings opened now (one per due subscription).

    The caller hands each to the worker (``reports.periodic``); a sending opened twice
    at the same moment by two ticks is opened once.
    """
    month = _month(timezone.localdate(now))
    started = []
    for subscription in report_subscriptions_due(now=now):
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(
                    subscription=subscription, month=month, created_at=now
                )
        except IntegrityError:
            continue  # another tick opened it at the same moment
        started.append(delivery.pk)
    return started


@dataclass(frozen=True)
class DeliveryOutcome:
    sent: int
    skipped: int
    period: str


def _recipient_language(subscription: ReportSubscription, member: Member) -> str:
    preferred = getattr(member.user, "preferred_language", "") if member.user else ""
    return report_language(subscription.language or None, preferred or settings.LANGUAGE_CODE)


def report_delivery_send(*, delivery_id: int, now: datetime) -> DeliveryOutcome | None:
    """Return what one month's sending did: the PDF e-mailed to each recipient still allowed.

    Idempotent: a recipient already sent to (``sent_to``) is not sent again when the task
    runs again after a failure. Each recipient's report is built with their own scope,
    at this moment: one who may no longer read the unit's results is skipped.
    """
    delivery = (
        ReportDelivery.objects.filter(pk=delivery_id, finished_at__isnull=True)
        .select_related("subscription__unit")
        .first()
    )
    if delivery is None:
        return None
    subscription = delivery.subscription
    unit = subscription.unit
    sent_to = set(delivery.sent_to)
    skipped = 0
    period = delivery.period
    recipients = subscription.recipients.select_related("user").order_by("pk")
    for member in recipients:
        if member.pk in sent_to:
            continue
        if not report_reader_can_read(member, unit):
            skipped += 1
            continue
        language = _recipient_language(subscription, member)
        try:
            report = report_for(
                scope_for_user(member.user),
                page=subscription.page,
                params={},
                unit_id=unit.pk,
                language=language,
            )
        except (Http404, PermissionDenied):
            skipped += 1
            continue
        except ReportError:
            skipped += 1  # no period holds results yet: nothing to send
            continue
        period = report.period
        _send(subscription, member, report, language)
        sent_to.add(member.pk)
        ReportDelivery.objects.filter(pk=delivery.pk).update(sent_to=sorted(sent_to), period=period)
    with transaction.atomic():
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            sent_to=sorted(sent_to), skipped=skipped, period=period, finished_at=now
        )
        audit_record(
            actor=None,
            action="report.send",
            target=f"report_subscription:{subscription.pk}",
            details={
                "unit": unit.pk,
                "period": period,
                "sent": len(sent_to),
                "recipients_skipped": skipped,
            },
        )
    return DeliveryOutcome(sent=len(sent_to), skipped=skipped, period=period)


def _send(subscription: ReportSubscription, member: Member, report: Any, language: str) -> None:
    rendered = email_render(
        EMAIL_TEMPLATE,
        {
            "member": member,
            "unit": subscription.unit,
            "network": subscription.page == ReportPage.NETWORK,
            "period": report.period,
            "site_url": settings.SITE_URL,
        },
        language,
    )
    message = email_message(rendered, to=member.email)
    message.attach(report.filename, report.content, "application/pdf")
    message.send()
