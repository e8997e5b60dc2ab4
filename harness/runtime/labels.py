"""Run-id labels on every container, network and volume, so leftovers can always be reaped."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

__all__ = ["LABEL_PREFIX", "RunIdentity", "new_run"]

LABEL_PREFIX = "io.harness"
RUN_ID = f"{LABEL_PREFIX}.run-id"
OWNER_PID = f"{LABEL_PREFIX}.owner-pid"
OWNER_HOST = f"{LABEL_PREFIX}.owner-host"
TOPOLOGY = f"{LABEL_PREFIX}.topology"
ROLE = f"{LABEL_PREFIX}.role"
MANAGED = f"{LABEL_PREFIX}.managed"
# Set on topologies started by `harness up`: they outlive their process until `harness down`.
DETACHED = f"{LABEL_PREFIX}.detached"
# Set on topologies kept for reuse across sessions (--harness-reuse): the value is the reuse
# slot. The reaper spares them while their images exist; `harness clean --all` removes them.
REUSE = f"{LABEL_PREFIX}.reuse"


@dataclass(frozen=True)
class RunIdentity:
    """Who owns a set of resources: a run id plus the owning process, for the reaper."""

    run_id: str
    pid: int
    host: str
    detached: bool = False
    reuse: str | None = None  # the reuse slot of a kept topology

    def labels(self, topology: str, role: str) -> dict[str, str]:
        out = {
            MANAGED: "true",
            RUN_ID: self.run_id,
            OWNER_PID: str(self.pid),
            OWNER_HOST: self.host,
            TOPOLOGY: topology,
            ROLE: role,
        }
        if self.detached:
            out[DETACHED] = "true"
        if self.reuse is not None:
            out[REUSE] = self.reuse
        return out

    def filter(self) -> dict[str, list[str]]:
        """A docker ``filters=`` value matching this run's resources."""
        return {"label": [f"{RUN_ID}={self.run_id}"]}


def new_run(*, detached: bool = False, reuse: str | None = None) -> RunIdentity:
    return RunIdentity(uuid.uuid4().hex[:10], os.getpid(), socket.gethostname(), detached, reuse)
