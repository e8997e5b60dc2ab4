"""Cluster mode on etcd, on every release: nodes register online through their lease, metadata
is persisted under the namespace, and a node that starts later loads it. (Run-time propagation
between running nodes, which 5.1.x lacks on etcd, is covered by the REGISTRIES-parametrised
scenarios: see known.py.)"""

from __future__ import annotations

import secrets

import pytest

from harness import Topology, assert_converged, assert_membership

pytestmark = [pytest.mark.cluster, pytest.mark.topology(registry="etcd")]


def test_metadata_is_persisted_in_etcd_and_loaded_by_a_node_that_starts_later(
    topology: Topology,
) -> None:
    db = f"etcd_{secrets.token_hex(3)}"
    with topology.nodes[0].sql() as c:
        c.execute(topology.dialect.create_database(db))
    reader = topology.registry_reader()
    try:
        key = topology.dialect.registry_metadata_key("etcd", topology.spec.namespace, db)
        # 5.1 writes the database's children only; 5.5 writes the database's own key first.
        assert reader.exists(key) or reader.children(key)
    finally:
        reader.close()
    late = topology.add_node()
    try:
        assert_membership(topology)
        result = assert_converged(
            topology,
            databases=[db],
            nodes=[0, late.index],
            expect=lambda s: s.serves(db),
        )
        assert set(result.latency) == {topology.nodes[0].name, late.name}
    finally:
        topology.remove_node(late.index)
        with topology.nodes[0].sql() as c:
            c.execute(topology.dialect.drop_database(db))
