"""The seed's three operation modes, each with its semantics asserted.

memory: nothing persists, a restarted node has forgotten its DistSQL changes.
standalone: metadata persists on the node and survives a restart.
cluster: every node sharing the namespace sees a change, and it survives the restart of any
node and of all nodes (ZooKeeper and etcd).
"""

from __future__ import annotations

import pytest

from harness import LogicalDatabase, Snapshot, Topology, assert_converged, node_snapshot
from scenarios.known import REGISTRIES


def make_change(db: LogicalDatabase, topology: Topology, node: int = 0) -> None:
    db.register_storage_unit("ds_0", storage=0, node=node)
    with topology.node(node).sql(db.name) as c:
        c.execute(topology.dialect.create_sharding_table_rule("t_order", ["ds_0"], "order_id", 4))


def shows_change(db: str, snapshot: Snapshot) -> bool:
    return snapshot.has(f"database/{db}/storage_unit/ds_0") and snapshot.has(
        f"database/{db}/sharding_table_rule/t_order"
    )


@pytest.mark.memory
@pytest.mark.topology(nodes=1)
def test_memory_mode_forgets_changes_on_restart(
    topology: Topology, harness_db: LogicalDatabase
) -> None:
    make_change(harness_db, topology)
    assert shows_change(harness_db.name, node_snapshot(topology, 0, [harness_db.name]))
    topology.restart_node(0)
    after = node_snapshot(topology, 0, [harness_db.name]).as_dict()
    assert after == {f"database/{harness_db.name}/exists": "no"}


@pytest.mark.standalone
@pytest.mark.topology(nodes=1)
def test_standalone_mode_keeps_changes_across_restart(
    topology: Topology, harness_db: LogicalDatabase
) -> None:
    make_change(harness_db, topology)
    before = node_snapshot(topology, 0, [harness_db.name])
    assert shows_change(harness_db.name, before)
    topology.restart_node(0)
    after = node_snapshot(topology, 0, [harness_db.name])
    assert after.same_as(before), after.render()


@pytest.mark.cluster
@pytest.mark.parametrize("registry", REGISTRIES)
def test_cluster_change_reaches_all_and_survives_restart_of_one_node(
    registry: str, topology: Topology, harness_db: LogicalDatabase
) -> None:
    assert topology.spec.registry == registry
    make_change(harness_db, topology, node=1)

    def expect(s: Snapshot) -> bool:
        return shows_change(harness_db.name, s)

    before = assert_converged(topology, databases=[harness_db.name], expect=expect).snapshot
    topology.restart_node(0)
    after = assert_converged(topology, databases=[harness_db.name], expect=expect).snapshot
    assert after.same_as(before)


@pytest.mark.cluster
@pytest.mark.parametrize("registry", REGISTRIES)
def test_cluster_change_survives_restart_of_all_nodes(
    registry: str, topology: Topology, harness_db: LogicalDatabase
) -> None:
    make_change(harness_db, topology)

    def expect(s: Snapshot) -> bool:
        return shows_change(harness_db.name, s)

    before = assert_converged(topology, databases=[harness_db.name], expect=expect).snapshot
    topology.restart_all()
    after = assert_converged(topology, databases=[harness_db.name], expect=expect).snapshot
    assert after.same_as(before)
