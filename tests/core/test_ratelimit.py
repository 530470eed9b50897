"""Rate limits: 429 with Retry-After on login, survey pages, kiosk intake and the SMS webhook;
counted in the shared cache, per client address."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from miroir.core import ratelimit
from tests.accounts.support import install_clock
from tests.personas import PASSWORD


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


def _limit(settings, name: str, count: int, seconds: int = 60) -> None:
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, name: (count, seconds)}


def _login(client):
    return client.post(
        reverse("accounts:login"), {"username": "nobody@example.com", "password": PASSWORD}
    )


def _survey(client):
    return client.get(reverse("collect:respond", args=["no-such-token"]))


def _open_link(client):
    return client.get(reverse("collect:respond_open", args=[uuid.uuid4(), 1]))


def _kiosk(client):
    public_id = uuid.UUID(int=7)
    return client.post(
        reverse("collect:kiosk_submit", args=[public_id, 1]), "{}", content_type="application/json"
    )


def _sms(client):
    return client.post(reverse("collect:sms_webhook_twilio"), {"Body": "STOP"})


ENDPOINTS = [
    ("login", _login, False),
    ("survey", _survey, False),
    ("survey", _open_link, False),
    ("kiosk", _kiosk, True),
    ("sms_webhook", _sms, True),
]


@pytest.mark.parametrize(("name", "call", "as_json"), ENDPOINTS)
def test_each_limited_endpoint_answers_429_with_retry_after(
    client, db, settings, clock, name, call, as_json
):
    _limit(settings, name, 3)
    for _ in range(3):
        assert call(client).status_code != 429
    response = call(client)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    if as_json:
        body = response.json()
        assert body["error"] == "rate_limited" and body["retry_after"] == int(
            response["Retry-After"]
        )
    else:
        assert "Trop de requêtes" in response.content.decode()
    # Another address is not held back, and the window's end lets the first one in again.
    assert call(client.__class__(REMOTE_ADDR="192.0.2.9")).status_code != 429
    clock.advance(60)
    assert call(client).status_code != 429


def test_the_429_page_speaks_english_to_english_speakers(client, db, settings, clock):
    _limit(settings, "survey", 1)
    _survey(client)
    response = client.get(
        reverse("collect:respond", args=["no-such-token"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Too many requests. Please try again in" in response.content.decode()


def test_kiosks_behind_one_address_are_counted_apart(client, db, settings, clock):
    _limit(settings, "kiosk", 2)
    for _ in range(3):
        _kiosk(client)
    assert _kiosk(client).status_code == 429
    other = client.post(
        reverse("collect:kiosk_submit", args=[uuid.UUID(int=8), 1]),
        "{}",
        content_type="application/json",
    )
    assert other.status_code != 429


def test_a_zero_count_turns_a_limit_off(client, db, settings, clock):
    _limit(settings, "survey", 0)
    assert all(_survey(client).status_code != 429 for _ in range(5))


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(rf, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
    assert ratelimit.client_address(request) == "203.0.113.5"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert ratelimit.client_address(request) == "10.0.0.1"


def test_the_configured_cache_is_shared_by_workers_and_counts_limits(db, settings):
    # The database cache (its table made by migrate), or Redis in the scaled-out setup: never
    # a per-process cache, which would let each worker count its own hits.
    from miroir import settings as project_settings

    backend = project_settings.CACHES["default"]
    if project_settings.MIROIR_REDIS_URL:
        assert backend["BACKEND"] == "django_redis.cache.RedisCache"
        assert backend["LOCATION"] == project_settings.MIROIR_REDIS_URL
        expected_class = "RedisCache"
    else:
        assert backend["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        assert backend["LOCATION"] in connection.introspection.table_names()
        expected_class = "DatabaseCache"
    with override_settings(CACHES=project_settings.CACHES):
        assert caches["default"].__class__.__name__ == expected_class
        limit = (2, 60)
        verdicts = [ratelimit.hit("login", "198.51.100.1", limit=limit) for _ in range(3)]
        assert [v.allowed for v in verdicts] == [True, True, False]
        assert ratelimit.peek("login", "198.51.100.1", limit=limit) == 3


def test_rates_are_read_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from miroir.conf import env_rate

    monkeypatch.setenv("MIROIR_RATE_TEST", "12/600")
    assert env_rate("MIROIR_RATE_TEST", (1, 1)) == (12, 600)
    monkeypatch.setenv("MIROIR_RATE_TEST", "lots")
    with pytest.raises(ImproperlyConfigured, match="COUNT/SECONDS"):
        env_rate("MIROIR_RATE_TEST", (1, 1))


def test_password_reset_requests_count_with_the_login_attempts(client, db, settings, clock):
    _limit(settings, "login", 2)
    url = reverse("accounts:password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "nobody@example.com"}).status_code == 302
    response = client.post(url, {"email": "nobody@example.com"})
    assert response.status_code == 429 and response["Retry-After"]
    assert client.get(url).status_code == 200  # reading the form costs nothing
