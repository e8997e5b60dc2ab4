"""Known upstream behaviour of each proxy release, as data the scenarios parametrise with.

A scenario asserts the correct behaviour; where a release does not, it carries harness's
``known_issue`` marker naming the releases. On those it is a strict xfail, so a fixed release
turns it into a failure to look at; on any other release it must pass.
"""

from __future__ import annotations

import pytest

from harness import ConvergenceTimeout

ETCD_NO_WATCH = (
    "ShardingSphere 5.1.0 etcd repository: metadata changes are written to etcd (keys without "
    "a leading '/') but peers never receive them at run time; a node sees them only when it "
    "starts and loads the registry"
)


def by_registry(xfail: dict[str, str] | None = None) -> list[object]:
    """``registry`` parameters for ZooKeeper and etcd, each selecting its topology, with a
    strict xfail (raising ConvergenceTimeout) for the registries named in ``xfail``."""
    params: list[object] = []
    for registry in ("zookeeper", "etcd"):
        marks = [pytest.mark.topology(registry=registry)]
        if xfail and registry in xfail:
            marks.append(
                pytest.mark.xfail(strict=True, raises=ConvergenceTimeout, reason=xfail[registry])
            )
        params.append(pytest.param(registry, marks=marks, id=registry))
    return params


# Cluster scenarios that need run-time propagation run on both registries.
REGISTRIES = by_registry({"etcd": ETCD_NO_WATCH})
# Scenarios that hold on both registries.
BOTH = by_registry()

NO_REREGISTER_ZK = (
    "ShardingSphere 5.1.0: after its ZooKeeper session expired, a node reconnects and keeps "
    "serving but never re-creates its online instance node (apache/shardingsphere#16183, "
    "fixed by #16185 after 5.1.0)"
)
NO_REREGISTER_ETCD = (
    ETCD_NO_WATCH + "; so the scenario fails at its first convergence check, before the "
    "reported lease-expiry re-registration gap (apache/shardingsphere#16183, #22278) is reached"
)

# Scenarios where a node's session/lease expires and it should come back online.
REREGISTRATION = by_registry({"zookeeper": NO_REREGISTER_ZK, "etcd": NO_REREGISTER_ETCD})

DISTSQL_LOST_IN_OUTAGE = (
    "ShardingSphere 5.1.0 accepts a DistSQL change while the ZooKeeper registry is down, "
    "applies it on that node only and never persists it: after recovery the node and the "
    "registry disagree for good (no error was returned)"
)
