"""Time the result pages (network page, one shop's page) on a demo network.

Usage::

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench_speed \
      .venv/bin/python bench/results/pages.py --shops 300

Fills the database once with ``miroir demo`` (skipped when a network is there), then
prints the time of each page, one request after another. Figures only, no assertion.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "dashboard"))

from run import ensure_database, fill_demo, log, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=300)
    parser.add_argument("--members-per-shop", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/miroir_bench_speed"
    )
    ensure_database(url)
    setup_django(url)
    fill_demo(url, args.shops, args.members_per_shop)

    from django.test import Client

    from miroir.accounts.models import User
    from miroir.org.models import Unit, UnitKind
    from miroir.results.models import Rollup

    client = Client(HTTP_ACCEPT_LANGUAGE="fr", HTTP_HOST="localhost")
    client.force_login(User.objects.get(email="direction@demo.miroir.example"))
    # Direction logs in with a second factor; the bench stands for one who did.
    from miroir.accounts.sessions import session_mark_verified

    session = client.session
    session_mark_verified(session)
    session.save()
    shop = Unit.objects.filter(kind=UnitKind.SHOP).order_by("path").first()
    shops = Unit.objects.filter(kind=UnitKind.SHOP).count()
    log(f"{shops:,} shops, {Rollup.objects.count():,} roll-up rows")
    for name, address in (
        ("network page", "/results/"),
        ("shop page", f"/results/units/{shop.pk}/"),
    ):
        for attempt in range(args.repeat):
            started = time.perf_counter()
            response = client.get(address)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{address} answered {response.status_code}")
            log(f"    {name:<14} request {attempt + 1}: {elapsed * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
