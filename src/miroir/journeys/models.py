from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    BEFORE = "before", _("Before")
    DURING = "during", _("During")
    AFTER = "after", _("After")


class Moment(models.Model):
    """A moment of a customer journey (arrival, check-out, delivery…) at one stage.

    Moments are shared data: instrument items, interactions and satisfaction maps
    refer to them by ``code``, so a code never changes once used.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

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
        if (language or "")[:2] == "en" and self.name_en:
            return self.name_en
        return self.name_fr
