"""Helpers the integration tests share: the ini of a small local topology, nested pytest runs
(and interrupting them), and what the runs these tests start leave behind on the engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.runtime import labels

__all__ = [
    "INI",
    "containers_created_here",
    "default_sigint",
    "foreign_leftovers",
    "ignore_sigint",
    "interrupted",
    "nested_pytest",
    "own_group",
]

INI = "[pytest]\nharness_image_source = local\nharness_nodes = 1\n"


def _alive_outside_this_tree(pid: int) -> bool:
    """True for a live process that is neither this one nor one it started (another run on
    the same engine, which these tests must not count)."""
    me = os.getpid()
    while pid > 1:
        if pid == me:
            return False
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False  # gone: its leftovers count
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # field 4: the parent's pid
    return True


def _started_here(res_labels: dict[str, str], *, detached: bool = False) -> bool:
    """A harness resource of a run these tests started: not this process's own session
    topology, and not another live run on the same engine (a sibling xdist worker's).
    `harness up` topologies (detached) count only with ``detached``."""
    owner = res_labels.get(labels.OWNER_PID, "0")
    return (
        res_labels.get(labels.MANAGED) == "true"
        and owner != str(os.getpid())
        and (detached or res_labels.get(labels.DETACHED) != "true")
        and not _alive_outside_this_tree(int(owner))
    )


def foreign_leftovers(client: Any) -> list[str]:
    """Harness resources left by the runs these tests started."""
    found = []
    for kind in (
        client.containers.list(all=True, ignore_removed=True),
        client.networks.list(),
        client.volumes.list(),
    ):
        for res in kind:
            res_labels = (res.labels if hasattr(res, "labels") else res.attrs.get("Labels")) or {}
            if _started_here(res_labels):
                found.append(res.name)
    return found


def containers_created_here(client: Any, since: int) -> list[str]:
    """Harness containers, `harness up`'s included, that the runs these tests started created
    since ``since`` (epoch seconds), even those already removed: the engine's event log."""
    events = client.events(
        since=since,
        until=int(time.time()) + 1,
        decode=True,
        filters={"type": "container", "event": "create"},
    )
    return [
        e["Actor"]["Attributes"].get("name", "?")
        for e in events
        if _started_here(e["Actor"].get("Attributes") or {}, detached=True)
    ]


def default_sigint() -> None:
    # A process started with `&` by a non-interactive shell ignores SIGINT, its children
    # inherit that, and Python then installs no KeyboardInterrupt handler: the nested run
    # would ignore the Ctrl-C these tests send and hold its topology on (that is what left a
    # nested run's topology behind when the tests ran in the background). Give the nested
    # run the disposition of a terminal's foreground job.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def own_group() -> None:
    # Its own process group, so a signal to the group reaches the run and not these tests.
    ignore_sigint()
    os.setpgid(0, 0)


def nested_pytest(
    cwd: Path, *args: str, preexec: Callable[[], None] = default_sigint
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec,  # noqa: PLW1509 - no threads touch signals here
    )


def interrupted(proc: subprocess.Popen[bytes], sig: int | None = signal.SIGINT) -> str:
    """Ctrl-C (or ``sig``; None: sent already) the nested run and return its output; if it
    does not end, kill it (so its topology does not outlive this test) and fail saying so."""
    if sig is not None:
        proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate(timeout=30)
        subprocess.run([sys.executable, "-m", "harness", "clean"], check=False)
        pytest.fail(f"the nested run did not end within 120 s of {sig}:\n" + out.decode()[-4000:])
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out.decode()
    return out.decode()
