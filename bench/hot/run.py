"""Hot-wave pipeline benchmark: interactions imported from CSV and their invitations scheduled.

Creates a network of ``--shops`` shops with one open hot customer wave (SMS then e-mail,
two moments), writes a CSV of ``--rows`` interactions (default 1,000,000: a mix of phones,
e-mail addresses, consents, moments and repeat customers), then times
``miroir interactions_import`` on it in-process: rows/s, and what became of them. Prints
figures; asserts nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench \\
      .venv/bin/python bench/hot/run.py --rows 1000000

The database is created if missing and migrated; each run adds its own shops, wave and
source, so runs do not collide. Drop the database to start afresh.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/miroir_bench"


def _intake_helpers():
    """Return bench/intake/run.py as a module: its database helpers serve here too."""
    spec = importlib.util.spec_from_file_location("bench_intake", ROOT / "bench/intake/run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_INTAKE = _intake_helpers()
log = _INTAKE.log
ensure_database = _INTAKE.ensure_database


def setup_django(database_url: str, data_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "miroir.settings",
            "MIROIR_DATABASE_URL": database_url,
            "MIROIR_SECRET_KEY": "bench-only-" + "x" * 40,
            "MIROIR_DATA_DIR": data_dir,
            "MIROIR_LOG_LEVEL": "WARNING",
            "MIROIR_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        }
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_network(shops: int, run: str) -> list[str]:
    """Return the external ids of ``shops`` new shops under an open hot customer wave."""
    from django.utils import timezone

    from miroir.collect.services import wave_create, wave_launch
    from miroir.instruments.services import instrument_create, item_create
    from miroir.org.models import UnitKind
    from miroir.org.services import unit_create

    company = unit_create(name=f"Bench {run}", kind=UnitKind.COMPANY, external_id=f"H-{run}")
    ids = []
    for index in range(shops):
        unit = unit_create(
            name=f"Magasin {index}",
            kind=UnitKind.SHOP,
            parent=company,
            external_id=f"H-{run}-{index}",
        )
        ids.append(unit.external_id)
    instrument = instrument_create(
        actor=None, title_fr=f"À chaud {run}", title_en=f"Hot {run}", slug=f"hot-{run}"
    )
    item_create(
        instrument=instrument,
        actor=None,
        code="nps",
        lens="customer",
        scale="nps",
        text_fr="Nous recommanderiez-vous ?",
        dimension="welcome",
    )
    wave = wave_create(
        actor=None,
        instrument=instrument,
        name=f"Hot {run}",
        lens="customer",
        kind="hot",
        units=[company],
        closes_at=timezone.now() + timedelta(days=90),
        channels=["sms", "email"],
        hot_moments=["checkout", "delivery"],
    )
    wave_launch(wave=wave, actor=None)
    return ids


def write_csv(path: Path, rows: int, shops: list[str], seed: int) -> None:
    from django.utils import timezone

    rng = random.Random(seed)
    now = timezone.now()
    # Each run has its own customers, or the contact period would refuse the last run's.
    prefix = secrets.choice(["0612", "0623", "0645", "0656", "0678"])
    domain = f"run{secrets.token_hex(3)}.example.com"
    moments = ["checkout", "checkout", "delivery", "advice"]
    # About one customer in five comes back within the month: the period rule has work.
    customers = max(1, int(rows * 0.8))
    with path.open("w", encoding="utf-8") as handle:
        handle.write("external_id,unit,moment,occurred_at,phone,email,consent\n")
        for index in range(rows):
            customer = rng.randrange(customers)
            occurred = now - timedelta(minutes=rng.randrange(1, 3 * 24 * 60))
            phone = f"{prefix}{customer:06d}" if customer % 4 else ""
            email = f"client{customer}@{domain}" if customer % 3 == 0 else ""
            consent = "1" if rng.random() < 0.9 else "0"
            handle.write(
                f"T-{index},{rng.choice(shops)},{rng.choice(moments)},"
                f"{occurred.isoformat(timespec='seconds')},{phone},{email},{consent}\n"
            )


def post_batches(path: Path, batches: int, source: str) -> None:
    """Time ``POST /api/v1/interactions`` in process, batches of 1,000 lines of the CSV."""
    import csv
    import json

    from django.test import Client

    from miroir.api.services import api_token_create
    from miroir.collect.interactions import MAX_BATCH

    _token, secret = api_token_create(name=f"bench {source}", scope_unit=None, actor=None)
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bodies = []
    for start in range(0, min(len(rows), batches * MAX_BATCH), MAX_BATCH):
        items = [
            {name: value for name, value in row.items() if value}
            for row in rows[start : start + MAX_BATCH]
        ]
        bodies.append(json.dumps({"source": source, "interactions": items}))
    started = time.perf_counter()
    counted = 0
    for body in bodies:
        answer = client.post("/api/v1/interactions", body, content_type="application/json")
        if answer.status_code != 200:
            raise SystemExit(f"POST answered {answer.status_code}: {answer.content[:300]!r}")
        counted += answer.json()["received"]
    elapsed = time.perf_counter() - started
    log(
        f"\nPOST /api/v1/interactions: {counted:,} interactions in {len(bodies)} batches, "
        f"{elapsed:.1f} s ({counted / elapsed:,.0f} interactions/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="interactions (1,000,000)")
    parser.add_argument("--shops", type=int, default=2000, help="shops (2,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--api",
        type=int,
        default=0,
        metavar="BATCHES",
        help="instead of the import, POST this many batches of 1,000 to /api/v1/interactions",
    )
    options = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    ensure_database(database_url)
    with tempfile.TemporaryDirectory(prefix="miroir-hot-") as data_dir:
        setup_django(database_url, data_dir)
        from miroir.collect.interactions import interactions_import
        from miroir.collect.models import Interaction, Invitation

        run = secrets.token_hex(3)
        started = time.perf_counter()
        shops = create_network(options.shops, run)
        took = time.perf_counter() - started
        log(f"network: {options.shops} shops and a hot wave in {took:.1f} s")
        path = Path(data_dir) / "interactions.csv"
        started = time.perf_counter()
        write_csv(path, options.rows, shops, options.seed)
        size = path.stat().st_size / 1e6
        log(
            f"CSV: {options.rows:,} rows, {size:.0f} MB, written in "
            f"{time.perf_counter() - started:.1f} s"
        )

        if options.api:
            post_batches(path, options.api, f"bench-api-{run}")
            return
        invitations_before = Invitation.objects.count()
        started = time.perf_counter()
        staged = [started]

        def progress(_phase: str, _done: int, _total: int) -> None:
            staged[0] = time.perf_counter()

        with path.open("rb") as handle:
            report = interactions_import(handle, source=f"bench-{run}", progress=progress)
        elapsed = time.perf_counter() - started
        scheduled = Invitation.objects.count() - invitations_before
        log(
            f"\nimport of {report.rows:,} interactions: {elapsed:.1f} s "
            f"({report.rows / elapsed:,.0f} rows/s)"
        )
        log(
            f"  read, checked and staged: {staged[0] - started:.1f} s; "
            f"judged set-wise and written: {started + elapsed - staged[0]:.1f} s"
        )
        log(f"  invitations scheduled: {scheduled:,}")
        for outcome, count in sorted(report.counts.items()):
            log(f"  {outcome:<18}{count:>10,}")
        log(f"  problems: {len(report.problems)}")
        recorded = Interaction.objects.filter(source=f"bench-{run}").count()
        log(f"  interactions stored: {recorded:,}")


if __name__ == "__main__":
    main()
