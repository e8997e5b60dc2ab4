"""`harness up/status/down` against a real (memory-mode, one node) topology, as a person
would use them: the printed mysql command works, reapers spare the topology, down removes it;
a bad spec starts nothing."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

from harness.clients.mysql import Endpoint, SqlClient
from tests.integration.conftest import leftovers
from tests.integration.helpers import containers_created_here


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_up_status_down(docker_client: Any) -> None:
    started = harness("up", "--mode", "memory", "--nodes", "1")
    assert started.returncode == 0, started.stderr
    assert "wait: waiting for proxy node-0 to answer SQL" in started.stdout
    name = re.findall(r"^(harness-\S+)  \(", started.stdout, re.M)[0]
    try:
        cmd = re.search(r"mysql -h (\S+) -P (\d+) -u (\S+) -p(\S+)", started.stdout)
        assert cmd is not None, started.stdout
        host, port, user, password = cmd.groups()
        with SqlClient(Endpoint(host, int(port), user, password)) as c:
            assert c.query("SHOW DATABASES") is not None
        assert "toxiproxy API http://127.0.0.1:" in started.stdout
        # A clean of dead runs spares it: it belongs to no process, yet is wanted.
        assert harness("clean").returncode == 0
        status = harness("status")
        assert name in status.stdout
        assert re.search(r"node-0\s+running", status.stdout), status.stdout
    finally:
        stopped = harness("down", name)
    assert stopped.returncode == 0, stopped.stderr
    assert f"down: {name}: removed" in stopped.stdout
    assert leftovers(docker_client, topology=name) == []
    assert name not in harness("status").stdout


def test_up_with_bad_spec_names_allowed_values_and_starts_nothing(docker_client: Any) -> None:
    since = int(time.time())
    bad = harness("up", "--nodes", "0")
    assert bad.returncode == 1
    assert "nodes" in bad.stderr
    assert "allowed" in bad.stderr
    assert "Fix:" in bad.stderr
    assert containers_created_here(docker_client, since) == []


def test_report_prints_newest_page(tmp_path: Any) -> None:
    missing = harness("report", "--report-dir", str(tmp_path))
    assert missing.returncode == 1
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "index.html").write_text("<html></html>")
    (tmp_path / "latest").symlink_to("r1")
    found = harness("report", "--report-dir", str(tmp_path))
    assert found.returncode == 0
    assert found.stdout.strip() == str((tmp_path / "r1" / "index.html").resolve())
