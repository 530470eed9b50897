from __future__ import annotations

# The collection's fixtures (a questionnaire for every lens, waves) serve here.
from tests.collect.conftest import (  # noqa: F401
    _immediate_tasks,
    _outbox_mail,
    instrument,
    launch,
    make_wave,
)
from tests.reports.support import results_data  # noqa: F401
