"""Time the home page of each demo login on the demo network (default sizes).

Usage::

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/miroir_bench_home \
      .venv/bin/python bench/home/run.py --repeat 5

Fills the database once with ``miroir demo`` at its default sizes (skipped when a network
is there), then requests ``/`` as each demo login through Django's test client: the first
request of the process (nothing kept: the releases are read or counted), then ``--repeat``
more (the engine's kept releases). Prints each time and the page's size. No assertion.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "dashboard"))

from run import ensure_database, environment, log, setup_django  # noqa: E402

LOGINS = ("direction", "region", "manager", "employee", "partner")


def fill_default_demo(url: str) -> None:
    """Run ``miroir demo`` at its default sizes once (skipped when a network is there)."""
    from miroir.org.models import Unit

    if Unit.objects.exists():
        return
    started = time.perf_counter()
    command = [str(Path(sys.executable).parent / "miroir"), "demo"]
    subprocess.run(command, check=True, env={**os.environ, **environment(url)})
    log(f"demo generated in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/miroir_bench_home"
    )
    ensure_database(url)
    setup_django(url)
    fill_default_demo(url)

    from django.test import Client

    from miroir.accounts.models import User
    from miroir.accounts.sessions import session_mark_verified
    from miroir.org.models import Unit

    log(f"{Unit.objects.filter(kind='shop').count():,} shops, {Unit.objects.count():,} units")
    for login in LOGINS:
        client = Client(HTTP_ACCEPT_LANGUAGE="fr", HTTP_HOST="localhost")
        client.force_login(User.objects.get(email=f"{login}@demo.miroir.example"))
        # Direction logs in with a second factor; the bench stands for one who did.
        session = client.session
        session_mark_verified(session)
        session.save()
        times = []
        size = 0
        for _attempt in range(args.repeat + 1):
            started = time.perf_counter()
            response = client.get("/")
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"/ answered {response.status_code} to {login}")
            size = len(response.content)
        later = times[1:] or times
        log(
            f"  {login:<10} first {times[0] * 1000:7.0f} ms, then median "
            f"{statistics.median(later) * 1000:6.0f} ms, max {max(later) * 1000:6.0f} ms; "
            f"{size / 1024:5.1f} KB of HTML"
        )


if __name__ == "__main__":
    main()
