"""Helpers the integration tests share: the ini of a small local topology, and what the runs
these tests start leave behind on the engine."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from harness.runtime import labels

__all__ = ["INI", "containers_created_here", "foreign_leftovers"]

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
