"""System checks of privacy settings: a retention period that would erase too soon."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_contact_retention(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    """Return an error for a retention period under a day, a warning when it cuts the period.

    A retention shorter than the hot waves' contact period would forget who was invited
    before the period ends, so a customer could be invited twice within it.
    """
    days = settings.COLLECT_CONTACT_RETENTION_DAYS
    if days < 1:
        return [
            Error(
                f"MIROIR_CONTACT_RETENTION_DAYS is {days}; contact details would be erased "
                "before anyone could answer.",
                hint="Set MIROIR_CONTACT_RETENTION_DAYS to 1 or more (the default is 90).",
                id="miroir.E101",
            )
        ]
    period = settings.COLLECT_HOT_CONTACT_PERIOD_DAYS
    if days < period:
        return [
            Warning(
                f"MIROIR_CONTACT_RETENTION_DAYS ({days}) is shorter than "
                f"MIROIR_HOT_CONTACT_PERIOD_DAYS ({period}).",
                hint="Recent invitations are forgotten after the retention period, so a "
                "customer may be invited again sooner than the period says.",
                id="miroir.W101",
            )
        ]
    return []
