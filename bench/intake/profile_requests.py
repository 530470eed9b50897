"""Profile of one respondent in process: the form's GET and the answers' POST, then a kiosk POST.

Runs Django's test client against the benchmark database (see run.py), counts the SQL
statements of each request and prints the functions that take the most time under cProfile.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench \
      .venv/bin/python bench/intake/profile_requests.py --count 300
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the benchmark's set-up, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="respondents profiled (300)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (25)")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DATABASE)
    os.environ.update(run.app_environment(database_url, 8000, tempfile.mkdtemp()))
    os.environ["MIROIR_ALLOWED_HOSTS"] = "testserver"
    run.ensure_database(database_url)
    import django

    sys.path.insert(0, str(run.ROOT / "src"))
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from miroir.collect.channels.kiosk.keys import kiosk_header_token
    from miroir.collect.models import Wave
    from miroir.collect.services import kiosk_issue
    from miroir.org.models import Unit

    call_command("migrate", verbosity=0)
    setup = run.create_wave(5)
    wave = Wave.objects.get(pk=setup.wave_id)
    unit = setup.unit_ids[0]
    signed = kiosk_issue(wave=wave, unit=Unit.objects.get(pk=unit), actor=None)[1]
    client = Client()
    client.cookies["miroir_kiosk"] = signed
    path = f"/o/{setup.wave_public_id}/{unit}/"
    form = {f"q-{code}": value for code, value in run.ANSWERS.items()}

    def respondent() -> None:
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        submission = run.SUBMISSION_FIELD.search(page.content).group(1).decode()
        posted = client.post(path, {**form, "submission_id": submission, "lang": "fr"})
        assert posted.status_code == 302, posted.status_code

    def kiosk() -> None:
        body = {"submission_id": str(uuid.uuid4()), "answers": run.ANSWERS, "lang": "fr"}
        answer = client.post(
            f"/k/{setup.wave_public_id}/{unit}/submit",
            json.dumps(body),
            content_type="application/json",
            headers={"X-Miroir-Kiosk": kiosk_header_token(signed)},
        )
        assert answer.status_code == 201, (answer.status_code, answer.content)

    for name, step in (("respondent (GET + POST)", respondent), ("kiosk POST", kiosk)):
        step()  # warm
        queries: list[str] = []

        def record(execute, sql, params, many, context, seen=queries):  # type: ignore[no-untyped-def]
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            step()
        started = time.perf_counter()
        cpu = time.process_time()
        for _ in range(args.count):
            step()
        plain = (time.perf_counter() - started) / args.count * 1000
        plain_cpu = (time.process_time() - cpu) / args.count * 1000
        print(f"\n== {name}: {plain:.2f} ms each, {plain_cpu:.2f} ms of it this process's CPU")
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(args.count):
            step()
        profile.disable()
        elapsed = (time.perf_counter() - started) / args.count * 1000
        print(f"   under cProfile {elapsed:.2f} ms each; {len(queries)} SQL statements:")
        for query in queries:
            print("   ", query[:150])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
