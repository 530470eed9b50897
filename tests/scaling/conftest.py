"""The scaled-out setup's components, real ones: Redis on the machine, a replica cluster."""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("MIROIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url() -> str:
    """A Redis database of its own, emptied; CI fails rather than skip without Redis."""
    if not _redis_answers(REDIS_URL):
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
