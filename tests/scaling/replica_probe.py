"""Run by tests/scaling/test_streaming_replica.py in a process of its own (its settings name a
primary and a replica): prints, as JSON, where each kind of read went and what it saw."""

from __future__ import annotations

import json
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miroir.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.test.utils import CaptureQueriesContext

    from miroir.core.replica import read_connection, result_reads
    from miroir.org.models import Unit
    from miroir.org.services import unit_create

    call_command("migrate", verbosity=0)
    wait_for_replay = sys.argv[1]
    unit_create(name="Lyon Part-Dieu", kind="shop", external_id="LYO-PD")
    os.system(wait_for_replay)  # noqa: S605 - the test's own command, waits for the replica

    def in_recovery() -> bool:
        with read_connection().cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return bool(cursor.fetchone()[0])

    seen: dict[str, object] = {"plain": in_recovery()}
    with result_reads():
        seen["result"] = in_recovery()
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            seen["units_on_replica"] = list(Unit.objects.values_list("external_id", flat=True))
        seen["replica_queries"] = len(on_replica.captured_queries)
        with transaction.atomic():
            seen["in_transaction"] = in_recovery()

    # The result engine's reads: the fingerprint of a release, read on the replica only.
    from datetime import date

    from miroir.results.engine import build
    from miroir.results.periods import period_of

    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        build.release_counted("customer", period_of(date.today()))
    seen["engine_reads"] = [len(on_replica.captured_queries), len(on_primary.captured_queries)]

    recorded: list[bool] = []
    from miroir.core import replica

    def spy(request):
        with result_reads():
            recorded.append(replica.read_alias() == "replica")
        from django.http import HttpResponse

        return HttpResponse("ok")

    from miroir.core.replica import PrimaryAfterWriteMiddleware

    middleware = PrimaryAfterWriteMiddleware(spy)
    from django.test import RequestFactory

    factory = RequestFactory()
    middleware(factory.get("/"))
    posted = middleware(factory.post("/"))
    pinned = factory.get("/")
    pinned.COOKIES[replica.PIN_COOKIE] = posted.cookies[replica.PIN_COOKIE].value
    middleware(pinned)
    seen["requests_on_replica"] = recorded
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
