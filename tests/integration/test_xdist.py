"""pytest-xdist: each worker provisions and owns its topology (own network, random ports),
the reaper spares the other worker's live resources, the report is merged into one run, and
nothing is left afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.integration.helpers import INI, foreign_leftovers


def test_two_workers_share_one_report_and_leave_nothing(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_a="""
        from harness import assert_converged

        def test_a(topology, harness_db):
            harness_db.register_storage_unit("ds_0")
            assert_converged(topology, databases=[harness_db.name])
        """,
        test_b="""
        def test_b(topology, harness_db):
            with topology.nodes[0].sql(harness_db.name) as c:
                assert c.query(topology.dialect.show_storage_units(harness_db.name)) == []
        """,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=2)
    runs = [p for p in (pytester.path / "reports").glob("*/report.json") if "latest" not in str(p)]
    assert len(runs) == 1
    body = json.loads(runs[0].read_text())
    assert sorted(t["nodeid"] for t in body["tests"]) == ["test_a.py::test_a", "test_b.py::test_b"]
    # Two workers, two topologies.
    assert len({t["topology"] for t in body["tests"]}) == 2
    assert foreign_leftovers(docker_client) == []


def test_crashed_worker_leaves_nothing_after_harness_clean(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    """A worker killed mid-test cannot tear down; its topology carries the dead worker's pid,
    so `harness clean` (or the next run) reaps it while the other worker's run is spared."""
    pytester.makeini(INI)
    pytester.makepyfile(
        test_crash="""
        import os, signal

        def test_crash(topology):
            os.kill(os.getpid(), signal.SIGKILL)
        """,
        test_ok="""
        def test_ok(topology):
            assert topology.nodes
        """,
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile"
    )
    assert "test_crash" in result.stdout.str()
    left = foreign_leftovers(docker_client)
    assert left  # the crashed worker could not clean up
    subprocess.run([sys.executable, "-m", "harness", "clean"], check=True)
    assert foreign_leftovers(docker_client) == []
