from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One sensitive action: who did what to which object. Never answer content.

    Entries form a hash chain (docs/security.md): each one's ``entry_hash`` covers its
    content and the previous entry's hash, so ``miroir audit_verify`` detects an entry that
    was changed, removed or cut off the end. Entries are only ever added.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    sequence = models.PositiveBigIntegerField(_("number"), unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are never changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are never deleted")


class AuditHead(models.Model):
    """The end of the chain: one row, locked by each writer so that entries line up."""

    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("end of the audit chain")
        verbose_name_plural = _("end of the audit chain")

    def __str__(self) -> str:
        return f"audit head {self.sequence}"
