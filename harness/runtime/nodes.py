"""The members of a running topology: compute nodes (a proxy in its Toxiproxy's namespace)
and storage nodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.clients.mysql import Endpoint, SqlClient
from harness.clients.toxiproxy import ToxiproxyClient
from harness.runtime.containers import RunningContainer
from harness.runtime.wiring import PROXY_PORT

__all__ = ["ComputeNode", "Storage"]


@dataclass
class Storage:
    """One storage node (MariaDB), reached from the host as ``admin``."""

    index: int
    container: RunningContainer
    admin: Endpoint

    def sql(self, database: str | None = None) -> SqlClient:
        """An admin session to this storage node, from the host."""
        return SqlClient(self.admin, database)


@dataclass
class ComputeNode:
    """One proxy plus the Toxiproxy whose namespace it runs in: ``toxiproxy_container`` runs
    it, ``toxiproxy`` is its API.

    Example: ``topology.nodes[1].sql("sharding_db").query("SHOW STORAGE UNITS")``.
    """

    index: int
    name: str
    toxiproxy_container: RunningContainer
    toxiproxy: ToxiproxyClient
    endpoint: Endpoint
    proxy: RunningContainer | None = None
    conf_dir: Path = field(default_factory=Path)
    namespace: str = ""

    def sql(self, database: str | None = None, *, read_timeout: float = 30) -> SqlClient:
        """A MySQL session to this node's proxy through its client link (``read_timeout`` s).

        Example: ``with node.sql("sharding_db") as c: c.query("SHOW STORAGE UNITS")``.
        """
        return SqlClient(self.endpoint, database, read_timeout=read_timeout)

    @property
    def instance_id(self) -> str:
        """How the node registers itself: ``<ip>@<port>`` on the topology network."""
        container = self.toxiproxy_container.container
        container.reload()
        networks = container.attrs["NetworkSettings"]["Networks"]
        ip = next(iter(networks.values()))["IPAddress"]
        return f"{ip}@{PROXY_PORT}"

    def __str__(self) -> str:
        return self.name
