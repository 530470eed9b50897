from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def in_language(french: str, english: str, language: str | None) -> str:
    """Return the English text for an English reader when there is one, else the French."""
    return english if (language or "")[:2] == "en" and english else french


class Stage(models.TextChoices):
    BEFORE = "before", _("Before")
    DURING = "during", _("During")
    AFTER = "after", _("After")


class JourneyKind(models.TextChoices):
    """Whose journey it is: the customers' of a shop, or the employees' of the company."""

    CUSTOMER = "customer", _("Customer journey")
    EMPLOYEE = "employee", _("Employee journey")


class TeamFunction(models.TextChoices):
    """The teams that make a customer moment happen."""

    SALES_FLOOR = "sales_floor", _("Sales floor")
    CHECKOUT = "checkout", _("Checkout")
    DELIVERY = "delivery", _("Delivery")
    AFTER_SALES = "after_sales", _("After-sales")
    CALL_CENTRE = "call_centre", _("Call centre")


class Journey(models.Model):
    """A journey: its moments, stage by stage (before, during, after), as a map rates them."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=JourneyKind.choices)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        constraints = [
            models.CheckConstraint(condition=~Q(name_fr=""), name="journeys_journey_name_fr"),
            models.CheckConstraint(
                condition=Q(kind__in=JourneyKind.values), name="journeys_journey_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def name(self, language: str | None) -> str:
        """Return the journey's name in ``language``, falling back to French."""
        return in_language(self.name_fr, self.name_en, language)

    def description(self, language: str | None) -> str:
        """Return the journey's description in ``language``, falling back to French."""
        return in_language(self.description_fr, self.description_en, language)


class Moment(models.Model):
    """A moment of a journey (arrival, check-out, first day…) at one stage.

    Moments are shared data: instrument items, interactions and satisfaction maps
    refer to them by ``code``, so a code never changes once used. A moment outside
    any journey is a customer moment (the ones created before journeys existed).
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    journey = models.ForeignKey(
        Journey,
        verbose_name=_("journey"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moments",
    )
    # The teams that produce the moment (TeamFunction values), for customer moments.
    teams = models.JSONField(_("teams that produce it"), default=list, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("moment")
        verbose_name_plural = _("moments")
        constraints = [
            models.CheckConstraint(condition=~Q(name_fr=""), name="journeys_moment_name_fr"),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="journeys_moment_stage_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def name(self, language: str | None) -> str:
        """Return the moment's name in ``language``, falling back to French."""
        return in_language(self.name_fr, self.name_en, language)
