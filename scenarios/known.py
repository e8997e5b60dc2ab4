"""Known upstream behaviour of each proxy release, as data the scenarios parametrise with.

A scenario asserts the correct behaviour; where a release does not, it carries harness's
``known_issue`` marker naming the releases. On those it is a strict xfail, so a fixed release
turns it into a failure to look at; on any other release it must pass. What is listed here was
measured on both releases the catalog builds (5.1.0 and 5.1.1).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from harness import ConvergenceTimeout

# Fixed in 5.1.1 by apache/shardingsphere#16185 (merged 2022-03-18).
ONLY_510 = ("5.1.0",)


def known(reason: str, versions: Sequence[str] | None = None) -> pytest.MarkDecorator:
    """Known behaviour of ``versions`` (default: every release): the scenario times out
    waiting for convergence there."""
    return pytest.mark.known_issue(
        reason, versions=list(versions) if versions else None, raises=ConvergenceTimeout
    )


ETCD_NO_WATCH = (
    "ShardingSphere 5.1.x etcd repository: metadata changes are written to etcd (keys without "
    "a leading '/') but peers never receive them at run time; a node sees them only when it "
    "starts and loads the registry"
)


def by_registry(issues: dict[str, pytest.MarkDecorator] | None = None) -> list[object]:
    """``registry`` parameters for ZooKeeper and etcd, each selecting its topology, with the
    known issue named for it, if any."""
    params: list[object] = []
    for registry in ("zookeeper", "etcd"):
        marks = [pytest.mark.topology(registry=registry)]
        if issues and registry in issues:
            marks.append(issues[registry])
        params.append(pytest.param(registry, marks=marks, id=registry))
    return params


# Cluster scenarios that need run-time propagation run on both registries.
REGISTRIES = by_registry({"etcd": known(ETCD_NO_WATCH)})
# Scenarios that hold on both registries.
BOTH = by_registry()

NO_REREGISTER_ZK = (
    "ShardingSphere 5.1.0: after its ZooKeeper session expired, a node reconnects and keeps "
    "serving but never re-creates its online instance node (apache/shardingsphere#16183, "
    "fixed by #16185 in 5.1.1)"
)
NO_REREGISTER_ETCD = (
    ETCD_NO_WATCH + "; so the scenario fails at its first convergence check, before the "
    "reported lease-expiry re-registration gap (apache/shardingsphere#16183, #22278) is reached"
)

# Scenarios where a node's session/lease expires and it should come back online.
REREGISTRATION = by_registry(
    {"zookeeper": known(NO_REREGISTER_ZK, ONLY_510), "etcd": known(NO_REREGISTER_ETCD)}
)

DISTSQL_LOST_IN_OUTAGE = known(
    "ShardingSphere 5.1.x accepts a DistSQL change while the ZooKeeper registry is down, "
    "applies it on that node only and never persists it: after recovery the node and the "
    "registry disagree for good (no error was returned)"
)

NO_DEREGISTER_ON_STOP = known(
    "ShardingSphere 5.1.x does not close its registry session on a graceful stop: the node "
    "stays in the online compute nodes until the session/lease expires"
)

RACY_REPLAY_ORDER = known(
    "ShardingSphere 5.1.x: a node that missed a storage-unit and a rule change while cut from "
    "ZooKeeper may replay the rule event first after reconnecting; it then fails with 'Data "
    "source names cannot be empty' (ShardingRuleBuilder) and never applies the rule. The order "
    "is racy (about 1 try in 3), so the scenario tries up to 15 times"
)
