"""The processes of a running topology, stopped and started behind its back: kill, pause and
start a node's proxy; stop and start the registry. Only ``Faults`` (which records each as a
fault and heals it) and the hygiene repair call these, as Jepsen's nemesis is the only caller
of ``db/Process`` and ``db/Pause``: a test that breaks a topology does it through ``faults``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.errors import ProvisionError
from harness.runtime.containers import RunningContainer
from harness.timeline import NodeChange, RegistryState

if TYPE_CHECKING:
    from harness.runtime.nodes import ComputeNode
    from harness.runtime.topology import Topology

__all__ = ["Processes"]


class Processes:
    """Process control of one topology's proxies and registry."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology

    def _proxy(self, index: int) -> tuple[ComputeNode, RunningContainer]:
        node = self.topology.node(index)
        if node.proxy is None:
            raise ProvisionError(f"{self.topology.name}: {node.name} has no proxy container")
        return node, node.proxy

    def kill(self, index: int, signal: str = "SIGKILL") -> None:
        """Kill one node's proxy process (no graceful shutdown); its link stays."""
        node, proxy = self._proxy(index)
        proxy.kill(signal)
        self.topology.record(NodeChange(node.name, "killed", signal))

    def stop(self, index: int, timeout: int = 10) -> None:
        """Stop one node's proxy gracefully (SIGTERM, then SIGKILL after ``timeout`` s): the
        node leaves the cluster the way an operator takes it out; its link stays."""
        node, proxy = self._proxy(index)
        proxy.stop(timeout=timeout)
        self.topology.record(NodeChange(node.name, "stopped"))

    def start(self, index: int) -> None:
        """Start a killed or stopped node's proxy again and wait until it answers."""
        node, proxy = self._proxy(index)
        proxy.start_again()
        self.topology.wait_until_serving(node)
        self.topology.record(NodeChange(node.name, "started again"))

    def pause(self, index: int) -> None:
        """Freeze one node's proxy (cgroup freezer, like SIGSTOP for every thread)."""
        node, proxy = self._proxy(index)
        proxy.pause()
        self.topology.record(NodeChange(node.name, "paused"))

    def resume(self, index: int) -> None:
        """Thaw a node frozen by ``pause``."""
        node, proxy = self._proxy(index)
        proxy.unpause()
        self.topology.record(NodeChange(node.name, "resumed"))

    def stop_registry(self) -> None:
        """Registry outage: kill the registry container (its data stays in the container)."""
        container, kind = self.topology.registry_container()
        container.kill("SIGKILL")
        self.topology.record(RegistryState(kind, "stopped"))

    def start_registry(self) -> None:
        """End a registry outage: start the same container again and wait until it answers."""
        container, kind = self.topology.registry_container()
        container.start_again()
        self.topology.wait_registry()
        self.topology.record(RegistryState(kind, "started"))
