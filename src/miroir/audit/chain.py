"""The audit log's hash chain: what each entry's hash covers, and how the chain is checked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The hash before the first entry.
GENESIS = "0" * 64


def entry_digest(
    *,
    previous_hash: str,
    sequence: int,
    at: datetime,
    actor_label: str,
    action: str,
    target: str,
    details: dict[str, Any],
) -> str:
    """Return the SHA-256 an entry is chained under.

    The actor is covered by its label, not its row id: deleting a user sets the id to
    null, which must not read as tampering.
    """
    canonical = json.dumps(
        [
            previous_hash,
            sequence,
            at.isoformat(timespec="microseconds"),
            actor_label,
            action,
            target,
            details,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str  # "changed", "missing", "truncated"


def chain_verify(entries: Iterable[Any], *, head_sequence: int, head_hash: str) -> list[ChainBreak]:
    """Return where the chain breaks (empty: intact), entries given in sequence order."""
    breaks: list[ChainBreak] = []
    expected_sequence = 1
    previous = GENESIS
    for entry in entries:
        if entry.sequence != expected_sequence or entry.previous_hash != previous:
            breaks.append(ChainBreak(expected_sequence, "missing"))
        digest = entry_digest(
            previous_hash=entry.previous_hash,
            sequence=entry.sequence,
            at=entry.at,
            actor_label=entry.actor_label,
            action=entry.action,
            target=entry.target,
            details=entry.details,
        )
        if digest != entry.entry_hash:
            breaks.append(ChainBreak(entry.sequence, "changed"))
        previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    if expected_sequence - 1 != head_sequence or previous != head_hash:
        breaks.append(ChainBreak(expected_sequence, "truncated"))
    return breaks
