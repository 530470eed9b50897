"""Time the first result page of a fresh process, with and without ``results_warm``.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench_2000 \
      .venv/bin/python bench/dashboard/cold_start.py --repeat 3

Reads the database ``bench/dashboard/run.py`` filled (run that first). Each round, in
turn:

- **not warmed**: the releases the processes share are deleted (as after a deployment:
  a new version never reads the previous one's), then a fresh Python process sets Django
  up (what a server's worker does when it starts) and requests the company's network
  page, then a shop's unit page, through Django's test client;
- **warmed**: ``miroir results_warm`` runs in its own process (timed), then a fresh
  process requests the same two pages.

Prints, for each: the set-up (imports, settings, apps), the first page (the network
page: the first request of the process, which also loads the URLs, templates and chart
renderer), the unit page after it, and the medians over ``--repeat`` rounds. Figures
only, no assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "dashboard"))

from run import DEFAULT_DATABASE, environment, log  # noqa: E402


def child(url: str) -> None:
    """Set Django up, request the two pages, print the timings as JSON (a fresh process)."""
    started = time.perf_counter()
    os.environ.update(environment(url))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from miroir.accounts.models import User
    from miroir.org.models import Unit, UnitKind

    setup_test_environment()
    ready = time.perf_counter()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(User.objects.get(email="direction@demo.miroir.example"))
    # Direction logs in with a second factor; the bench stands for one who did.
    from miroir.accounts.sessions import session_mark_verified

    session = client.session
    session_mark_verified(session)
    session.save()
    shop = Unit.objects.filter(kind=UnitKind.SHOP).order_by("path").first()
    timings = {"setup": ready - started}
    for name, path in (("network", "/results/"), ("unit", f"/results/units/{shop.pk}/")):
        begun = time.perf_counter()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        timings[name] = time.perf_counter() - begun
    print(json.dumps(timings))


def fresh(url: str) -> dict[str, float]:
    found = subprocess.run(
        [sys.executable, __file__, "--child"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_DATABASE_URL": url},
    )
    return dict(json.loads(found.stdout.strip().splitlines()[-1]))


def forget_shared(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DELETE FROM results_sharedrelease")


def warm(url: str) -> float:
    begun = time.perf_counter()
    # This checkout's code, whichever one the virtual environment installed.
    subprocess.run(
        [sys.executable, "-m", "miroir", "results_warm", "--verbosity", "0"],
        check=True,
        capture_output=True,
        env={**os.environ, **environment(url), "PYTHONPATH": str(ROOT / "src")},
    )
    return time.perf_counter() - begun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    if args.child:
        child(url)
        return
    rounds: dict[str, list[dict[str, float]]] = {"not warmed": [], "warmed": []}
    warming: list[float] = []
    for round_number in range(1, args.repeat + 1):
        forget_shared(url)
        rounds["not warmed"].append(fresh(url))
        forget_shared(url)
        warming.append(warm(url))
        rounds["warmed"].append(fresh(url))
        for name, found in rounds.items():
            last = found[-1]
            log(
                f"round {round_number} {name:<11} set-up {last['setup'] * 1000:6.0f} ms  "
                f"first page (network) {last['network'] * 1000:6.0f} ms  "
                f"then unit page {last['unit'] * 1000:6.0f} ms"
            )
        log(f"round {round_number} results_warm {warming[-1]:.1f} s")
    log("medians:")
    for name, found in rounds.items():
        medians = {key: statistics.median(each[key] for each in found) for key in found[0]}
        log(
            f"  {name:<11} set-up {medians['setup'] * 1000:6.0f} ms  "
            f"first page (network) {medians['network'] * 1000:6.0f} ms  "
            f"then unit page {medians['unit'] * 1000:6.0f} ms"
        )
    log(f"  results_warm {statistics.median(warming):.1f} s")


if __name__ == "__main__":
    main()
