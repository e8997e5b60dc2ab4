"""Namespace semantics from the seed: nodes with the same namespace and server-lists form one
cluster; a different namespace on the same registry is a separate cluster; nodes can join a
running cluster (horizontal scale-out) and leave it."""

from __future__ import annotations

import pytest

from harness import (
    Faults,
    LogicalDatabase,
    Topology,
    assert_converged,
    assert_membership,
    node_snapshot,
)
from scenarios.bounds import SESSION_TTL
from scenarios.known import (
    NO_DEREGISTER_ON_STOP,
    NO_DEREGISTER_ON_STOP_ETCD_55,
    REGISTRIES,
    by_registry,
)

pytestmark = pytest.mark.cluster


@pytest.mark.parametrize("registry", REGISTRIES)
def test_other_namespace_on_same_registry_is_a_separate_cluster(
    registry: str, topology: Topology, harness_db: LogicalDatabase
) -> None:
    other = topology.add_node(namespace="harness_other")
    try:
        mine = [n.index for n in topology.nodes if n is not other]
        # The main cluster's database is invisible to the other namespace ...
        assert node_snapshot(topology, other.index, [harness_db.name]).as_dict() == {
            f"database/{harness_db.name}/exists": "no"
        }
        # ... and the other namespace's database is invisible to the main cluster.
        foreign = f"{harness_db.name}_other"
        with other.sql() as c:
            c.execute(topology.dialect.create_database(foreign))
        assert node_snapshot(topology, other.index, [foreign]).has(f"database/{foreign}/exists")
        result = assert_converged(topology, databases=[foreign], nodes=mine, timeout=5)
        assert result.snapshot.as_dict() == {f"database/{foreign}/exists": "no"}
        # Membership is per namespace too.
        assert_membership(topology, expected=mine)
        assert_membership(topology, expected=[other.index], via=other.index)
    finally:
        topology.remove_node(other.index)


@pytest.mark.parametrize("registry", REGISTRIES)
@pytest.mark.topology(props={"timeToLiveSeconds": SESSION_TTL})
def test_scale_out_node_joins_and_removal_leaves_rest_converged(
    registry: str, topology: Topology, harness_db: LogicalDatabase
) -> None:
    harness_db.register_storage_unit("ds_0")
    new = topology.add_node()
    try:
        result = assert_converged(
            topology,
            databases=[harness_db.name],
            expect=lambda s: s.has(f"database/{harness_db.name}/storage_unit/ds_0"),
        )
        assert new.name in result.latency
        assert_membership(topology)
    finally:
        topology.remove_node(new.index)
    assert_membership(topology, timeout=SESSION_TTL + 15)
    assert_converged(topology, databases=[harness_db.name])


# 5.5.2 on etcd left a stopped node listed in 1 of 3 single-stop runs, but 12 stops all
# passed in 1 of about 8 suite runs (the race is rarer under load): 24 stops. A stop and a
# start of the same node take about 2.3 s on etcd (an added and removed node took 3.3 s);
# the scenario ends at the first stop that lingers.
STOPS = {"zookeeper": 3, "etcd": 24}


@pytest.mark.parametrize("registry", by_registry({"etcd": [NO_DEREGISTER_ON_STOP_ETCD_55]}))
@pytest.mark.topology(props={"timeToLiveSeconds": SESSION_TTL})
@NO_DEREGISTER_ON_STOP
def test_gracefully_stopped_node_leaves_online_list_at_once(
    registry: str, topology: Topology, faults: Faults
) -> None:
    """A node stopped gracefully leaves the online compute nodes within 3 s, every time (the
    5.5.2 etcd gap is a race: ``STOPS`` tries). The same node stops and starts again each
    time: a node added and removed costs its link's start and removal too."""
    node = topology.nodes[-1].index
    rest = [n.index for n in topology.nodes if n.index != node]
    for _ in range(STOPS[registry]):
        stopped = faults.stop(node)
        assert_membership(topology, expected=rest, timeout=3)
        faults.heal(stopped)
        assert_membership(topology)
