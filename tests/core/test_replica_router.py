"""Which database each read goes to when a replica is configured (the rule of core/replica.py)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from miroir.core import replica
from miroir.core.replica import (
    PrimaryAfterWriteMiddleware,
    ReplicaRouter,
    primary_reads,
    read_alias,
    result_reads,
)


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_without_a_replica_every_read_stays_on_the_primary(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: False)
    with result_reads():
        assert read_alias() == "default"


def test_only_result_reads_go_to_the_replica(with_replica):
    router = ReplicaRouter()
    assert read_alias() == "default"
    with result_reads():
        assert read_alias() == "replica"
        assert router.db_for_read(object) == "replica"
        assert router.db_for_write(object) == "default"
    assert read_alias() == "default"


def test_a_pinned_request_reads_the_primary_even_for_results(with_replica):
    with primary_reads(), result_reads():
        assert read_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_transaction_sees_its_own_writes_on_the_primary(with_replica):
    with result_reads():
        with transaction.atomic():
            assert read_alias() == "default"
        assert read_alias() == "replica"


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "collect") is True
    assert router.allow_migrate("replica", "collect") is False


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_pins_its_request_and_the_writers_next_ones(with_replica, settings, method):
    settings.MIROIR_REPLICA_PIN_SECONDS = 15
    seen: list[str] = []

    def view(request):
        with result_reads():
            seen.append(read_alias())
        return HttpResponse("ok")

    middleware = PrimaryAfterWriteMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/"))
    written = middleware(getattr(factory, method)("/"))
    cookie = written.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 15 and cookie["httponly"]
    next_read = factory.get("/")
    next_read.COOKIES[replica.PIN_COOKIE] = cookie.value
    middleware(next_read)
    middleware(factory.get("/"))  # someone else, or the same person after the pin expired
    assert seen == ["replica", "default", "default", "replica"]
