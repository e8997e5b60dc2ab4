"""Known upstream behaviour of the pinned engine, as data the scenarios parametrise with.

A scenario asserts the correct behaviour; where the engine does not, it is marked
``xfail(strict=True)`` with the reason, so a fixed engine turns it into a failure to look at.
"""

from __future__ import annotations

import pytest

from harness import ConvergenceTimeout

ETCD_NO_WATCH = (
    "ShardingSphere 5.1.0 etcd repository: metadata changes are written to etcd (keys without "
    "a leading '/') but peers never receive them at run time; a node sees them only when it "
    "starts and loads the registry"
)

# Cluster scenarios that need run-time propagation run on both registries.
REGISTRIES = [
    pytest.param("zookeeper", marks=pytest.mark.topology(registry="zookeeper"), id="zookeeper"),
    pytest.param(
        "etcd",
        marks=[
            pytest.mark.topology(registry="etcd"),
            pytest.mark.xfail(strict=True, raises=ConvergenceTimeout, reason=ETCD_NO_WATCH),
        ],
        id="etcd",
    ),
]

NO_REREGISTER_ZK = (
    "ShardingSphere 5.1.0: after its ZooKeeper session expired, a node reconnects and keeps "
    "serving but never re-creates its online instance node (apache/shardingsphere#16183, "
    "fixed by #16185 after 5.1.0)"
)
NO_REREGISTER_ETCD = (
    "ShardingSphere 5.1.0 etcd repository: lease keep-alive errors are ignored, so a node whose "
    "lease expired never re-registers; peers do not see membership changes at run time either "
    "(apache/shardingsphere#16183, #22278)"
)

# Scenarios where a node's session/lease expires and it should come back online.
REREGISTRATION = [
    pytest.param(
        "zookeeper",
        marks=[
            pytest.mark.topology(registry="zookeeper"),
            pytest.mark.xfail(strict=True, raises=ConvergenceTimeout, reason=NO_REREGISTER_ZK),
        ],
        id="zookeeper",
    ),
    pytest.param(
        "etcd",
        marks=[
            pytest.mark.topology(registry="etcd"),
            pytest.mark.xfail(strict=True, raises=ConvergenceTimeout, reason=NO_REREGISTER_ETCD),
        ],
        id="etcd",
    ),
]

DISTSQL_LOST_IN_OUTAGE = (
    "ShardingSphere 5.1.0 accepts a DistSQL change while the ZooKeeper registry is down, "
    "applies it on that node only and never persists it: after recovery the node and the "
    "registry disagree for good (no error was returned)"
)
