"""A PostgreSQL primary and its streaming replica, started in a temporary folder on free ports.

The machine's own server cannot serve as the primary (its settings are not ours to change), so
the tests make a cluster of their own with the server's programs: ``initdb``, then
``pg_basebackup --write-recovery-conf`` for the replica, each started by ``pg_ctl``. PostgreSQL
refuses to run as root: as root, the programs run as the ``postgres`` account.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_basebackup").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    folder: Path
    primary_port: int
    replica_port: int
    bindir: Path

    def url(self, port: int, database: str = "miroir") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(prefix + list(command), capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")

    def start(self) -> None:
        primary, replica = self.folder / "primary", self.folder / "replica"
        tool = lambda name: str(self.bindir / name)  # noqa: E731
        self._run(
            tool("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\nwal_level = replica\n"
                "max_wal_senders = 4\nfsync = off\n"
            )
        self._run(
            tool("pg_ctl"),
            "-D",
            str(primary),
            "-l",
            str(self.folder / "primary.log"),
            "-w",
            "start",
        )
        self._run(
            tool("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "--write-recovery-conf",
            "--wal-method=stream",
        )
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\nhot_standby = on\n")
        self._run(
            tool("pg_ctl"),
            "-D",
            str(replica),
            "-l",
            str(self.folder / "replica.log"),
            "-w",
            "start",
        )
        self._run(
            tool("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE miroir",
        )
        self.wait_for_replay()

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Block until the replica has replayed everything the primary wrote so far."""
        import psycopg

        with psycopg.connect(self.url(self.primary_port, "postgres"), autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(
                    self.url(self.replica_port, "postgres"), autocommit=True
                ) as rep:
                    caught_up = rep.execute(
                        "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
                    ).fetchone()[0]
                if caught_up:
                    return
            except psycopg.OperationalError:
                pass
            time.sleep(0.1)
        raise TimeoutError("the replica did not catch up with the primary")

    def stop(self) -> None:
        for name in ("replica", "primary"):
            data = self.folder / name
            if data.exists():
                with contextlib.suppress(RuntimeError):
                    self._run(
                        str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"
                    )


def make_cluster(folder: Path) -> Cluster | None:
    """Return a stopped cluster description in ``folder``, or None without PostgreSQL's tools."""
    bindir = _bindir()
    if bindir is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        folder.chmod(0o700)
    return Cluster(folder, _free_port(), _free_port(), bindir)
