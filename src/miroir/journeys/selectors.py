"""Reads of the journey moments."""

from __future__ import annotations

from django.db.models import QuerySet

from miroir.journeys.models import Moment, Stage


def moments_active() -> QuerySet[Moment]:
    """Return the active moments in journey order."""
    return Moment.objects.filter(is_active=True).order_by("order", "code")


def moments_by_stage(*, active_only: bool = True) -> dict[str, list[Moment]]:
    """Return the moments grouped by stage, stages in journey order (before, during, after)."""
    moments = moments_active() if active_only else Moment.objects.order_by("order", "code")
    grouped: dict[str, list[Moment]] = {stage: [] for stage in Stage.values}
    for moment in moments:
        grouped[moment.stage].append(moment)
    return grouped


def moment_codes() -> set[str]:
    """Return the codes of every moment, active or not (old answers may use retired ones)."""
    return set(Moment.objects.values_list("code", flat=True))
