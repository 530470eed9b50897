"""`./dev demo` runs what production runs: the server, the task worker and the periodic ticks.

The script runs against a stub virtual environment whose `miroir` records what it is asked to
do, so the shared environment is never reinstalled; Ctrl-C is sent as a terminal sends it, to
the whole process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STUB = """#!{python}
import os, signal, sys, time
log = os.path.join(os.environ["STUB_DIR"], "log")
command = sys.argv[1]
def note(line):
    with open(log, "a") as handle:
        handle.write(line + "\\n")
note(f"{{command}} {{os.getpid()}} {{' '.join(sys.argv[2:])}}")
if command in ("db_worker", "runserver"):
    def stop(signum, frame):
        note(f"stopped {{command}} {{signal.Signals(signum).name}}")
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    if command == "db_worker":
        # The real worker installs its own handler, so Ctrl-C reaches it despite `&`.
        signal.signal(signal.SIGINT, stop)
        print("Starting worker", flush=True)
        if os.environ.get("STUB_WORKER_CRASHES"):
            time.sleep(1)
            sys.exit(3)
    while True:
        time.sleep(0.1)
"""


@pytest.fixture
def stub_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("miroir", "python"):
        script = venv / "bin" / name
        script.write_text(STUB.format(python=sys.executable), encoding="utf-8")
        script.chmod(0o755)
    stamp = venv / ".installed-"
    stamp.touch()
    later = (ROOT / "pyproject.toml").stat().st_mtime + 3600
    os.utime(stamp, (later, later))
    return venv


def _start_demo(venv: Path, **extra: str) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "MIROIR_VENV": str(venv),
        "STUB_DIR": str(venv),
        "MIROIR_DEMO_TICK_SECONDS": "0.2",
        "MIROIR_PORT": "8123",
        **extra,
    }
    return subprocess.Popen(
        ["bash", str(ROOT / "dev"), "demo"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _log(venv: Path) -> list[str]:
    path = venv / "log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _wait_for(predicate, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _pid(lines: list[str], command: str) -> int:
    return next(int(line.split()[1]) for line in lines if line.startswith(f"{command} "))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_demo_runs_server_worker_and_ticks_and_ctrl_c_stops_them_all(stub_venv):
    process = _start_demo(stub_venv)
    try:
        _wait_for(
            lambda: (
                sum(line.startswith("tick ") for line in _log(stub_venv)) >= 3
                and any(line.startswith("runserver ") for line in _log(stub_venv))
            )
        )
        lines = _log(stub_venv)
        assert lines[0].startswith("migrate ") and lines[1].startswith("demo ")
        assert any(line.startswith("db_worker ") for line in lines)
        assert any(line.endswith("127.0.0.1:8123 --noreload") for line in lines)
        assert all("--enqueue" in line for line in lines if line.startswith("tick "))
        server, worker = _pid(lines, "runserver"), _pid(lines, "db_worker")
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "[worker] Starting worker" in output
    assert "db_worker" in output and "127.0.0.1:8123" in output
    assert not _alive(server) and not _alive(worker)
    stopped = [line for line in _log(stub_venv) if line.startswith("stopped ")]
    assert "stopped runserver SIGTERM" in stopped
    # The worker got Ctrl-C itself and was left to finish, not killed on top of it.
    assert "stopped db_worker SIGINT" in stopped
    ticks = len([line for line in _log(stub_venv) if line.startswith("tick ")])
    time.sleep(0.6)
    assert len([line for line in _log(stub_venv) if line.startswith("tick ")]) == ticks


def test_a_worker_that_dies_stops_the_demo(stub_venv):
    process = _start_demo(stub_venv, STUB_WORKER_CRASHES="1")
    try:
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode != 0
    assert "stopping the rest" in output
    server = _pid(_log(stub_venv), "runserver")
    assert not _alive(server)
    assert "stopped runserver SIGTERM" in _log(stub_venv)
