"""Nothing leaks: after a passing and a failing run, after Ctrl-C, and after a killed run
(which the next run, or `harness clean`, reaps). Each run is a real pytest subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.runtime import labels
from harness.waiting import poll
from tests.integration.helpers import (
    INI,
    containers_created_here,
    foreign_leftovers,
    ignore_sigint,
    interrupted,
    nested_pytest,
    own_group,
)


def test_pass_and_fail_leave_nothing_and_failure_has_diagnostics(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        def test_ok(topology):
            with topology.nodes[0].sql() as c:
                assert c.query("SHOW DATABASES") is not None

        def test_fails(topology, harness_db):
            harness_db.register_storage_unit("ds_0")
            assert harness_db.name == "something else"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "harness diagnostics" in out
    assert "proxy-node-0.log" in out
    assert "--- timeline" in out
    saved = list((pytester.path / "reports").glob("*/failures/*/proxy-node-0.log"))
    assert saved
    assert "ShardingSphere-Proxy" in saved[0].read_text()
    # Every container's log says something; the registry's shows the server's own start.
    folder = saved[0].parent
    for log in folder.glob("*.log"):
        assert log.read_text().strip(), f"{log.name} is empty"
    assert "binding to port" in (folder / "registry-registry.log").read_text()
    # The failure's folder also has every node's snapshot and the registry dump (masked).
    snapshots = (folder / "snapshots.txt").read_text()
    assert "== node-0" in snapshots
    assert "global/props/sql_show = " in snapshots  # the global configuration too
    registry = (folder / "registry.txt").read_text()
    assert "/metadata/" in registry
    assert "password: ***" in registry
    for line in registry.splitlines():
        assert "password:" not in line or line.rstrip().endswith("***")
    # The change's statement is in the timeline, its password is not.
    body = (folder.parent.parent / "report.json").read_text()
    assert "PASSWORD=***" in body
    assert "PASSWORD='" not in body
    page = (folder.parent.parent / "index.html").read_text()
    assert f'href="failures/{folder.name}/"' in page
    assert foreign_leftovers(docker_client) == []


def _hold_topology(pytester: pytest.Pytester) -> tuple[subprocess.Popen[bytes], Path]:
    marker = pytester.path / "topology-up"
    pytester.makeini(INI)
    pytester.makepyfile(
        f"""
        import pathlib, threading

        def test_hold(topology):
            pathlib.Path({str(marker)!r}).write_text("up")
            threading.Event().wait(300)  # held until the parent interrupts or kills us
        """
    )
    proc = nested_pytest(pytester.path)
    poll(lambda: marker.exists() or None, timeout=120, what="topology up in subprocess")
    return proc, marker


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_tears_everything_down(
    pytester: pytest.Pytester, docker_client: Any, sig: int
) -> None:
    """Ctrl-C, and SIGTERM (how CI runners and supervisors stop a job), tear down."""
    proc, _ = _hold_topology(pytester)
    assert foreign_leftovers(docker_client)  # the subprocess's topology is up
    out = interrupted(proc, sig)
    assert foreign_leftovers(docker_client) == [], out[-4000:]
    if sig == signal.SIGTERM:
        assert "SIGTERM: tearing down as for Ctrl-C" in out


@pytest.mark.parametrize("group", [False, True], ids=["controller", "process-group"])
def test_sigterm_to_an_xdist_run_tears_down_every_worker(
    pytester: pytest.Pytester, docker_client: Any, group: bool
) -> None:
    """A SIGTERM to the controller only (it owns no topology: it passes it on to its
    workers), or to the whole process group (each worker then gets two: the group's and the
    one passed on). Run as a background job is (SIGINT ignored), so the workers cannot be
    saved by the SIGINT execnet sends them seconds after the controller goes."""
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pathlib, threading
        import pytest

        @pytest.mark.parametrize("i", [0, 1])
        def test_hold(topology, i):
            pathlib.Path(f"up-{i}").write_text("up")
            threading.Event().wait(300)
        """
    )
    proc = nested_pytest(pytester.path, "-n", "2", preexec=own_group if group else ignore_sigint)
    both = [pytester.path / "up-0", pytester.path / "up-1"]
    poll(lambda: all(p.exists() for p in both) or None, timeout=180, what="both workers up")
    assert len(foreign_leftovers(docker_client)) >= 2  # one topology per worker
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    out = interrupted(proc, None if group else signal.SIGTERM)
    assert foreign_leftovers(docker_client) == [], out[-4000:]


def test_killed_run_is_reaped_by_harness_clean(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    proc, _ = _hold_topology(pytester)
    proc.kill()
    proc.wait(timeout=30)
    assert foreign_leftovers(docker_client)  # SIGKILL: nothing could clean up
    subprocess.run([sys.executable, "-m", "harness", "clean"], check=True)
    assert foreign_leftovers(docker_client) == []


def test_killed_run_is_reaped_by_the_next_run(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    """SIGKILL leaves everything; the next pytest run that needs a topology reaps it first
    (its owner is dead), then tears its own down."""
    proc, marker = _hold_topology(pytester)
    proc.kill()
    proc.wait(timeout=30)
    assert foreign_leftovers(docker_client)
    marker.unlink()
    # Replaces the holding test (same default file name).
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.topology(mode="memory", nodes=1)
        def test_next(topology):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert foreign_leftovers(docker_client) == []


def test_bad_option_starts_no_container(pytester: pytest.Pytester, docker_client: Any) -> None:
    since = int(time.time())
    pytester.makeini(INI)
    pytester.makepyfile("def test_x(topology):\n    pass\n")
    result = pytester.runpytest_subprocess("--harness-registry=zk")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert containers_created_here(docker_client, since) == []


def test_ctrl_c_during_provisioning_leaves_nothing(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    """SIGINT while the topology is still starting (its first containers exist, the proxies
    are not ready yet) tears down what was started."""
    pytester.makeini(INI)
    pytester.makepyfile("def test_x(topology):\n    pass\n")
    proc = nested_pytest(pytester.path)

    def started() -> bool | None:
        # Sparse: no inspect per container, which fails on one the run removed meanwhile.
        owned = docker_client.containers.list(
            all=True, sparse=True, filters={"label": [f"{labels.OWNER_PID}={proc.pid}"]}
        )
        return True if owned else None

    poll(started, timeout=120, interval=0.05, what="first container of the subprocess")
    out = interrupted(proc)
    assert " passed" not in out  # interrupted before the test could run
    assert foreign_leftovers(docker_client) == []
