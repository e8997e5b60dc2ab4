"""Detection power of the convergence checker: it must fail, with a diff that names the node,
the key and each side's value, whenever a node does not serve what the registry holds; and it
must not raise a false alarm on a healthy cluster."""

from __future__ import annotations

import re

import pytest

from harness import (
    ConvergenceTimeout,
    Faults,
    LogicalDatabase,
    Partition,
    Topology,
    assert_converged,
    assert_membership,
    wait_converged,
)
from scenarios.bounds import SESSION_TTL
from scenarios.known import BOTH, REGISTRIES

pytestmark = [pytest.mark.cluster, pytest.mark.fault]

RULE = "sharding_table_rule/t_order"
COUNT_KEY = "config/rule/SHARDING/shardingAlgorithms/t_order_hash_mod/props/sharding-count"


def _storage_and_rule(db: LogicalDatabase, topology: Topology) -> None:
    db.register_storage_unit("ds_0")
    db.create_sharding_table_rule()
    assert_converged(topology, databases=[db.name], timeout=30, expect=db.has(RULE))


@pytest.mark.parametrize("registry", REGISTRIES)
def test_checker_fails_for_node_paused_during_change(
    registry: str, topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """A node frozen while a change is made is reported (unreadable, by name) while the others
    converge; once resumed it catches up from the registry."""
    harness_db.register_storage_unit("ds_0")
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.has("storage_unit"))
    frozen = topology.nodes[-1]
    others = [n.index for n in topology.nodes if n is not frozen]
    with faults.paused(frozen.index):
        harness_db.create_sharding_table_rule()
        assert_converged(
            topology, databases=[harness_db.name], nodes=others, expect=harness_db.has(RULE)
        )
        result = wait_converged(topology, databases=[harness_db.name], timeout=3)
        assert not result.converged
        assert f"{frozen.name}: unreadable" in result.diff
    assert_converged(topology, databases=[harness_db.name], timeout=30, expect=harness_db.has(RULE))


@pytest.mark.parametrize("registry", REGISTRIES)
def test_checker_fails_for_registry_write_no_node_applied(
    registry: str, topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """A rule rewritten in the registry behind the nodes' backs while every node is cut from
    it: the nodes still agree with each other (a peers-only check passes), but the checker
    compares them with the registry and fails at that key. After the links heal every node
    applies the registry's version."""
    _storage_and_rule(harness_db, topology)
    everyone = Partition("all nodes cut", {n.index: ("registry",) for n in topology.nodes})
    key = topology.dialect.registry_metadata_key(registry, topology.spec.namespace, harness_db.name)
    with faults.partition(everyone):
        reader = topology.registry_reader()
        try:
            keys = reader.tree(key)
            writes = topology.dialect.registry_rewrite(keys, key, _eight_shards)
            assert len(writes) in (1, 2), keys  # a value (5.1), or a version and its switch
            for path, value in writes:
                reader.put(path, value)
        finally:
            reader.close()
        peers_only = wait_converged(topology, databases=[harness_db.name], registry=False)
        assert peers_only.converged, peers_only.explain()
        with pytest.raises(ConvergenceTimeout) as failure:
            assert_converged(topology, databases=[harness_db.name], timeout=2)
        message = str(failure.value)
        assert f"database/{harness_db.name}/{COUNT_KEY}" in message
        assert "registry: 8" in message
        assert f"{topology.nodes[0].name}: 4" in message
    assert_converged(
        topology,
        databases=[harness_db.name],
        timeout=30,
        expect=lambda s: s.as_dict().get(f"database/{harness_db.name}/{COUNT_KEY}") == "8",
    )


def _eight_shards(rules: str) -> str | None:
    rewritten, n = re.subn(r"(sharding-count: )'?4'?", r"\g<1>'8'", rules)
    return rewritten if n == 1 else None


@pytest.mark.parametrize("registry", BOTH)
@pytest.mark.topology(props={"timeToLiveSeconds": SESSION_TTL})
def test_membership_fails_for_killed_node_after_ttl_and_passes_after_restart(
    registry: str, topology: Topology, faults: Faults
) -> None:
    """A killed node stays listed until its session/lease expires, then the membership check
    (registry == the topology's nodes) fails naming it; after a restart it passes again."""
    assert_membership(topology)
    victim = topology.nodes[-1]
    killed = faults.kill(victim.index)
    assert_membership(
        topology,
        expected=[n.index for n in topology.nodes if n is not victim],
        timeout=SESSION_TTL + 20,
    )
    with pytest.raises(ConvergenceTimeout) as failure:
        assert_membership(topology, timeout=1)
    assert victim.instance_id in str(failure.value)
    assert "missing" in str(failure.value)
    faults.heal(killed)
    assert_membership(topology, timeout=30)


@pytest.mark.parametrize("registry", REGISTRIES)
def test_no_false_alarm_in_twenty_checks_on_a_healthy_cluster(
    registry: str, topology: Topology, harness_db: LogicalDatabase
) -> None:
    """Twenty convergence and membership checks in a row on an untouched cluster all pass."""
    _storage_and_rule(harness_db, topology)
    for _ in range(20):
        result = wait_converged(topology, databases=[harness_db.name], timeout=10, stable=0.1)
        assert result.converged, result.explain()
        assert_membership(topology, timeout=1)
