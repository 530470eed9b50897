"""System checks of the results' settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from miroir.results.periods import GRAINS


@register()
def check_results_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Return errors for a results period or customer threshold that cannot work."""
    errors = []
    grain = settings.MIROIR_RESULTS_PERIOD
    if grain not in GRAINS:
        errors.append(
            Error(
                f"MIROIR_RESULTS_PERIOD is {grain!r}; it must be one of {', '.join(GRAINS)}.",
                hint="Results are released at one grain only; the default is quarter.",
                id="miroir.results.E001",
            )
        )
    threshold = settings.MIROIR_CUSTOMER_THRESHOLD
    if not isinstance(threshold, int) or threshold < 1:
        errors.append(
            Error(
                f"MIROIR_CUSTOMER_THRESHOLD is {threshold!r}; it must be 1 or more.",
                hint="Set it to 1 (every customer figure shown) or higher.",
                id="miroir.results.E002",
            )
        )
    return errors
