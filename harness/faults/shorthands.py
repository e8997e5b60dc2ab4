"""Shorthands for the commonest link fault, on top of the fault controller (which heals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from harness.faults.catalog import cut
from harness.faults.controller import Faults
from harness.runtime.topology import Topology
from harness.runtime.wiring import REGISTRY_LINK

__all__ = ["link_down", "registry_cut"]


@contextmanager
def link_down(topology: Topology, node: int, link: str) -> Iterator[None]:
    """Take ``link`` of ``node`` down (connections reset, new ones refused); restore on exit.

    The same as ``faults.link(node, cut(link))`` for code that holds only a topology.
    Example: ``with link_down(topology, 0, "storage-0"): ...``.
    """
    with Faults.of(topology).link(node, cut(link)):
        yield


def registry_cut(topology: Topology, node: int) -> AbstractContextManager[None]:
    """Cut ``node`` from the registry while the other nodes stay connected.

    The same as ``faults.partition(isolate(node))``. Example: ``with registry_cut(topology, 2):``.
    """
    return link_down(topology, node, REGISTRY_LINK)
