"""Intake benchmark: complete responses per second through the respondent pages.

Starts Miroir under gunicorn on PostgreSQL, creates a customer wave with N open-link
units, and has concurrent respondents each open the form (GET) and send complete answers
(POST) for a fixed time; then the same through the kiosk's JSON intake; then
``response_submit`` in a loop (the service, no HTTP) and plain SQL inserts of the same rows
(the raw PostgreSQL rate). Prints figures; asserts nothing.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/intake/run.py --duration 60 --concurrency 16

The database comes from ``BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/miroir_bench) and is created if missing. Each run adds
a fresh wave and units; drop the database to start afresh.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/miroir_bench"

# The customer questionnaire of the benchmark: what a respondent sends, complete.
ITEMS = [
    ("accueil", "agree5", "On m'a bien accueilli."),
    ("ecoute", "agree5", "On m'a écouté."),
    ("solution", "agree5", "On a résolu mon problème."),
    ("attente", "agree5", "L'attente était raisonnable."),
    ("csat", "csat5", "Votre satisfaction globale ?"),
    ("nps", "nps", "Nous recommanderiez-vous ?"),
    ("verbatim", "free_text", "Un mot pour l'équipe ?"),
]
ANSWERS = {
    "accueil": "4",
    "ecoute": "5",
    "solution": "3",
    "attente": "4",
    "csat": "4",
    "nps": "9",
    "verbatim": "Très bon accueil, merci à toute l'équipe du magasin.",
}


def log(message: str) -> None:
    print(message, flush=True)


# Database and Django ------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist."""
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


def app_environment(database_url: str, port: int, data_dir: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "miroir.settings",
            "MIROIR_DATABASE_URL": database_url,
            "MIROIR_SECRET_KEY": "bench-only-" + "x" * 40,
            "MIROIR_SITE_URL": f"http://127.0.0.1:{port}",
            "MIROIR_DEBUG": "false",
            "MIROIR_DATA_DIR": data_dir,
            "MIROIR_LOG_LEVEL": "WARNING",
            "MIROIR_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            # All the load comes from one address: the per-address limits would answer 429 to
            # most of it. The bench measures intake, not the limiter.
            "MIROIR_RATE_SURVEY": "0/60",
            "MIROIR_RATE_KIOSK": "0/60",
        }
    )
    return environment


@dataclass
class Setup:
    wave_public_id: str
    wave_id: int
    unit_ids: list[int]
    item_ids: dict[str, int]


def create_wave(units: int) -> Setup:
    """Return a launched customer wave with open links over ``units`` new shops."""
    from datetime import timedelta

    from django.utils import timezone

    from miroir.collect.services import wave_create, wave_launch
    from miroir.instruments.services import instrument_create, item_create
    from miroir.org.models import UnitKind
    from miroir.org.services import unit_create

    run = secrets.token_hex(3)
    company = unit_create(name=f"Bench {run}", kind=UnitKind.COMPANY, external_id=f"B-{run}")
    shops = [
        unit_create(
            name=f"Magasin {index}",
            kind=UnitKind.SHOP,
            parent=company,
            external_id=f"B-{run}-{index}",
        )
        for index in range(units)
    ]
    instrument = instrument_create(
        actor=None, title_fr=f"Clients {run}", title_en=f"Customers {run}", slug=f"bench-{run}"
    )
    item_ids = {}
    for code, scale, text in ITEMS:
        extra = {"max_length": 500} if scale == "free_text" else {}
        item = item_create(
            instrument=instrument,
            actor=None,
            code=code,
            lens="customer",
            scale=scale,
            text_fr=text,
            dimension="welcome",
            **extra,
        )
        item_ids[code] = item.pk
    wave = wave_create(
        actor=None,
        instrument=instrument,
        name=f"Bench {run}",
        lens="customer",
        kind="hot",
        units=[company],
        closes_at=timezone.now() + timedelta(days=7),
        channels=["kiosk"],
        open_links=True,
    )
    wave = wave_launch(wave=wave, actor=None)
    return Setup(str(wave.public_id), wave.pk, [shop.pk for shop in shops], item_ids)


# HTTP load ------------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, of the storing request
    flows: list[float] = field(default_factory=list)  # seconds, of the whole respondent
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, latency: float, flow: float) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.flows.append(flow)

    def fail(self, reason: str) -> None:
        with self.lock:
            self.errors[reason] = self.errors.get(reason, 0) + 1


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, response.read()
    finally:
        connection.close()


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_FIELD = re.compile(rb'name="submission_id" value="([^"]+)"')


def form_respondent(port: int, setup: Setup, index: int, tally: Tally) -> None:
    """One respondent on an open link: open the form, send complete answers."""
    unit = setup.unit_ids[index % len(setup.unit_ids)]
    path = f"/o/{setup.wave_public_id}/{unit}/"
    started = time.perf_counter()
    status, cookies, page = request(port, "GET", path)
    if status != 200:
        tally.fail(f"GET {status}")
        return
    csrf, submission = CSRF_FIELD.search(page), SUBMISSION_FIELD.search(page)
    if not csrf or not submission or "csrftoken" not in cookies:
        tally.fail("form without CSRF token")
        return
    form = {f"q-{code}": value for code, value in ANSWERS.items()}
    form.update(
        csrfmiddlewaretoken=csrf.group(1).decode(),
        submission_id=submission.group(1).decode(),
        lang="fr",
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken']}",
    }
    posted = time.perf_counter()
    status, _cookies, _body = request(port, "POST", path, urlencode(form).encode(), headers)
    done = time.perf_counter()
    if status == 302:
        tally.ok(done - posted, done - started)
    else:
        tally.fail(f"POST {status}")


def kiosk_respondent(
    port: int, setup: Setup, index: int, tally: Tally, keys: dict[int, tuple[str, str]]
) -> None:
    """One answer at a kiosk: a single JSON request, as a tablet sends it."""
    unit = setup.unit_ids[index % len(setup.unit_ids)]
    cookie, header = keys[unit]
    body = json.dumps(
        {"submission_id": str(uuid.uuid4()), "answers": ANSWERS, "lang": "fr"}
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"miroir_kiosk={cookie}",
        "X-Miroir-Kiosk": header,
    }
    started = time.perf_counter()
    status, _cookies, _body = request(
        port, "POST", f"/k/{setup.wave_public_id}/{unit}/submit", body, headers
    )
    done = time.perf_counter()
    if status == 201:
        tally.ok(done - started, done - started)
    else:
        tally.fail(f"POST {status}")


def load(concurrency: int, duration: float, respondent: Callable[[int, Tally], None]) -> Tally:
    """Run ``concurrency`` closed-loop respondents for ``duration`` seconds."""
    tally = Tally()
    deadline = time.perf_counter() + duration
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def worker() -> None:
        while time.perf_counter() < deadline:
            with counter_lock:
                index = next(counter)
            try:
                respondent(index, tally)
            except (OSError, http.client.HTTPException) as error:
                tally.fail(type(error).__name__)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(title: str, tally: Tally, duration: float) -> float:
    rate = len(tally.latencies) / duration
    ms = [value * 1000 for value in tally.latencies]
    log(f"\n{title}")
    log(f"  responses stored     {len(tally.latencies):>9}   ({rate:.1f} responses/s)")
    log(
        "  storing request ms   "
        f"p50 {percentile(ms, 0.5):.1f}   p95 {percentile(ms, 0.95):.1f}   "
        f"p99 {percentile(ms, 0.99):.1f}   max {max(ms, default=float('nan')):.1f}"
    )
    if tally.flows != tally.latencies:
        flows = [value * 1000 for value in tally.flows]
        log(
            "  whole respondent ms  "
            f"p50 {percentile(flows, 0.5):.1f}   p95 {percentile(flows, 0.95):.1f}   "
            f"p99 {percentile(flows, 0.99):.1f}   (GET form + POST answers)"
        )
    errors = sum(tally.errors.values())
    detail = ", ".join(f"{reason}: {count}" for reason, count in sorted(tally.errors.items()))
    log(f"  errors               {errors:>9}   {detail}")
    return rate


# In-process rates ---------------------------------------------------------------------------


def service_rate(setup: Setup, count: int) -> float:
    from miroir.collect.services import response_submit

    started = time.perf_counter()
    for index in range(count):
        response_submit(
            answers=ANSWERS,
            submission_id=secrets.token_urlsafe(18),
            open_link=(setup.wave_public_id, setup.unit_ids[index % len(setup.unit_ids)]),
        )
    return count / (time.perf_counter() - started)


def raw_insert_rate(database_url: str, setup: Setup, count: int) -> float:
    """Return responses/s stored by plain SQL: the same rows, one transaction each."""
    import hashlib
    from datetime import date

    import psycopg

    today = date.today()
    numbers = {code: float(value) for code, value in ANSWERS.items() if code != "verbatim"}
    with psycopg.connect(database_url) as connection:
        started = time.perf_counter()
        for index in range(count):
            response_id = uuid.uuid4()
            receipt = hashlib.sha256(secrets.token_bytes(18)).hexdigest()
            with connection.transaction(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO collect_submissionreceipt (id, wave_id, submission_hash, "
                    "created_on) VALUES (%s, %s, %s, %s)",
                    [uuid.uuid4(), setup.wave_id, receipt, today],
                )
                cursor.execute(
                    "INSERT INTO collect_response (id, wave_id, unit_id, lens, submitted_on, "
                    "attributes, channel) VALUES (%s, %s, %s, 'customer', %s, '{}', 'link')",
                    [
                        response_id,
                        setup.wave_id,
                        setup.unit_ids[index % len(setup.unit_ids)],
                        today,
                    ],
                )
                cursor.executemany(
                    "INSERT INTO collect_answer (id, response_id, item_id, number, choice, text, "
                    "dont_know) VALUES (%s, %s, %s, %s, NULL, %s, false)",
                    [
                        (
                            uuid.uuid4(),
                            response_id,
                            setup.item_ids[code],
                            numbers.get(code),
                            None if code in numbers else ANSWERS[code],
                        )
                        for code in ANSWERS
                    ],
                )
        return count / (time.perf_counter() - started)


def interactions_import(data_dir: str) -> None:
    """Time the import of 1,000,000 interactions, if this tree has the importer."""
    try:
        from miroir.collect import interactions  # noqa: F401
    except ImportError:
        log(
            "\nInteractions import: skipped, this tree has no interactions importer "
            "(miroir.collect.interactions)."
        )
        return
    log("\nInteractions import: the importer exists; see bench/hot for its benchmark.")


# Main -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, path: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _cookies, _body = request(port, "GET", path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {path} within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=50, help="open-link units (50)")
    parser.add_argument("--concurrency", type=int, default=16, help="respondents at once (16)")
    parser.add_argument("--duration", type=float, default=60, help="seconds per HTTP phase (60)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (2 x cores + 1)")
    parser.add_argument("--service-count", type=int, default=2000, help="in-process submissions")
    parser.add_argument("--skip-kiosk", action="store_true", help="skip the kiosk JSON phase")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    cores = os.cpu_count() or 1
    workers = args.workers or 2 * cores + 1
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="miroir-bench-")
    environment = app_environment(database_url, port, data_dir)
    os.environ.update(environment)

    ensure_database(database_url)
    subprocess.run(
        [str(VENV_BIN / "miroir"), "migrate", "--noinput", "-v", "0"], check=True, env=environment
    )
    import django

    sys.path.insert(0, str(ROOT / "src"))
    django.setup()
    setup = create_wave(args.units)

    from miroir.collect.channels.kiosk.keys import kiosk_header_token
    from miroir.collect.models import Wave
    from miroir.collect.services import kiosk_issue
    from miroir.org.models import Unit

    wave = Wave.objects.get(public_id=setup.wave_public_id)
    keys = {}
    for unit in setup.unit_ids:
        signed = kiosk_issue(wave=wave, unit=Unit.objects.get(pk=unit), actor=None)[1]
        keys[unit] = (signed, kiosk_header_token(signed))

    gunicorn = shutil.which("gunicorn", path=str(VENV_BIN)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit('gunicorn is missing: .venv/bin/pip install -e ".[bench]"')
    server = subprocess.Popen(
        [
            gunicorn,
            "miroir.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=environment,
    )
    try:
        wait_until_up(port, f"/o/{setup.wave_public_id}/{setup.unit_ids[0]}/")
        import psycopg

        with psycopg.connect(database_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        log("Miroir intake benchmark")
        log(f"  machine              {cores} cores, Python {sys.version.split()[0]}")
        log(f"  server               gunicorn, {workers} sync workers, PostgreSQL {version}")
        log(
            f"  wave                 customer, {len(ITEMS)} questions, {args.units} open-link units"
        )
        log(
            f"  load                 {args.concurrency} concurrent respondents, {args.duration:g} s"
        )

        # A short warm-up, so that every worker has its connection and templates.
        load(min(args.concurrency, 4), 3, lambda i, t: form_respondent(port, setup, i, t))
        tally = load(
            args.concurrency, args.duration, lambda i, t: form_respondent(port, setup, i, t)
        )
        form_rate = report(
            "Respondent pages (GET the form, POST the answers)", tally, args.duration
        )
        kiosk_rate = None
        if not args.skip_kiosk:
            tally = load(
                args.concurrency,
                args.duration,
                lambda i, t: kiosk_respondent(port, setup, i, t, keys),
            )
            kiosk_rate = report("Kiosk JSON intake (one POST per response)", tally, args.duration)
    finally:
        server.terminate()
        server.wait(timeout=30)
    from django.db import connections

    connections.close_all()

    service = service_rate(setup, args.service_count)
    raw = raw_insert_rate(database_url, setup, args.service_count)
    log("\nIn-process, one connection, same rows (7 answers per response)")
    log(f"  response_submit loop {service:>9.1f} responses/s")
    log(f"  raw SQL inserts      {raw:>9.1f} responses/s (receipt + response + answers)")
    log("\nRatios")
    log(f"  pages / raw SQL      {form_rate / raw:>9.2f}")
    if kiosk_rate is not None:
        log(f"  kiosk / raw SQL      {kiosk_rate / raw:>9.2f}")
    log(f"  service / raw SQL    {service / raw:>9.2f}")
    interactions_import(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
