"""Fixtures of the security tests: the world of tests/security/world.py, built once a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from tests.accounts.oidc_provider import LocalProvider, ProviderServer
from tests.personas import build_personas
from tests.security.support import QUIET, rolled_back
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Return the world, built once for the module; each test rolls its own changes back."""
    with django_db_blocker.unblock(), override_settings(**QUIET), rolled_back():
        yield build_world(build_personas())


@pytest.fixture(scope="session")
def sign_in_provider() -> Iterator[LocalProvider]:
    """Return a local OpenID provider, serving for the whole session."""
    provider = LocalProvider()
    server = ProviderServer(provider)
    yield provider
    server.stop()


@pytest.fixture(autouse=True)
def _quiet(db, settings, sign_in_provider) -> None:
    for name, value in QUIET.items():
        setattr(settings, name, value)
    # The sign-in routes answer for a configured provider (world.py's ``provider_key``).
    settings.MIROIR_OIDC_PROVIDERS = {"keycloak": sign_in_provider.settings()}
    # Every role posts the public complaint form in turn: its throttle (5 per address) is
    # attacked in tests/voices/test_complaint_form.py, not here.
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "complaint": (1000, 600)}
