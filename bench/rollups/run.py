"""Roll-ups benchmark: what they add to intake, how fast they rebuild, how fast they read.

In process, on PostgreSQL: ``response_submit`` in a loop on one connection with the
roll-ups kept on intake, then the same with ``rollups_add`` switched off (the difference
is the roll-ups' cost per response); then ``rollups_rebuild`` of that wave; then the
gated figures of the company and its shops (``unit_results``) read from the roll-ups.
Prints figures; asserts nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench_results \\
      .venv/bin/python bench/rollups/run.py --count 1000 --units 50

The database is created if missing and migrated; each run adds a fresh wave.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.intake.run import (  # noqa: E402 (the path above makes it importable)
    ANSWERS,
    VENV_BIN,
    app_environment,
    create_wave,
    ensure_database,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/miroir_bench_results"


def submit_loop(setup, count: int) -> float:
    """Return the seconds ``count`` in-process submissions take."""
    from miroir.collect.services import response_submit

    started = time.perf_counter()
    for index in range(count):
        response_submit(
            answers=ANSWERS,
            submission_id=secrets.token_urlsafe(18),
            open_link=(setup.wave_public_id, setup.unit_ids[index % len(setup.unit_ids)]),
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=50, help="shops of the wave (50)")
    parser.add_argument("--count", type=int, default=1000, help="submissions per phase (1000)")
    parser.add_argument("--reads", type=int, default=20, help="reads of the figures (20)")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    environment = app_environment(database_url, 8000, tempfile.mkdtemp(prefix="miroir-bench-"))
    os.environ.update(environment)
    ensure_database(database_url)
    subprocess.run(
        [str(VENV_BIN / "miroir"), "migrate", "--noinput", "-v", "0"], check=True, env=environment
    )
    import django

    sys.path.insert(0, str(ROOT / "src"))
    django.setup()
    from django.utils import timezone

    import miroir.results.services as results_services
    from miroir.collect.models import Wave
    from miroir.org.models import Unit
    from miroir.results.periods import period_of
    from miroir.results.selectors import unit_results
    from miroir.results.services import rollups_rebuild

    setup = create_wave(args.units)
    with_rollups = submit_loop(setup, args.count)
    original = results_services.rollups_add
    results_services.rollups_add = lambda **kwargs: None
    try:
        without = submit_loop(setup, args.count)
    finally:
        results_services.rollups_add = original
    per_with = with_rollups / args.count * 1000
    per_without = without / args.count * 1000
    print(f"intake with roll-ups     {per_with:7.2f} ms per response")
    print(f"intake without roll-ups  {per_without:7.2f} ms per response")
    print(f"roll-ups add             {per_with - per_without:7.2f} ms per response")

    wave = Wave.objects.get(pk=setup.wave_id)
    started = time.perf_counter()
    done = rollups_rebuild(waves=[wave])
    print(
        f"rebuild of {2 * args.count} responses: {time.perf_counter() - started:.2f} s "
        f"({done['rollups']} roll-up rows)"
    )
    company = Unit.objects.get(pk=Unit.objects.get(pk=setup.unit_ids[0]).parent_id)
    period = period_of(timezone.localdate())
    timings = []
    for _ in range(args.reads):
        started = time.perf_counter()
        unit_results(unit=company, lens="customer", period=period, levels=1)
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(
        f"unit_results (company + {args.units} shops, 6 items): "
        f"p50 {timings[len(timings) // 2] * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
