"""Monthly PDF reports sent by e-mail: who receives which unit's report, and each sending."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Member, Unit

# A day every month has.
LAST_DAY = 28


class ReportPage(models.TextChoices):
    UNIT = "unit", _("The unit's results")
    NETWORK = "network", _("The network's results under the unit")


class ReportLanguage(models.TextChoices):
    READER = "", _("Each recipient's language")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class ReportSubscription(models.Model):
    """A unit's PDF report e-mailed every month, on ``day``, to chosen members.

    Recipients are checked against the unit when chosen and again at each sending: a
    member who can no longer read the unit's results receives nothing.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    page = models.CharField(
        _("report"), max_length=16, choices=ReportPage.choices, default=ReportPage.UNIT
    )
    language = models.CharField(
        _("language"), max_length=8, choices=ReportLanguage.choices, blank=True, default=""
    )
    day = models.PositiveSmallIntegerField(
        _("day of the month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(LAST_DAY)],
    )
    recipients = models.ManyToManyField(
        Member, verbose_name=_("recipients"), related_name="report_subscriptions"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day__gte=1, day__lte=LAST_DAY), name="report_day_in_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.page})"


class ReportDelivery(models.Model):
    """One month's sending of a subscription; ``sent_to`` keeps it from sending twice."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    month = models.CharField(max_length=7)  # "2026-12"
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    period = models.CharField(max_length=16, blank=True)
    sent_to = models.JSONField(default=list)  # member ids, as they are sent
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "month"], name="report_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.month}"
