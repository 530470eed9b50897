"""Who may read results: the access gates of the result pages, exports and API.

Scoped like ``org``: a manager sees their subtree, direction and administrators
everything; employees and partners see only what was published to them
(``selectors.publications``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from miroir.org.models import Unit
from miroir.org.selectors import Scope, access_unit
from miroir.results.engine.context import results_reader


def results_can_view(scope: Scope) -> bool:
    """Return whether the scope may read results at all (managers, direction, administrators)."""
    return scope.can_browse


def access_results(scope: Scope, unit_id: Any) -> Unit:
    """Return the unit whose results the scope may read; 403 without rights, 404 outside scope.

    Also makes the scope's member the reader of what follows (``results_reader``): the
    groups they belong to are shown to them only above the threshold.
    """
    if not results_can_view(scope):
        raise PermissionDenied("Results are for managers and the direction")
    unit = access_unit(scope, unit_id)
    results_reader(scope)
    return unit
