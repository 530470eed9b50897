from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from miroir.audit.chain import GENESIS, entry_digest
from miroir.audit.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from miroir.accounts.models import User
    from miroir.org.models import Member


def _head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"entry_hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


@transaction.atomic
def audit_record(
    *,
    actor: User | Member | None,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Return the audit entry written for a sensitive action (call inside the transaction).

    ``actor`` is the login that acted, or a member without a login acting through a script
    (the demo's publishers): the entry then names them, with no login attached.

    The chain's head is locked until the caller's transaction ends, so entries take their
    numbers one after the other and each one's hash covers the one before.
    """
    user = (
        actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    )
    label = (str(actor) if actor is not None else "system")[:200]
    details = details or {}
    head = _head()
    sequence = head.sequence + 1
    at = timezone.now()
    digest = entry_digest(
        previous_hash=head.entry_hash,
        sequence=sequence,
        at=at,
        actor_label=label,
        action=action,
        target=target[:200],
        details=details,
    )
    entry = AuditEntry.objects.create(
        at=at,
        sequence=sequence,
        actor=user,
        actor_label=label,
        action=action,
        target=target[:200],
        details=details,
        previous_hash=head.entry_hash,
        entry_hash=digest,
    )
    AuditHead.objects.filter(pk=1).update(sequence=sequence, entry_hash=digest)
    return entry
