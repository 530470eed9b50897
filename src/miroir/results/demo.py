"""The results' part of the demo: the roll-ups of every response the collection part made."""

from __future__ import annotations

from miroir.demo.context import DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.results.models import Rollup, RollupResponses
from miroir.results.services import rollups_rebuild

PART = "results"


@demo_part(name=PART, order=90)
def build_results(ctx: DemoContext) -> None:
    """Compute the roll-ups from the demo's responses (written in bulk, not through intake)."""
    rollups_rebuild()


@demo_reset(name=PART)
def reset_results() -> None:
    """Delete every roll-up row."""
    Rollup.objects.all().delete()
    RollupResponses.objects.all().delete()
