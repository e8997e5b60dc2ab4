"""Link faults through each node's Toxiproxy, as context managers that always heal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from harness.runtime.topology import REGISTRY_LINK, Topology

__all__ = ["link_down", "registry_cut"]


@contextmanager
def link_down(topology: Topology, node: int, link: str) -> Iterator[None]:
    """Take ``link`` of ``node`` down (connections reset, new ones refused); restore on exit."""
    n = topology.node(node)
    n.toxiproxy.set_enabled(link, False)
    topology.event("fault", f"{n.name} link {link} down")
    try:
        yield
    finally:
        n.toxiproxy.set_enabled(link, True)
        topology.event("fault", f"{n.name} link {link} up")


def registry_cut(topology: Topology, node: int) -> AbstractContextManager[None]:
    """Cut ``node`` from the registry while the other nodes stay connected."""
    return link_down(topology, node, REGISTRY_LINK)
