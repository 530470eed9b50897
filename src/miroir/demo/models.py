from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GroundTruth(models.Model):
    """One planted fact of the demo network (a parameter, a latent trait per unit, …).

    Parts of the demo record what they planted, so that tests and benchmarks can check
    that the analytics recover it.
    """

    part = models.CharField(_("part"), max_length=64)
    key = models.CharField(_("key"), max_length=128)
    value = models.JSONField(_("value"))

    class Meta:
        ordering = ["part", "key"]
        verbose_name = _("ground truth")
        verbose_name_plural = _("ground truths")
        constraints = [
            models.UniqueConstraint(fields=["part", "key"], name="demo_groundtruth_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.part}.{self.key}"
