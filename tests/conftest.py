from __future__ import annotations

import hypothesis
import pytest

from tests.personas import Personas, build_personas

# The suite shares two cores with PostgreSQL and a browser: a slow example is the machine's
# load, not a property that failed, so no per-example deadline and no "too slow" health check.
hypothesis.settings.register_profile(
    "miroir",
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
    print_blob=True,
)
hypothesis.settings.load_profile("miroir")


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's deliberate slowness would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> None:
    # Rate-limit counters and login locks live in the cache: each test starts with none. The
    # in-memory cache is shared by the live server's threads, like the database one by workers.
    # In the scaled-out pass (`./dev test`, MIROIR_REDIS_URL set) the cache stays in Redis.
    if not settings.MIROIR_REDIS_URL:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "miroir-tests",
            }
        }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _results_recounted(settings) -> None:
    # Each server process keeps computed results; a test's data is new, so none carries over,
    # and figures follow every response at once (tests/results/test_kept_releases.py checks the
    # production default that reuses them for a minute).
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 0
    # A thread's own connection would not see a test's uncommitted data.
    settings.MIROIR_RESULTS_RECOUNT_IN_BACKGROUND = False
    from miroir.results.engine import keep

    keep.forget()


@pytest.fixture(autouse=True)
def _client_login_passes_the_second_factor(monkeypatch) -> None:
    # The test client's login() and force_login() skip the login pages; they skip the second
    # factor too, so that a test acting as direction or an administrator reaches their pages.
    # tests/accounts checks the real two-step login through the pages.
    from django.test import Client

    from miroir.accounts.sessions import session_mark_verified

    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session_mark_verified(session)
        session.save()

    monkeypatch.setattr(Client, "_login", _login)
