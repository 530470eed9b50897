"""The periodic work of privacy, run by ``miroir tick`` (docs/privacy.md)."""

from __future__ import annotations

from django.utils import timezone

from miroir.operations.periodic import HOUR, periodic
from miroir.operations.retry import retried_task
from miroir.privacy.services import contacts_retention_erase


@periodic(every=HOUR)
@retried_task()
def erase_expired_contacts() -> int:
    """Erase customer contact details older than the retention period (answers stay)."""
    return contacts_retention_erase(now=timezone.now()).total
