"""Real processes for the reliability tests: a private PostgreSQL cluster, gunicorn, clients.

Nothing here touches the machine's shared PostgreSQL server beyond a database of the
test's own; the cluster that gets stopped and started is a private one in a temporary
folder, on a free loopback port. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

VENV_BIN = Path(sys.executable).parent
SEED = Path(__file__).with_name("seed.py")
SHARED_SERVER = os.environ.get(
    "MIROIR_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_FIELD = re.compile(rb'name="submission_id" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn() -> str:
    found = shutil.which("gunicorn", path=str(VENV_BIN)) or shutil.which("gunicorn")
    if found is None:
        pytest.fail('gunicorn is missing: pip install -e ".[test]"')
    return found


def shared_database(suffix: str) -> str:
    """Return the URL of a fresh database of this test on the shared server (dropped first)."""
    base = os.environ.get("MIROIR_TEST_DATABASE_NAME") or "test_miroir"
    name = f"{base}_{suffix}"
    try:
        with psycopg.connect(SHARED_SERVER, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {SHARED_SERVER}: {error}")
    return urlsplit(SHARED_SERVER)._replace(path=f"/{name}").geturl()


def drop_shared_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(SHARED_SERVER, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PrivateCluster:
    """A PostgreSQL cluster of the test's own, which it may stop and start at will."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            if os.environ.get("CI"):
                pytest.fail("CI needs PostgreSQL's server binaries in /usr/lib/postgresql")
            pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        self.bin = Path(binaries[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="miroir-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/miroir"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)

    def create(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        self.start()
        with psycopg.connect(self.url.replace("/miroir", "/postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE miroir")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def app_environment(database_url: str, port: int, data_dir: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "miroir.settings",
            "MIROIR_DATABASE_URL": database_url,
            "MIROIR_SECRET_KEY": "reliability-tests-only-" + "x" * 40,
            "MIROIR_SITE_URL": f"http://127.0.0.1:{port}",
            "MIROIR_DEBUG": "false",
            "MIROIR_DATA_DIR": data_dir,
            "MIROIR_LOG_LEVEL": "WARNING",
            "MIROIR_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            # Every client is 127.0.0.1: the per-address limits would answer 429.
            "MIROIR_RATE_SURVEY": "0/60",
            "MIROIR_RATE_KIOSK": "0/60",
        }
    )
    environment.pop("MIROIR_TEST_DATABASE_NAME", None)
    return environment


@dataclass
class Wave:
    wave_id: int
    public_id: str
    unit_ids: list[int]
    kiosk_cookie: str
    kiosk_header: str


class App:
    """Miroir under gunicorn on a loopback port, against ``database_url``."""

    def __init__(self, database_url: str, *, workers: int = 3) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.workers = workers
        self.data_dir = tempfile.mkdtemp(prefix="miroir-app-")
        self.env = app_environment(database_url, self.port, self.data_dir)
        self.server: subprocess.Popen | None = None

    def migrate_and_seed(self) -> Wave:
        seeded = subprocess.run(
            [sys.executable, str(SEED)],
            check=False,
            env=self.env,
            timeout=120,
            capture_output=True,
            text=True,
        )
        if seeded.returncode != 0:
            pytest.fail(f"migrating and seeding failed:\n{seeded.stderr[-3000:]}")
        return Wave(**json.loads(seeded.stdout.strip().splitlines()[-1]))

    def start(self, ready_path: str) -> None:
        # Its own process group, so that a SIGKILL takes the master and every worker at once,
        # as a crash of the machine or the OOM killer would.
        self.server = subprocess.Popen(
            [
                _gunicorn(),
                "miroir.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "30",
                # Django is imported once, before the workers fork: they start in a blink.
                "--preload",
            ],
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", ready_path, timeout=5).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer {ready_path} within 30 s")

    def kill(self) -> None:
        """SIGKILL the server and all its workers, without warning."""
        assert self.server is not None
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait(timeout=10)
        self.server = None

    def stop(self) -> None:
        if self.server is not None:
            try:
                os.killpg(self.server.pid, signal.SIGTERM)
                self.server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.server.pid, signal.SIGKILL)
            self.server = None
        shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return Reply(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            cookies,
            response.read(),
        )
    finally:
        connection.close()


@dataclass
class Form:
    """A respondent's filled form, ready to be sent (and sent again) as it is."""

    path: str
    body: bytes
    headers: dict[str, str]


def open_form(port: int, path: str, answers: dict[str, str]) -> Form:
    """Return the form at ``path`` (open link) filled with ``answers``; raises on no form."""
    reply = request(port, "GET", path)
    csrf, submission = CSRF_FIELD.search(reply.body), SUBMISSION_FIELD.search(reply.body)
    if reply.status != 200 or not csrf or not submission or "csrftoken" not in reply.cookies:
        raise ConnectionError(f"no form at {path}: {reply.status}")
    from urllib.parse import urlencode

    fields = {f"q-{code}": value for code, value in answers.items()}
    fields.update(
        csrfmiddlewaretoken=csrf.group(1).decode(),
        submission_id=submission.group(1).decode(),
        lang="fr",
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={reply.cookies['csrftoken']}",
    }
    return Form(path, urlencode(fields).encode(), headers)
