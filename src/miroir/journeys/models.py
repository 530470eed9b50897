from __future__ import annotations

import uuid

from django.conf import settings
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


# -- satisfaction maps --------------------------------------------------------------------------


def _login() -> models.ForeignKey:
    """Return the field naming the login that acted (kept empty if the login is deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class MapWaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MapWave(models.Model):
    """A campaign where the members of a unit's subtree rate each moment of a journey.

    Employees answer as themselves (unlinkable answers), managers answer the same form as
    their estimate of what their team will say. On an employee journey that is the
    employee map; on a customer journey, employees say how they think customers live each
    moment (the customers' own ratings come from hot and cold waves).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="map_waves"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=MapWaveStatus.choices, default=MapWaveStatus.DRAFT
    )
    closes_at = models.DateTimeField(_("closes at"))
    threshold_scores = models.PositiveSmallIntegerField(_("minimum respondents for scores"))
    threshold_verbatims = models.PositiveSmallIntegerField(_("minimum respondents for verbatims"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = _login()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("map wave")
        verbose_name_plural = _("map waves")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="journeys_mapwave_name"),
            models.CheckConstraint(
                condition=Q(threshold_scores__gte=3)
                & Q(threshold_verbatims__gte=models.F("threshold_scores")),
                name="journeys_mapwave_thresholds",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MapResponse(models.Model):
    """One respondent's map. An employee's holds no identity and only the day it came.

    ``manager`` is set only on an attributed estimate (``MIROIR_ESTIMATE_ATTRIBUTED``): the
    manager's professional judgement for ``unit``, shown as theirs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(MapWave, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    lens = models.CharField(_("lens"), max_length=16)
    submitted_on = models.DateField(_("submitted on"))
    manager = models.ForeignKey(
        "org.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("map response")
        verbose_name_plural = _("map responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(lens__in=["employee", "management"]), name="journeys_mapresponse_lens"
            ),
            models.CheckConstraint(
                condition=Q(manager__isnull=True) | Q(lens="management"),
                name="journeys_mapresponse_only_estimates_attributed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lens} @ {self.unit_id}"


class MapAnswer(models.Model):
    """One moment as one respondent rated it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(MapResponse, on_delete=models.CASCADE, related_name="answers")
    moment = models.ForeignKey(Moment, on_delete=models.PROTECT, related_name="+")
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    emotion = models.CharField(max_length=16, blank=True)
    moment_of_truth = models.BooleanField(null=True, blank=True)
    solution = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="journeys_mapanswer_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.moment_id}: {self.satisfaction}"


class MapReceipt(models.Model):
    """That someone answered a map wave: a keyed digest, never who nor which response."""

    wave = models.ForeignKey(MapWave, on_delete=models.CASCADE, related_name="+")
    member_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "member_hash"], name="journeys_receipt_once")
        ]

    def __str__(self) -> str:
        return self.member_hash[:8]


class MapPublicationStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MapPublication(models.Model):
    """Both maps of a unit as published at a map wave's close: a frozen, gated snapshot.

    Publication is the default; holding back or withdrawing needs a written reason (in
    the audit log too). The snapshot is what members read: never recomputed.
    """

    wave = models.ForeignKey(MapWave, on_delete=models.CASCADE, related_name="publications")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=MapPublicationStatus.choices)
    snapshot = models.JSONField(default=dict)
    published_at = models.DateTimeField(_("published on"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = _login()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "unit"], name="journeys_publication_once"),
            models.CheckConstraint(
                condition=Q(status="published") | ~Q(reason=""),
                name="journeys_publication_reason_to_hold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} ({self.status})"


class PainPoint(models.Model):
    """A moment marked, from a unit's map, as a pain point for the action plan."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    moment = models.ForeignKey(Moment, on_delete=models.PROTECT, related_name="pain_points")
    wave = models.ForeignKey(
        MapWave, null=True, blank=True, on_delete=models.SET_NULL, related_name="pain_points"
    )
    note = models.TextField(_("why"), blank=True)
    created_by = _login()
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "moment"],
                condition=Q(cleared_at__isnull=True),
                name="journeys_painpoint_once_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.moment_id}"
