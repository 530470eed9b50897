"""``miroir audit_verify``: check that no audit entry was changed, removed or cut off."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from miroir.audit.models import AuditEntry
from miroir.audit.selectors import audit_chain_breaks
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = "Check the audit log's hash chain; exits with an error naming each break."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = audit_chain_breaks()
        reasons = {
            "changed": _("entry %(sequence)d was changed"),
            "missing": _("an entry is missing before number %(sequence)d"),
            "truncated": _("entries were removed from the end, from number %(sequence)d"),
        }
        if breaks:
            self.fail(
                _("The audit log was tampered with:"),
                (reasons[b.reason] % {"sequence": b.sequence} for b in breaks),
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("The audit log is intact (entries checked: %(count)d).")
                % {"count": AuditEntry.objects.count()}
            )
        )
