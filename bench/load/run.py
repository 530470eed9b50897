"""Soak test: respondents at a steady rate for ten minutes, on loopback only.

Starts Miroir under gunicorn on PostgreSQL (as bench/intake does), creates a customer wave
with open links, then starts respondents at ``--rate`` per second (open loop: a respondent
starts on schedule whether or not the previous ones are done, up to ``--max-in-flight``) for
``--duration`` seconds. Each respondent opens the form (GET) and sends complete answers
(POST, expects the 302 to the thanks page). Prints, every minute and at the end, the rate
reached, errors by kind (goal: none) and latency percentiles. Asserts nothing.

    .venv/bin/python bench/load/run.py --rate 62 --duration 600

Bounded on every side: at most ``rate * duration`` respondents, never past the duration
plus the request timeout, only to 127.0.0.1; it stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/miroir_bench"
HOST = "127.0.0.1"  # the only address this load test ever sends to


def _intake():
    """Return bench/intake/run.py as a module: its wave set-up and HTTP helpers."""
    spec = importlib.util.spec_from_file_location("intake", ROOT / "bench/intake/run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["intake"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


intake = _intake()
log = intake.log


@dataclass
class Window:
    """What happened during one minute (or the whole run)."""

    started: int = 0
    stored: int = 0
    post_ms: list[float] = field(default_factory=list)
    flow_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    late: int = 0  # respondents started more than a second after their scheduled time


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.total = Window()
        self.minutes: dict[int, Window] = {}

    def _windows(self, minute: int) -> list[Window]:
        return [self.total, self.minutes.setdefault(minute, Window())]

    def started(self, minute: int, late: bool) -> None:
        with self.lock:
            for window in self._windows(minute):
                window.started += 1
                window.late += late

    def ok(self, minute: int, get: float, post: float, flow: float) -> None:
        with self.lock:
            for window in self._windows(minute):
                window.stored += 1
                window.get_ms.append(get * 1000)
                window.post_ms.append(post * 1000)
                window.flow_ms.append(flow * 1000)

    def fail(self, minute: int, reason: str) -> None:
        with self.lock:
            for window in self._windows(minute):
                window.errors[reason] = window.errors.get(reason, 0) + 1


def respondent(port: int, setup, index: int, minute: int, recorder: Recorder) -> None:
    import re
    from urllib.parse import urlencode

    unit = setup.unit_ids[index % len(setup.unit_ids)]
    path = f"/o/{setup.wave_public_id}/{unit}/"
    started = time.perf_counter()
    status, cookies, page = intake.request(port, "GET", path)
    got = time.perf_counter()
    if status != 200:
        recorder.fail(minute, f"GET {status}")
        return
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    submission = re.search(rb'name="submission_id" value="([^"]+)"', page)
    if not csrf or not submission or "csrftoken" not in cookies:
        recorder.fail(minute, "form without CSRF token")
        return
    form = {f"q-{code}": value for code, value in intake.ANSWERS.items()}
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
    status, _cookies, _body = intake.request(port, "POST", path, urlencode(form).encode(), headers)
    done = time.perf_counter()
    if status == 302:
        recorder.ok(minute, got - started, done - posted, done - started)
    else:
        recorder.fail(minute, f"POST {status}")


def soak(port: int, setup, rate: float, duration: float, in_flight: int) -> Recorder:
    """Start ``rate`` respondents per second for ``duration`` seconds; return the record."""
    recorder = Recorder()
    total = int(rate * duration)
    tickets: queue.Queue[tuple[int, float] | None] = queue.Queue(maxsize=in_flight)
    start = time.perf_counter()

    def worker() -> None:
        while True:
            ticket = tickets.get()
            if ticket is None:
                return
            index, due = ticket
            now = time.perf_counter()
            # Counted in the minute it really starts: behind schedule, that is later than due.
            minute = int((now - start) // 60)
            recorder.started(minute, late=now - due > 1.0)
            try:
                respondent(port, setup, index, minute, recorder)
            except (OSError, http.client.HTTPException) as error:
                recorder.fail(minute, type(error).__name__)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(in_flight)]
    for thread in threads:
        thread.start()
    reported = 0
    for index in range(total):
        due = start + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        if time.perf_counter() - start > duration:
            break  # behind schedule: stop at the bound rather than run past it
        # Blocks while every worker is busy (the offered rate then drops), never past the bound.
        while True:
            try:
                tickets.put((index, due), timeout=1)
                break
            except queue.Full:
                if time.perf_counter() - start > duration:
                    break
        minute = int((time.perf_counter() - start) // 60)
        if minute > reported:
            report_minute(recorder, reported, 60, os.getloadavg()[0])
            reported = minute
    for _ in threads:
        tickets.put(None)
    for thread in threads:
        thread.join(timeout=60)
    seconds = min(60.0, time.perf_counter() - start - 60 * reported)
    report_minute(recorder, reported, seconds, os.getloadavg()[0])
    return recorder


def _p(values: list[float], share: float) -> float:
    return intake.percentile(values, share)


def report_minute(recorder: Recorder, minute: int, seconds: float, load: float) -> None:
    with recorder.lock:
        window = recorder.minutes.get(minute, Window())
        errors = sum(window.errors.values())
        log(
            f"  minute {minute + 1:>2}: {window.stored / seconds:6.1f} responses/s stored, "
            f"POST p50 {_p(window.post_ms, 0.5):6.1f} p95 {_p(window.post_ms, 0.95):6.1f} "
            f"p99 {_p(window.post_ms, 0.99):6.1f} ms, errors {errors}, late starts "
            f"{window.late}, load average {load:.1f}"
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=62, help="respondents per second (62)")
    parser.add_argument("--duration", type=float, default=600, help="seconds (600)")
    parser.add_argument("--max-in-flight", type=int, default=32, help="respondents at once (32)")
    parser.add_argument("--units", type=int, default=50, help="open-link units (50)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (2 x cores + 1)")
    args = parser.parse_args()
    if not 0 < args.rate <= 1000 or not 0 < args.duration <= 3600:
        raise SystemExit("--rate must be in (0, 1000] and --duration in (0, 3600] seconds")

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    cores = os.cpu_count() or 1
    workers = args.workers or 2 * cores + 1
    port = intake.free_port()
    import tempfile

    data_dir = tempfile.mkdtemp(prefix="miroir-load-")
    environment = intake.app_environment(database_url, port, data_dir)
    os.environ.update(environment)
    intake.ensure_database(database_url)
    subprocess.run(
        [str(VENV_BIN / "miroir"), "migrate", "--noinput", "-v", "0"], check=True, env=environment
    )
    import django

    django.setup()
    setup = intake.create_wave(args.units)
    gunicorn = shutil.which("gunicorn", path=str(VENV_BIN)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit('gunicorn is missing: .venv/bin/pip install -e ".[test]"')
    server = subprocess.Popen(
        [
            gunicorn,
            "miroir.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--preload",
        ],
        env=environment,
        start_new_session=True,
    )
    # A SIGTERM (or Ctrl-C) stops the run and the server, never leaving gunicorn behind.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        intake.wait_until_up(port, f"/o/{setup.wave_public_id}/{setup.unit_ids[0]}/")
        import psycopg

        with psycopg.connect(database_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        log("Miroir soak test (respondent pages, open loop)")
        log(
            f"  machine      {cores} cores, Python {sys.version.split()[0]}, load average "
            f"{os.getloadavg()[0]:.1f} before the run"
        )
        log(f"  server       gunicorn, {workers} sync workers, PostgreSQL {version}")
        log(
            f"  load         {args.rate:g} respondents/s for {args.duration:g} s "
            f"(GET form + POST answers each), at most {args.max_in_flight} at once"
        )
        started = time.perf_counter()
        recorder = soak(port, setup, args.rate, args.duration, args.max_in_flight)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    total = recorder.total
    errors = sum(total.errors.values())
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(total.errors.items())) or "none"
    log(f"\nWhole run ({elapsed:.0f} s)")
    log(
        f"  respondents started {total.started}, stored {total.stored} "
        f"({total.stored / elapsed:.1f} responses/s), late starts {total.late}"
    )
    for name, values in (
        ("POST answers", total.post_ms),
        ("GET form", total.get_ms),
        ("whole respondent", total.flow_ms),
    ):
        log(
            f"  {name:<17} ms  p50 {_p(values, 0.5):6.1f}  p95 {_p(values, 0.95):6.1f}  "
            f"p99 {_p(values, 0.99):6.1f}  max {max(values, default=float('nan')):6.1f}"
        )
    log(f"  errors       {errors} ({detail})")


if __name__ == "__main__":
    main()
