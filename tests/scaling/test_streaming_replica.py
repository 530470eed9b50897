"""Against a real primary and streaming replica: result reads go to the replica, the rest and
read-your-writes stay on the primary."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.scaling.cluster import make_cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="miroir-replica-"))
    made = make_cluster(folder)
    if made is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs PostgreSQL's initdb and pg_basebackup")
        pytest.skip("PostgreSQL's initdb and pg_basebackup are not installed")
    try:
        made.start()
        yield made
    finally:
        made.stop()
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def _probe(cluster) -> dict:
    wait = shlex.join(
        [
            sys.executable,
            "-c",
            "import sys; from tests.scaling.cluster import *; "
            f"c = Cluster(Path({str(cluster.folder)!r}), {cluster.primary_port}, "
            f"{cluster.replica_port}, Path({str(cluster.bindir)!r})); c.wait_for_replay()",
        ]
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "miroir.settings",
        "MIROIR_DATABASE_URL": cluster.primary_url,
        "MIROIR_DATABASE_REPLICA_URL": cluster.replica_url,
        "MIROIR_SECRET_KEY": "tests-only-not-a-secret",
    }
    env.pop("MIROIR_TEST_DATABASE_NAME", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "scaling" / "replica_probe.py"), wait],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_result_reads_go_to_the_replica_and_everything_else_to_the_primary(cluster):
    seen = _probe(cluster)
    assert seen["plain"] is False  # an ordinary read: the primary
    assert seen["result"] is True  # a result read: the server in recovery, the replica
    assert seen["units_on_replica"] == ["LYO-PD"]  # it replayed the primary's write
    assert seen["replica_queries"] == 1
    assert seen["in_transaction"] is False  # a transaction sees its own rows: the primary
    assert seen["engine_reads"] == [1, 0]  # the result engine reads the replica, only it
    # A GET reads the replica; a POST and the same person's next GET read the primary.
    assert seen["requests_on_replica"] == [True, False, False]
