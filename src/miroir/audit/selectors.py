from __future__ import annotations

from miroir.audit.chain import GENESIS, ChainBreak, chain_verify
from miroir.audit.models import AuditEntry, AuditHead


def audit_chain_breaks() -> list[ChainBreak]:
    """Return where the stored audit chain breaks (empty: every entry is as written)."""
    head = AuditHead.objects.filter(pk=1).first()
    entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000)
    return chain_verify(
        entries,
        head_sequence=head.sequence if head else 0,
        head_hash=head.entry_hash if head else GENESIS,
    )
