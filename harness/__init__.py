"""harness: real ShardingSphere-Proxy topologies in containers, faults, and convergence checks.

This module is the public API; scenarios and other repos import only from here.
"""

from __future__ import annotations

from harness.clients.mysql import SqlError
from harness.convergence.api import (
    assert_converged,
    assert_membership,
    node_snapshot,
    node_view,
    wait_converged,
)
from harness.convergence.loop import ConvergenceResult
from harness.convergence.snapshot import Snapshot
from harness.database_hygiene import HarnessLeftoverWarning
from harness.errors import (
    ConvergenceTimeout,
    FaultError,
    HarnessError,
    ProvisionError,
    SpecError,
)
from harness.faults.catalog import (
    LinkFault,
    Partition,
    bandwidth,
    black_hole,
    cut,
    isolate,
    latency,
    limit_data,
    reset_peer,
    slicer,
    slow_close,
    split_halves,
)
from harness.faults.controller import ActiveFault, Faults
from harness.faults.hygiene import leftovers
from harness.faults.shorthands import link_down, registry_cut
from harness.logical_database import LogicalDatabase, create_again
from harness.runtime.nodes import ComputeNode
from harness.runtime.topology import Topology
from harness.runtime.wiring import CLIENT_LINK, REGISTRY_LINK, storage_link
from harness.spec import TopologySpec
from harness.timeline import Note
from harness.version import __version__ as __version__

__all__ = [
    "CLIENT_LINK",
    "REGISTRY_LINK",
    "ActiveFault",
    "ComputeNode",
    "ConvergenceResult",
    "ConvergenceTimeout",
    "FaultError",
    "Faults",
    "HarnessError",
    "HarnessLeftoverWarning",
    "LinkFault",
    "LogicalDatabase",
    "Note",
    "Partition",
    "ProvisionError",
    "Snapshot",
    "SpecError",
    "SqlError",
    "Topology",
    "TopologySpec",
    "assert_converged",
    "assert_membership",
    "bandwidth",
    "black_hole",
    "create_again",
    "cut",
    "isolate",
    "latency",
    "leftovers",
    "limit_data",
    "link_down",
    "node_snapshot",
    "node_view",
    "registry_cut",
    "reset_peer",
    "slicer",
    "slow_close",
    "split_halves",
    "storage_link",
    "wait_converged",
]
