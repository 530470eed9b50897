"""Result reads on a PostgreSQL streaming replica, writes and read-your-writes on the primary.

Configured by ``MIROIR_DATABASE_REPLICA_URL`` (docs/scaling.md); without it nothing here routes
anything. Only the reads made inside ``result_reads()`` go to the replica: the result engine
wraps its roll-up and answer reads in it, because they are the heavy, read-only part of the
work and a replica's lag only shows an earlier release (release days make any earlier release
a safe one, docs/anonymity.md). Everything else — sign-in, forms, the queue, the audit log —
reads the primary, like every write.

Read-your-writes: a request that writes (any method but GET, HEAD, OPTIONS) reads the primary
to its end, and its author's next requests do too for ``MIROIR_REPLICA_PIN_SECONDS`` (a cookie
says so), so a manager who publishes or answers sees it at once. A read inside a transaction
also stays on the primary: it may need to see the transaction's own rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "miroir_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_result_reads: ContextVar[bool] = ContextVar("miroir_result_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("miroir_primary_pinned", default=False)


def replica_configured() -> bool:
    """Return whether a replica is configured at all."""
    return REPLICA in settings.DATABASES


@contextmanager
def result_reads() -> Iterator[None]:
    """Let the reads made inside go to the replica (when there is one and nothing pins)."""
    token = _result_reads.set(True)
    try:
        yield
    finally:
        _result_reads.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Keep every read inside on the primary (read-your-writes for a request that wrote)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def read_alias() -> str:
    """Return the database alias the reads made here go to."""
    if not (_result_reads.get() and replica_configured()) or _pinned.get():
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


def read_connection() -> BaseDatabaseWrapper:
    """Return the connection for raw result reads (``cursor()`` ignores the routers)."""
    return connections[read_alias()]


class ReplicaRouter:
    """Sends result reads to the replica, everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        # Both aliases hold the same database.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # A streaming replica replays the primary's schema; it is never migrated itself.
        return db == PRIMARY


class PrimaryAfterWriteMiddleware:
    """Pins a writing request, and its author's next requests for a while, to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        pinned = writes or PIN_COOKIE in request.COOKIES
        if not pinned:
            return self.get_response(request)
        with primary_reads():
            response = self.get_response(request)
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.MIROIR_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
