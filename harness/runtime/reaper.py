"""Remove what harness runs left behind: by label, sparing live runs of other processes."""

from __future__ import annotations

import contextlib
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from harness.runtime import labels
from harness.waiting import poll

__all__ = ["Reaped", "reap", "stale_reused"]


@dataclass
class Reaped:
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.containers)} containers, {len(self.networks)} networks, "
            f"{len(self.volumes)} volumes"
        )


def _owner_alive(resource_labels: dict[str, str]) -> bool:
    if resource_labels.get(labels.DETACHED) == "true":
        return True  # `harness up` topologies live until `harness down` (or clean --all)
    if resource_labels.get(labels.REUSE):
        return True  # kept for the next session (stale ones: stale_reused)
    if resource_labels.get(labels.OWNER_HOST) != socket.gethostname():
        return True  # another machine's run: not ours to judge
    try:
        pid = int(resource_labels.get(labels.OWNER_PID, "0"))
    except ValueError:
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap(
    client: Any, *, run_id: str | None = None, topology: str | None = None, only_dead: bool = True
) -> Reaped:
    """Remove harness-labelled resources: one run's (or one topology of it), or every run
    whose owning process is gone (``only_dead``), or every run (``only_dead=False``)."""
    label = f"{labels.RUN_ID}={run_id}" if run_id else f"{labels.MANAGED}=true"
    filters = {"label": [label]}
    if topology is not None:
        filters["label"].append(f"{labels.TOPOLOGY}={topology}")

    def wanted(res_labels: dict[str, str] | None) -> bool:
        return run_id is not None or not only_dead or not _owner_alive(res_labels or {})

    out = Reaped()
    if only_dead and run_id is None and topology is None:
        for topo in stale_reused(client):
            more = reap(client, topology=topo, only_dead=False)
            out.containers += more.containers
            out.networks += more.networks
            out.volumes += more.volumes
    # Proxy containers share their Toxiproxy's network namespace: remove them first. Within
    # each wave, concurrently: a removal is mostly the engine waiting on the kill. docker-py
    # inspects each listed container, and another run may remove its own in between.
    containers = [
        c
        for c in client.containers.list(all=True, ignore_removed=True, filters=filters)
        if wanted(c.labels)
    ]
    for toxiproxy in (False, True):
        wave = [c for c in containers if (c.labels.get(labels.ROLE) == "toxiproxy") == toxiproxy]
        if wave:
            with ThreadPoolExecutor(max_workers=min(8, len(wave))) as pool:
                list(pool.map(_remove_container, wave))
            out.containers += [c.name for c in wave]
    for n in client.networks.list(filters=filters):
        if wanted(n.attrs.get("Labels")):
            _remove_network(n)
            out.networks.append(n.name)
    for v in client.volumes.list(filters=filters):
        if wanted(v.attrs.get("Labels")):
            _quiet(lambda v=v: v.remove(force=True))
            out.volumes.append(v.name)
    return out


def stale_reused(client: Any) -> list[str]:
    """Topologies kept for reuse whose containers run an image that no longer exists (rebuilt
    or pruned): no session can attach to them any more."""
    stale = set()
    for c in client.containers.list(
        all=True, ignore_removed=True, filters={"label": [labels.REUSE]}
    ):
        try:
            client.images.get(c.attrs["Image"])
        except docker.errors.ImageNotFound:
            stale.add(c.labels.get(labels.TOPOLOGY, ""))
    return sorted(stale - {""})


def _refused(exc: Exception, status: int, reason: str) -> bool:
    """The engine answered ``status`` with ``reason`` in its explanation."""
    return getattr(exc, "status_code", None) == status and reason in str(exc)


def _remove_container(container: Any) -> None:
    try:
        _quiet(lambda: container.remove(force=True, v=True))
    except Exception as exc:
        # Another reaper got there first (xdist workers all reap what a killed run left when
        # they start; `harness clean` may run too): wait for its removal, so the network this
        # container was on is free by the time this reaper removes it.
        if not _refused(exc, 409, "in progress"):
            raise
        _quiet(lambda: container.wait(condition="removed", timeout=60))


def _remove_network(network: Any) -> None:
    def removed() -> bool | None:
        try:
            _quiet(network.remove)
        except Exception as exc:
            if not _refused(exc, 403, "active endpoints"):
                raise
            # The engine can release an endpoint a moment after its container is removed
            # (seen with the machine busy): force the stragglers off, then try again.
            _quiet(network.reload)
            for endpoint in network.attrs.get("Containers") or {}:
                _quiet(lambda e=endpoint: network.disconnect(e, force=True))
            return None
        return True

    poll(removed, timeout=30, what=f"network {network.name} to have no endpoints")


def _quiet(fn: Any) -> None:
    with contextlib.suppress(docker.errors.NotFound):  # already gone is fine
        fn()
