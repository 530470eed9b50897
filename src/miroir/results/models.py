"""Incremental roll-ups: the stored counts every result is computed from.

One ``Rollup`` row holds, for one wave x leaf unit x item x calendar month x segment
(the one response attribute its lens keeps, e.g. the contract type) and, for choice
scales, one option: the number of answers ``n`` ("don't know" excluded), the "don't
know" count, Σx, Σx² and the count of each whole value 0 to 10. Means, top box, top-2
box, CSAT and NPS with their intervals all follow from these (``miroir.analytics``).
``RollupResponses`` counts whole responses on the same key without the item, for
response rates and the size of verbatim groups.

Rows are added to on intake, in the submission's transaction (``services.rollups_add``),
and recomputed from the responses by ``miroir rollups_rebuild``. Nothing here is ever
shown as such: every figure leaves through ``miroir.results.gate``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Lens

# Whole values counted one by one: every point scale (0-10 NPS, 1-5, 1-7, yes/no 0-1).
VALUE_RANGE = range(11)
VALUE_FIELDS = tuple(f"v{value}" for value in VALUE_RANGE)


class _Key(models.Model):
    wave = models.ForeignKey("collect.Wave", on_delete=models.CASCADE, related_name="+")
    # The response's own unit (a leaf of what was answered); subtrees are summed by path.
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    lens = models.CharField(_("lens"), max_length=16, choices=Lens.choices)
    # The first day of the calendar month the responses were submitted in.
    period = models.DateField(_("month"))
    # The response attribute the lens keeps ("" when none) and its value ("" when absent).
    attribute = models.CharField(max_length=16, blank=True, default="")
    value = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        abstract = True


class Rollup(_Key):
    item = models.ForeignKey("instruments.Item", on_delete=models.CASCADE, related_name="+")
    # Choice scales (emotion, single choice): one row per option; "" for numbers.
    choice = models.CharField(max_length=64, blank=True, default="")
    n = models.PositiveIntegerField(default=0)
    dont_know = models.PositiveIntegerField(default=0)
    total = models.FloatField(default=0.0)
    total_squares = models.FloatField(default=0.0)
    v0 = models.PositiveIntegerField(default=0)
    v1 = models.PositiveIntegerField(default=0)
    v2 = models.PositiveIntegerField(default=0)
    v3 = models.PositiveIntegerField(default=0)
    v4 = models.PositiveIntegerField(default=0)
    v5 = models.PositiveIntegerField(default=0)
    v6 = models.PositiveIntegerField(default=0)
    v7 = models.PositiveIntegerField(default=0)
    v8 = models.PositiveIntegerField(default=0)
    v9 = models.PositiveIntegerField(default=0)
    v10 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "unit", "item", "period", "attribute", "value", "choice"],
                name="results_rollup_key",
            ),
            models.CheckConstraint(
                condition=Q(lens__in=Lens.values), name="results_rollup_lens_known"
            ),
        ]
        indexes = [
            models.Index(fields=["lens", "period", "item"], name="results_rollup_lens_period"),
        ]

    def __str__(self) -> str:
        return f"roll-up {self.pk}"


class RollupResponses(_Key):
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("response roll-up")
        verbose_name_plural = _("response roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "unit", "period", "attribute", "value"],
                name="results_rollupresponses_key",
            ),
        ]
        indexes = [
            models.Index(fields=["lens", "period"], name="results_rollresp_lens_period"),
        ]

    def __str__(self) -> str:
        return f"response roll-up {self.pk}"


# Results published to the team ------------------------------------------------------------

PUBLICATION_MESSAGE_MAX = 2000


class Publication(models.Model):
    """A manager's decision to show a unit's results of one period to its people.

    Nothing of the figures is stored: a publication names the unit and the period (a label
    at the release grain, e.g. ``2026-Q3``) and the figures are read through the privacy
    gate each time they are shown, so they never escape a rule the gate applies later.
    Employees and partners see the live publications of their own unit and its ancestors.
    A withdrawn publication keeps its row (who withdrew it and when) and is shown to nobody.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="publications"
    )
    period = models.CharField(_("period"), max_length=16)
    message = models.TextField(_("message"), blank=True, default="")
    published_at = models.DateTimeField(_("published on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            # One live publication per unit and period; withdrawn ones stay as history.
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(withdrawn_at__isnull=True),
                name="results_publication_one_live",
            ),
            models.CheckConstraint(
                condition=~Q(period=""), name="results_publication_period_not_blank"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "withdrawn_at"], name="results_pub_unit_live"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None

    @property
    def publisher_name(self) -> str:
        """Return the name of the member who published (their login when they are nobody)."""
        return _person_name(self.published_by)

    @property
    def withdrawer_name(self) -> str:
        return _person_name(self.withdrawn_by)


def _person_name(user: Any) -> str:
    if user is None:
        return ""
    member = getattr(user, "member", None)
    if member is not None:
        return member.full_name
    return str(user)


class SharedRelease(models.Model):
    """A release computed by one server process, for the others to read instead of counting.

    ``slot`` is the digest of what must match exactly (lens, period, tree, thresholds,
    snapshot day, open waves, code version), ``data`` the digest of the roll-ups' fingerprint
    when it was computed: a process uses the row only when both match its own reading.
    The payload holds subtree sums of the roll-ups, hidden ones included, with what the
    gate decided: like the roll-ups, nothing here is ever shown as such.
    """

    slot = models.CharField(max_length=64, unique=True)
    data = models.CharField(max_length=64)
    payload = models.BinaryField()
    computed_at = models.DateTimeField()
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("shared release")
        verbose_name_plural = _("shared releases")

    def __str__(self) -> str:
        return f"release {self.slot[:12]} ({self.computed_at:%Y-%m-%d %H:%M})"


class CommentAnalysis(models.Model):
    """A survey comment as the comments page may read it: names removed, themes, sentiment.

    Written by the background analysis (``services.comments_analyse_pending``); a comment
    without a row is shown nowhere, so a comment whose redaction has not run stays hidden.
    It holds no identity: the answer it belongs to has none either. Like the verbatims,
    it leaves only through ``miroir.results.gate``.
    """

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("positive")
        NEUTRAL = "neutral", _("neutral")
        NEGATIVE = "negative", _("negative")

    answer = models.OneToOneField(
        "collect.Answer", on_delete=models.CASCADE, primary_key=True, related_name="analysis"
    )
    text = models.TextField()
    themes = models.JSONField(default=list)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    language = models.CharField(max_length=2)

    class Meta:
        verbose_name = _("comment analysis")
        verbose_name_plural = _("comment analyses")

    def __str__(self) -> str:
        return f"analysis {self.answer_id} ({self.sentiment})"
