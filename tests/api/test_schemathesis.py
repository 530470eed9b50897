"""Property-based tests of the JSON API: every operation, fed what its OpenAPI document allows
(and what it doesn't), answers without a 5xx and with a response its document describes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from miroir.api.services import api_token_create
from tests.personas import Personas

# Enough to find the classic mistakes (unvalidated ids, enums, huge numbers, odd strings) while
# keeping the whole file near a minute on a shared machine.
# MIROIR_SCHEMATHESIS_EXAMPLES asks for a deeper run (e.g. 500) before a release.
EXAMPLES_PER_OPERATION = int(os.environ.get("MIROIR_SCHEMATHESIS_EXAMPLES", "30"))

# Operations that may refuse a request their schema allows, with a 422 naming each problem,
# because what they check needs the database: the unit exists and is in the token's scope,
# the moment exists, the phone number is a real one.
# A unit's results filter by a segment only with both its attribute and its value: a rule
# across two parameters that OpenAPI cannot state, answered by a 422 naming it.
CHECKED_AGAINST_DATA = {
    "POST /api/v1/interactions",
    "POST /api/v1/voices/complaints",
    "GET /api/v1/results/units/{unit_id}",
    # A webhook's URL must be https to a public address, and its unit in the token's scope.
    "POST /api/v1/webhooks",
    "PATCH /api/v1/webhooks/{webhook_id}",
}


# The document the API serves, read through the application at collection, so that each
# operation is a test of its own.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def same_transaction(db: None) -> Iterator[None]:
    """Make the application answer inside the test's transaction."""
    # Django closes the connection after each request, which would end the test's transaction;
    # Django's own test client unhooks the same signal handlers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(personas: Personas, settings: Any) -> dict[str, str]:
    """Return the header of a whole-network integration token, so every operation is reached."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _token, secret = api_token_create(name="Schemathesis", scope_unit=None, actor=personas.admin)
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_with_5xx(
    case, bearer, same_transaction
):
    excluded = [positive_data_acceptance] if case.operation.label in CHECKED_AGAINST_DATA else []
    case.call_and_validate(headers=bearer, excluded_checks=excluded)
