from __future__ import annotations

# The home shows waves, maps and results: the collection's and result pages' fixtures serve here
# (their autouse settings stay theirs).
from tests.collect.conftest import instrument, launch, make_wave  # noqa: F401
from tests.journeys.conftest import open_map  # noqa: F401
from tests.reports.support import results_data  # noqa: F401
