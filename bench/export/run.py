"""Time the streaming CSV export of responses' rows: prints figures, asserts nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench_pages_export \
      .venv/bin/python bench/export/run.py [--sizes 25000,50000,100000,200000]

Fills the database once (plain SQL, ``generate_series``) with customer responses of a
seven-question wave (four agreement items, CSAT, NPS, a comment, one in twenty of which
starts with a formula character), then exports the first N responses for each size
through ``miroir.reports.exports.csv_response``: rows come from a server-side cursor
(one row per response, answers pivoted in SQL) and the streamed bytes are read to the
end, as a client would. Prints seconds, rows per second, megabytes, the process's peak
resident memory after each size (flat when nothing is materialised), and the time per
100,000 rows, which stays flat if the export is linear. The reference in issue 4: the
most used self-hosted survey tool takes about 23 s for 100,000 responses on this kind of
machine.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/miroir_bench_pages_export"
ITEMS = [
    ("accueil", "agree5", "On m'a bien accueilli."),
    ("ecoute", "agree5", "On m'a écouté."),
    ("solution", "agree5", "On a résolu mon problème."),
    ("attente", "agree5", "L'attente était raisonnable."),
    ("csat", "csat5", "Votre satisfaction globale ?"),
    ("nps", "nps", "Nous recommanderiez-vous ?"),
    ("verbatim", "free_text", "Un mot pour l'équipe ?"),
]


def log(message: str) -> None:
    print(message, flush=True)


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
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "miroir.settings",
            "MIROIR_DATABASE_URL": url,
            "MIROIR_SECRET_KEY": "bench-only-" + "x" * 40,
            "MIROIR_DEBUG": "false",
            "MIROIR_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(count: int) -> int:
    """Return the wave holding at least ``count`` bench responses, creating them if needed."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from miroir.collect.models import Wave
    from miroir.collect.services import wave_create
    from miroir.instruments.services import instrument_create, item_create
    from miroir.org.models import UnitKind
    from miroir.org.services import unit_create

    wave = Wave.objects.filter(name__startswith="Bench export").order_by("-pk").first()
    if wave is not None and wave.responses.count() >= count:
        return wave.pk
    run = secrets.token_hex(3)
    company = unit_create(name=f"Export {run}", kind=UnitKind.COMPANY, external_id=f"E-{run}")
    for index in range(50):
        unit_create(
            name=f"Magasin {index}",
            kind=UnitKind.SHOP,
            parent=company,
            external_id=f"E-{run}-{index}",
        )
    instrument = instrument_create(
        actor=None, title_fr=f"Export {run}", title_en=f"Export {run}", slug=f"export-{run}"
    )
    for code, scale, text in ITEMS:
        extra = {"max_length": 500} if scale == "free_text" else {}
        item_create(
            instrument=instrument,
            actor=None,
            code=code,
            lens="customer",
            scale=scale,
            text_fr=text,
            dimension="welcome",
            **extra,
        )
    wave = wave_create(
        actor=None,
        instrument=instrument,
        name=f"Bench export {run}",
        lens="customer",
        kind="cold",
        units=[company],
        closes_at=timezone.now() + timedelta(days=7),
        channels=[],
        open_links=True,
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO collect_response (id, wave_id, unit_id, lens, submitted_on, attributes,
                                          channel)
            SELECT gen_random_uuid(), %s, shops.ids[1 + s %% array_length(shops.ids, 1)],
                   'customer', current_date - (s %% 90), '{}'::jsonb, 'link'
            FROM generate_series(1, %s) AS s,
                 (SELECT array_agg(id) AS ids FROM org_unit WHERE parent_id = %s) AS shops
            """,
            [wave.pk, count, company.pk],
        )
        for item in instrument.items.order_by("order"):
            if item.scale == "free_text":
                cursor.execute(
                    """
                    INSERT INTO collect_answer (id, response_id, item_id, text, dont_know)
                    SELECT gen_random_uuid(), r.id, %s,
                           CASE WHEN random() < 0.05 THEN '=HYPERLINK("x";"Très bien")'
                                ELSE 'Très bon accueil, merci à toute l''équipe du magasin.'
                           END, false
                    FROM collect_response r WHERE r.wave_id = %s AND random() < 0.4
                    """,
                    [item.pk, wave.pk],
                )
            else:
                high = 10 if item.scale == "nps" else 5
                low = 0 if item.scale == "nps" else 1
                cursor.execute(
                    """
                    INSERT INTO collect_answer (id, response_id, item_id, number, dont_know)
                    SELECT gen_random_uuid(), r.id, %s, floor(%s + random() * %s), false
                    FROM collect_response r WHERE r.wave_id = %s
                    """,
                    [item.pk, low, high - low + 1, wave.pk],
                )
        cursor.execute("ANALYZE collect_response; ANALYZE collect_answer")
    log(f"filled {count:,} responses in {time.perf_counter() - started:.1f} s")
    return wave.pk


def rows(wave_id: int, limit: int) -> Iterator[Sequence[Any]]:
    """Yield one row per response from a server-side cursor: nothing is held but a batch."""
    from django.db import connection, transaction

    from miroir.instruments.models import Item

    codes = list(
        Item.objects.filter(instrument__waves=wave_id)
        .order_by("order")
        .values_list("pk", flat=True)
    )
    columns = ", ".join(
        f"max(coalesce(a.number::text, a.text)) FILTER (WHERE a.item_id = {int(pk)})"
        for pk in codes
    )
    query = f"""
        SELECT r.submitted_on, u.name, r.channel, {columns}
        FROM (SELECT id, unit_id, submitted_on, channel FROM collect_response
              WHERE wave_id = %s LIMIT %s) AS r
        JOIN org_unit u ON u.id = r.unit_id
        LEFT JOIN collect_answer a ON a.response_id = r.id
        GROUP BY r.id, r.submitted_on, u.name, r.channel
    """  # noqa: S608 (the interpolated ids are integers from the database)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(query, [wave_id, limit])
        while batch := cursor.fetchmany(2000):
            yield from batch


def export(wave_id: int, size: int) -> tuple[float, int, int]:
    """Return seconds, bytes and the process's peak resident memory after streaming ``size``."""
    from miroir.reports.exports import Column, ExportTable, csv_response

    columns = [Column("day", "Jour"), Column("unit", "Unité"), Column("channel", "Canal")]
    columns += [Column(code, text) for code, _scale, text in ITEMS]
    started = time.perf_counter()
    response = csv_response(ExportTable("réponses", columns, rows(wave_id, size)))
    written = 0
    for chunk in response.streaming_content:
        written += len(chunk)
    elapsed = time.perf_counter() - started
    # Peak resident memory of the whole process so far (kB on Linux): flat across sizes
    # when the export streams.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return elapsed, written, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000,200000")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    ensure_database(url)
    setup_django(url)
    wave_id = fill(sizes[-1])
    export(wave_id, min(sizes[0], 1000))  # warm-up: connections, imports, plans
    log(f"{'responses':>10} {'seconds':>8} {'rows/s':>9} {'MB':>7} {'RSS MB':>8} {'s/100k':>7}")
    for size in sizes:
        elapsed, written, peak = export(wave_id, size)
        log(
            f"{size:>10,} {elapsed:>8.2f} {size / elapsed:>9,.0f} {written / 1e6:>7.1f} "
            f"{peak / 1e6:>8.1f} {elapsed / size * 100_000:>7.2f}"
        )
    log("reference (issue 4): about 23 s for 100,000 responses, growing faster than the data")


if __name__ == "__main__":
    main()
