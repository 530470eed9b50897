"""Time the result pages on a large network: prints figures, asserts nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench_pages \
      .venv/bin/python bench/dashboard/run.py --shops 2000 --sizes 100000,1000000

1. Fills the database once with the demo generator (``miroir demo``) at ``--shops`` shops
   (20 regions, ``--members-per-shop`` people each): a year of quarterly waves for every
   lens, and its roll-ups.
2. Thins the demo's responses to the smallest size when it gave more (customers' first,
   a random sample; answers with them). For each size, grows the responses to that many
   in plain SQL: each new response copies an existing one (same wave, unit, lens, day and
   attributes, so the same periods and gates) with all its answers, the tables' keys and
   indexes built again after the copies as a restore does; then rebuilds the roll-ups
   (``rollups_rebuild``), as a deployment that imported history would.
3. Requests, through Django's test client in process (the whole stack: middleware,
   access checks, selectors, gate, charts, templates), ``--repeat`` times each: the
   network page of the company, the unit page of a shop, and the linkage over all shops
   (``unit_linkage``: kept with its releases, and computed again each time). Prints the
   first with no release kept anywhere (every release it reads counted from the
   roll-ups, as the first process does after the data changed), the first as another
   process (nothing in memory, the releases the first one shared read from the
   database), the next, and p50/p95 of the following ones (releases kept, the roll-ups'
   thresholds and fingerprint checked), and the ratio to the smallest size.

The issue's goals: unit page p95 under 200 ms and network page under 500 ms at 10 M
responses, at most 1.5 times their 100 k figures. The cost the roll-ups add to intake is
measured by ``bench/rollups/run.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/miroir_bench_pages"


def log(message: str) -> None:
    print(message, flush=True)


def environment(url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "miroir.settings",
        "MIROIR_DATABASE_URL": url,
        "MIROIR_SECRET_KEY": "bench-only-" + "x" * 40,
        "MIROIR_DEBUG": "false",
        "MIROIR_LOG_LEVEL": "WARNING",
        "MIROIR_DATA_DIR": str(ROOT / "data" / "bench-dashboard"),
    }


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"BENCH_DATABASE_URL must name a plain database, got {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ.update(environment(url))
    Path(os.environ["MIROIR_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill_demo(url: str, shops: int, members: int) -> None:
    """Run the demo generator once (skipped when a network is already there)."""
    from miroir.org.models import Unit

    if Unit.objects.exists():
        log(f"network present: {Unit.objects.filter(kind='shop').count():,} shops")
        return
    started = time.perf_counter()
    command = [
        str(Path(sys.executable).parent / "miroir"),
        "demo",
        "--regions",
        "20",
        "--shops",
        str(shops),
        "--members-per-shop",
        str(members),
    ]
    subprocess.run(command, check=True, env={**os.environ, **environment(url)})
    log(f"demo generated at {shops:,} shops in {time.perf_counter() - started:.0f} s")


GROWN_TABLES = ("collect_response", "collect_answer")


def thin(target: int, *, everyone: bool = False) -> None:
    """Keep ``target`` of the demo's responses: customers' go first, a random sample.

    The demo at 2,000 shops gives about 250,000 responses; the issue's smallest size is
    100,000 on the same network. The people's answers are bounded by the headcount (one
    per person and wave), so a smaller history on the same network is one with fewer
    customer answers: those go (their ids are random UUIDs, so the first ones by id are a
    random sample), and other lenses' only if customers' are not enough. With
    ``everyone``, a random sample of every lens goes instead: then most shops fall under
    the anonymity threshold at the small size, which makes its pages cheaper for a reason
    other than the data's size.
    """
    from django.db import connection, transaction

    from miroir.collect.models import Response
    from miroir.results.services import rollups_rebuild

    have = Response.objects.count()
    if have <= target:
        return
    if Response.objects.filter(channel="bench").exists():
        raise SystemExit(
            f"the database was grown to {have:,} responses already: drop it to measure {target:,}"
        )
    started = time.perf_counter()
    drop = (
        "SELECT id FROM collect_response ORDER BY id OFFSET %s"
        if everyone
        else "SELECT id FROM collect_response ORDER BY lens = 'customer', id OFFSET %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_drop ON COMMIT DROP AS " + drop, [target])
        cursor.execute("DELETE FROM collect_answer a USING bench_drop d WHERE a.response_id = d.id")
        cursor.execute("DELETE FROM collect_response r USING bench_drop d WHERE r.id = d.id")
        cursor.execute("SELECT lens, count(*) FROM collect_response GROUP BY lens ORDER BY lens")
        kept = ", ".join(f"{lens} {count:,}" for lens, count in cursor.fetchall())
    rollups_rebuild()
    analyze()
    log(
        f"thinned {have:,} responses to {target:,} ({kept}) and rebuilt the roll-ups in "
        f"{time.perf_counter() - started:.0f} s"
    )


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE collect_response; ANALYZE collect_answer; "
            "ANALYZE results_rollup; ANALYZE results_rollupresponses"
        )


def keys_and_indexes(cursor) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str]]]:
    """Return the keys (primary, unique, foreign) touching the grown tables, and their other
    indexes, as the statements that recreate them."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contype IN ('p', 'u', 'f')
          AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))
        ORDER BY conname
        """,
        [list(GROWN_TABLES), list(GROWN_TABLES)],
    )
    keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        ORDER BY 1
        """,
        [list(GROWN_TABLES)],
    )
    return keys, cursor.fetchall()


def grow(target: int) -> None:
    """Copy existing responses (with their answers) until there are ``target`` of them.

    A bulk load: the keys and indexes of the two tables are dropped while the copies go in,
    then built again and the foreign keys validated, as a restore does; each copy reads the
    originals from small temporary tables rather than from the growing ones.
    """
    from django.db import connection, transaction

    from miroir.collect.models import Response
    from miroir.results.services import rollups_rebuild

    have = Response.objects.count()
    if have >= target:
        log(f"{have:,} responses already (target {target:,})")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "CREATE TEMP TABLE bench_responses AS "
            "SELECT * FROM collect_response WHERE channel <> 'bench' ORDER BY id"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_answers AS "
            "SELECT a.* FROM collect_answer a JOIN bench_responses r ON r.id = a.response_id"
        )
        cursor.execute("CREATE INDEX ON bench_answers (response_id)")
        cursor.execute("ANALYZE bench_responses; ANALYZE bench_answers")
        cursor.execute("SELECT count(*) FROM bench_responses")
        originals = cursor.fetchone()[0]
        copies = -(-(target - have) // originals)
        keys, indexes = keys_and_indexes(cursor)
        with transaction.atomic():
            for table, name, _kind, _ in sorted(keys, key=lambda key: key[2] != "f"):
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        log(f"  dropped {len(keys)} keys and {len(indexes)} indexes for the copies")
        try:
            for copy in range(copies):
                wanted = min(originals, target - have)
                if wanted <= 0:
                    break
                with transaction.atomic():
                    cursor.execute(
                        """
                        CREATE TEMP TABLE bench_map ON COMMIT DROP AS
                        SELECT id AS old_id, gen_random_uuid() AS new_id
                        FROM bench_responses ORDER BY id LIMIT %s
                        """,
                        [wanted],
                    )
                    cursor.execute(
                        """
                        INSERT INTO collect_response (id, wave_id, unit_id, lens, submitted_on,
                                                      attributes, channel)
                        SELECT m.new_id, r.wave_id, r.unit_id, r.lens, r.submitted_on,
                               r.attributes, 'bench'
                        FROM bench_map m JOIN bench_responses r ON r.id = m.old_id
                        """
                    )
                    cursor.execute(
                        """
                        INSERT INTO collect_answer (id, response_id, item_id, number, choice,
                                                    text, dont_know)
                        SELECT gen_random_uuid(), m.new_id, a.item_id, a.number, a.choice,
                               a.text, a.dont_know
                        FROM bench_map m JOIN bench_answers a ON a.response_id = m.old_id
                        """
                    )
                have += wanted
                if (copy + 1) % 10 == 0 or copy + 1 == copies:
                    log(f"  copy {copy + 1}/{copies}: {have:,} responses")
        finally:
            copied = time.perf_counter() - started
            rebuilding = time.perf_counter()
            # Primary and unique keys first: the foreign keys need the indexes they back.
            for table, name, _kind, definition in sorted(keys, key=lambda key: key[2] == "f"):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for _, definition in indexes:
                cursor.execute(definition)
            cursor.execute("DROP TABLE bench_answers; DROP TABLE bench_responses")
            log(
                f"  copies in {copied:.0f} s; {len(keys)} keys and {len(indexes)} indexes "
                f"built again in {time.perf_counter() - rebuilding:.0f} s"
            )
    grown = time.perf_counter() - started
    started = time.perf_counter()
    rollups_rebuild()
    analyze()
    log(
        f"grew to {have:,} responses in {grown:.0f} s; "
        f"roll-ups rebuilt in {time.perf_counter() - started:.0f} s"
    )


def timings(work: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    """Return the first run's seconds and the following runs' seconds."""
    started = time.perf_counter()
    work()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        warm.append(time.perf_counter() - started)
    return cold, warm


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(repeat: int) -> dict[str, tuple[float, float, float]]:
    """Return cold, p50 and p95 milliseconds for each measured path."""
    from django.test import Client

    from miroir.accounts.models import User
    from miroir.org.models import Unit, UnitKind
    from miroir.results import selectors
    from miroir.results.engine import keep
    from miroir.results.models import SharedRelease
    from miroir.results.periods import Period

    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(User.objects.get(email="direction@demo.miroir.example"))
    # Direction logs in with a second factor; the bench stands for one who did.
    from miroir.accounts.sessions import session_mark_verified

    session = client.session
    session_mark_verified(session)
    session.save()
    company = Unit.objects.get(parent__isnull=True)
    shop = Unit.objects.filter(kind=UnitKind.SHOP).order_by("path").first()
    # The latest period both sides answered: linkage needs employee and customer indices.
    period: Period = max(
        set(selectors.results_periods(lens="employee"))
        & set(selectors.results_periods(lens="customer"))
    )

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        return get

    def linked(company: Unit, period: Period) -> object:
        from miroir.analytics.linkage import LinkageError

        try:
            found = selectors.unit_linkage(unit=company, period=period)
        except LinkageError as error:
            # Fewer than four shops show both indices: the page says so; the cost is the same.
            log(f"    (linkage: {error})")
            return None
        return found

    linkage = linked(company, period)
    log(
        f"  period {period.label}; linkage over "
        f"{linkage.units if linkage is not None else 0:,} shops showing both indices"
    )

    def computed(company: Unit, period: Period) -> object:
        keep.forget_linkages()
        return linked(company, period)

    paths = {
        "network page (company)": page("/results/"),
        "unit page (a shop)": page(f"/results/units/{shop.pk}/"),
        # A linkage is kept with the releases it read: "kept" is what a page pays,
        # "computed" the computation itself over the kept releases.
        "linkage (kept)": lambda: linked(company, period),
        "linkage (computed)": lambda: computed(company, period),
    }
    found = {}
    for name, work in paths.items():
        # First with nothing kept anywhere: the releases this path reads are counted from
        # the roll-ups (the first process after the data changed).
        keep.forget()
        SharedRelease.objects.all().delete()
        started = time.perf_counter()
        work()
        recount = time.perf_counter() - started
        # Then as another process would: nothing in memory, the shared releases read.
        keep.forget()
        started = time.perf_counter()
        work()
        shared = time.perf_counter() - started
        cold, warm = timings(work, repeat)
        found[name] = (cold * 1000, percentile(warm, 0.5) * 1000, percentile(warm, 0.95) * 1000)
        log(
            f"    {name:<24} recount {recount * 1000:7.0f} ms  shared {shared * 1000:5.0f} ms  "
            f"next {found[name][0]:5.0f} ms  p50 {found[name][1]:5.0f} ms  "
            f"p95 {found[name][2]:5.0f} ms"
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=2000)
    parser.add_argument("--members-per-shop", type=int, default=5)
    parser.add_argument("--sizes", default="200000,1000000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--thin-every-lens",
        action="store_true",
        help="reach the smallest size by a random sample of every lens, not customers first",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    ensure_database(url)
    setup_django(url)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client without a test database
    fill_demo(url, args.shops, args.members_per_shop)
    results: dict[int, dict[str, tuple[float, float, float]]] = {}
    sizes = sorted(int(size) for size in args.sizes.split(","))
    thin(sizes[0], everyone=args.thin_every_lens)
    for size in sizes:
        grow(size)
        from miroir.collect.models import Response

        log(f"{Response.objects.count():,} responses, {args.shops:,} shops:")
        results[size] = measure(args.repeat)
    base = min(results)
    log("p95 relative to the smallest size:")
    for size, found in results.items():
        ratios = ", ".join(
            f"{name} x{found[name][2] / results[base][name][2]:.2f}" for name in found
        )
        log(f"  {size:>10,}: {ratios}")


if __name__ == "__main__":
    main()
