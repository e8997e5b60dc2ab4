"""Reuse across sessions (--harness-reuse), against real topologies in pytest subprocesses: the
next session attaches to the kept topology; one kept in a bad state (a leftover toxic, a
paused node, a changed image, a database nobody dropped) is refused, removed and replaced,
with one line saying why; two concurrent sessions never share one; `harness down` removes
what is kept."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.clients.toxiproxy import Toxic, ToxiproxyClient
from harness.images.builder import ImageBuilder
from harness.images.prune import remove_tags
from harness.reuse import remove_kept
from harness.runtime import labels
from tests.integration.helpers import INI

TEST = """
import os

import pytest

@pytest.fixture(scope="session")
def session_end():
    # Runs when the session ends, after every test's hygiene check (which drops what a test
    # left): what a session-scoped fixture may leave behind on a kept topology.
    work = []
    yield work
    for step in work:
        step()

def test_uses(topology, harness_db, session_end):
    print("TOPOLOGY=" + topology.name)
    hold = os.environ.get("HOLD_DIR")
    if hold:
        # Concurrent for real: stay in the test (holding the topology) until HOLD_SESSIONS
        # sessions are in one, or 120 s.
        import pathlib, time
        pathlib.Path(hold, str(os.getpid())).touch()
        deadline = time.monotonic() + 120
        want = int(os.environ["HOLD_SESSIONS"])
        while len(list(pathlib.Path(hold).iterdir())) < want and time.monotonic() < deadline:
            time.sleep(0.05)
    # What a session may leave behind, chosen by the test that runs it.
    if os.environ.get("LEAVE_DATABASE"):
        def leave():
            with topology.nodes[0].sql() as c:
                c.execute("CREATE DATABASE stray_db")
        session_end.append(leave)
"""
USED = re.compile(r"TOPOLOGY=(\S+)")


@pytest.fixture
def reuse_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker_client: Any
) -> Iterator[Path]:
    folder = tmp_path / "reuse"
    monkeypatch.setenv("HARNESS_REUSE_DIR", str(folder))
    yield folder
    # Whatever the test kept goes (what `harness down` does for kept topologies; the CLI
    # would also take down a user's own `harness up` topologies).
    for name, what in remove_kept(docker_client):
        assert what.startswith("removed"), (name, what)
    assert not list(folder.glob("*.json"))


def session(pytester: pytest.Pytester, *args: str, **env: str) -> tuple[str, str]:
    """Run the test file in a new session with --harness-reuse (and ``args``): (topology
    used, output)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-s", "--harness-reuse", *args
        )
    out = result.stdout.str()
    result.assert_outcomes(passed=1)
    found = USED.search(out)
    assert found is not None, out
    return found.group(1), out


def kept_state(folder: Path) -> dict[str, Any]:
    states = list(folder.glob("*.json"))
    assert len(states) == 1
    return dict(json.loads(states[0].read_text()))


def members(docker_client: Any, topology: str) -> set[str]:
    """The ids of every container of ``topology``."""
    found = docker_client.containers.list(
        all=True, filters={"label": [f"{labels.TOPOLOGY}={topology}"]}
    )
    return {c.id for c in found}


def container(docker_client: Any, topology: str, suffix: str) -> Any:
    return docker_client.containers.get(f"{topology}-{suffix}")


def test_next_session_attaches_then_refuses_what_is_not_clean(
    pytester: pytest.Pytester, reuse_dir: Path, docker_client: Any
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(TEST)
    first, _ = session(pytester)
    assert kept_state(reuse_dir)["name"] == first
    status = subprocess.run(
        [sys.executable, "-m", "harness", "status"], check=True, capture_output=True, text=True
    ).stdout
    assert f"{first}  (kept for reuse, free;" in status
    ids = {
        c.id
        for c in docker_client.containers.list(filters={"label": [f"{labels.TOPOLOGY}={first}"]})
    }

    second, out = session(pytester)
    assert second == first
    assert f"harness: reusing {first}" in out
    assert {
        c.id
        for c in docker_client.containers.list(filters={"label": [f"{labels.TOPOLOGY}={first}"]})
    } == ids

    # A toxic left on a link (by a crashed session, or by hand): refused and replaced.
    link = container(docker_client, first, "node-0-link")
    port = link.attrs["NetworkSettings"]["Ports"]["8474/tcp"][0]["HostPort"]
    with ToxiproxyClient(f"http://127.0.0.1:{port}") as api:
        api.add_toxic("registry", Toxic("forgotten", "latency", attributes={"latency": 5}))
    third, out = session(pytester)
    assert third != first
    assert f"harness: not reusing {first}: left behind: node-0: toxic 'forgotten'" in out
    assert (
        docker_client.containers.list(all=True, filters={"label": [f"{labels.TOPOLOGY}={first}"]})
        == []
    )

    # A paused node: refused and replaced.
    container(docker_client, third, "node-0").pause()
    fourth, out = session(pytester)
    assert fourth != third
    assert f"harness: not reusing {third}: left behind: node-0: proxy container is paused" in out

    # A database no session dropped: refused and replaced.
    fifth, _ = session(pytester, LEAVE_DATABASE="1")
    assert fifth == fourth
    sixth, out = session(pytester)
    assert sixth != fifth
    assert (
        f"harness: not reusing {fifth}: node-0 serves databases no session dropped: stray_db" in out
    )


def test_a_changed_image_is_refused_and_replaced(
    pytester: pytest.Pytester, reuse_dir: Path, docker_client: Any, builder: ImageBuilder
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(TEST)
    # A tag of this test's own: moving a shared tag would hand the test's image to any other
    # run on the engine (the scenarios run beside these tests).
    repository, tag = f"harness-test/reuse-{secrets.token_hex(3)}", "5.5.2"
    ref = f"{repository}:{tag}"
    original = docker_client.images.get(builder.tag("shardingsphere-proxy"))
    original.tag(repository, tag)
    rebuilt: Any = None
    try:
        first, _ = session(pytester, f"--harness-proxy-image={ref}")
        # A rebuild moves the tag to a new image: here, the same proxy with one more label.
        rebuilt, _ = docker_client.images.build(
            fileobj=_dockerfile(f"FROM {original.id}\nLABEL io.harness.test-rebuilt=1\n"),
            labels={labels.MANAGED: "true"},
            rm=True,
            forcerm=True,
        )
        rebuilt.tag(repository, tag)
        second, out = session(pytester, f"--harness-proxy-image={ref}")
        assert second != first
        assert f"harness: not reusing {first}: image changed since it was kept: proxy" in out
        # The replacement ran the image the tag named then; the next session sees the tag
        # moved back, so it is refused in turn.
        original.tag(repository, tag)
        third, _ = session(pytester, f"--harness-proxy-image={ref}")
        assert third != second
    finally:
        remove_kept(docker_client)
        remove_tags(docker_client, [ref])
        if rebuilt is not None:
            docker_client.images.remove(rebuilt.id, force=True)
    assert docker_client.containers.list(all=True, filters={"ancestor": rebuilt.id}) == []


def test_concurrent_sessions_never_share_a_topology(
    pytester: pytest.Pytester, reuse_dir: Path
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(TEST)
    first, _ = session(pytester)  # one kept topology: both sessions want it
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "--harness-reuse"]
    # Both sessions stay in their test until both are in one: under load one could otherwise
    # end (and release the kept topology) before the other starts, and then rightly reuse it.
    hold = pytester.path / "hold"
    hold.mkdir()
    env = {**os.environ, "HOLD_DIR": str(hold), "HOLD_SESSIONS": "2"}
    procs = [
        subprocess.Popen(argv, cwd=pytester.path, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    used = [USED.search(o).group(1) for o in outs]  # type: ignore[union-attr]
    assert used[0] != used[1]
    assert first in used
    assert len(list(reuse_dir.glob("*.json"))) == 2


def _dockerfile(text: str) -> Any:
    return io.BytesIO(text.encode())


def test_sessions_attach_to_a_harness_up_topology_and_leave_it_up(
    pytester: pytest.Pytester, docker_client: Any, reuse_dir: Path
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(TEST)
    up = subprocess.run(
        [sys.executable, "-m", "harness", "up", "--nodes", "1", "--image-source", "local"],
        check=True,
        capture_output=True,
        text=True,
    )
    name = re.search(r"^(harness-\S+)  \(", up.stdout, re.MULTILINE)
    assert name is not None, up.stdout
    ids = members(docker_client, name.group(1))
    try:
        for _ in range(2):
            result = pytester.runpytest_subprocess(
                "-p", "no:cacheprovider", "-s", f"--harness-attach={name.group(1)}"
            )
            result.assert_outcomes(passed=1)
            out = result.stdout.str()
            assert f"harness: attached to {name.group(1)} (cluster/zookeeper x1)" in out
            assert f"TOPOLOGY={name.group(1)}" in out
            assert members(docker_client, name.group(1)) == ids  # still up, untouched
        missing = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--harness-attach=nope")
        assert missing.ret == pytest.ExitCode.USAGE_ERROR
        assert "invalid --harness-attach='nope'" in missing.stderr.str()
    finally:
        subprocess.run(
            [sys.executable, "-m", "harness", "down", name.group(1)],
            check=True,
            capture_output=True,
        )
    assert members(docker_client, name.group(1)) == set()
