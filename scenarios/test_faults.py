"""Scenario library: what the engine should do under each fault. Every scenario states the
expected behaviour in its docstring and checks it; where a release does not behave so, the
scenario is a strict xfail on that release naming the upstream behaviour (see known.py).

Scenarios about run-time propagation run on ZooKeeper; the latency and outage scenarios run on
both registries (5.1.x on etcd does not propagate at run time at all: known.py)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager

import pytest

from harness import (
    Faults,
    LogicalDatabase,
    ProvisionError,
    Snapshot,
    SqlError,
    Topology,
    assert_converged,
    assert_membership,
    bandwidth,
    black_hole,
    cut,
    isolate,
    latency,
    reset_peer,
    slicer,
    slow_close,
    split_halves,
    wait_converged,
)
from scenarios.bounds import AFTER_HEAL, REJOIN, SESSION_TTL
from scenarios.known import (
    BOOT_WHILE_GLOBAL_RULE_ALTERED,
    BOOT_WHILE_GLOBAL_RULE_ALTERED_ETCD,
    DISTSQL_LOST_IN_OUTAGE,
    LINE_55,
    REGISTRIES,
    REREGISTRATION,
    by_registry,
)

# Scenarios without a registry parameter are ZooKeeper scenarios whatever --harness-registry
# says (etcd's gap is recorded where a scenario is parametrised with REGISTRIES).
pytestmark = [pytest.mark.cluster, pytest.mark.fault, pytest.mark.topology(registry="zookeeper")]

RULE = "sharding_table_rule/t_order"
UNIT = "storage_unit/ds_0"


def _all(topology: Topology) -> list[int]:
    return [n.index for n in topology.nodes]


@pytest.mark.parametrize("registry", REGISTRIES)
def test_change_converges_under_registry_latency(
    registry: str, topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """With 100 ms (±25 ms) more on every round trip over every node's registry link (a
    registry across an ocean), a storage unit and a rule created through one node still
    reach every node. The delay is on the replies only (Toxiproxy's default stream): one on
    each direction would double it. A 5.5.2 DistSQL makes about 48 round trips, so more delay
    only makes the change slower (200 ms took 18-20 s of this scenario, 500 ms 43 s), not the
    check different."""
    with faults.link(_all(topology), latency(100, 25, direction="downstream")):
        harness_db.register_storage_unit("ds_0")
        harness_db.create_sharding_table_rule()
        result = assert_converged(
            topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(UNIT, RULE)
        )
    assert set(result.latency) == {n.name for n in topology.nodes}


def test_change_converges_over_bandwidth_limited_registry_links(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """At 8 KB/s on every registry link, a change still reaches every node."""
    with faults.link(_all(topology), bandwidth(8)):
        harness_db.register_storage_unit("ds_0")
        harness_db.create_sharding_table_rule()
        assert_converged(
            topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(UNIT, RULE)
        )


def test_node_with_reset_registry_connections_converges_after_heal(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """While one node's registry connections are reset by its peer, the others converge on a
    change; once the resets stop, that node converges too."""
    harness_db.register_storage_unit("ds_0")
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.has(UNIT))
    victim = topology.nodes[-1]
    others = [n.index for n in topology.nodes if n is not victim]
    with faults.link(victim.index, reset_peer(1000)):
        harness_db.create_sharding_table_rule()
        assert_converged(
            topology, databases=[harness_db.name], nodes=others, expect=harness_db.has(RULE)
        )
    assert_converged(topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(RULE))


def test_black_holed_node_misses_change_then_catches_up(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """A node whose registry traffic is silently dropped (no reset, shorter than the session
    timeout) does not show a change, and the checker names it; it catches up after heal."""
    harness_db.register_storage_unit("ds_0")
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.has(UNIT))
    victim = topology.nodes[-1]
    with faults.link(victim.index, black_hole(2000)):
        harness_db.create_sharding_table_rule()
        result = wait_converged(
            topology, databases=[harness_db.name], timeout=3, expect=harness_db.has(RULE)
        )
        assert not result.converged
        assert victim.name in result.diff
    assert_converged(topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(RULE))


def test_slow_client_links_do_not_change_what_nodes_serve(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """Sliced packets and slow closes between the test client and a node delay answers but do
    not change them: the checker still sees every node converge."""
    harness_db.register_storage_unit("ds_0")
    with (
        faults.link(0, slicer(32, 16, 50, link="client")),
        faults.link(1, slow_close(300, link="client")),
    ):
        assert_converged(
            topology, databases=[harness_db.name], timeout=30, expect=harness_db.has(UNIT)
        )


def test_storage_link_down_gives_clear_error_and_no_divergence(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """Registering a storage unit that the node cannot reach fails with an error saying the
    data source could not be opened, and no node (nor the registry) records it."""
    with faults.link(0, cut("storage-0")):
        with pytest.raises(SqlError) as failure:
            harness_db.register_storage_unit("ds_0", node=0)
        # 5.1.0: "... datasource connection ..."; 5.1.1: "Invalid data source `ds_0`, error
        # message is: Communications link failure"; 5.5.2: "Invalid data source `ds_0`, error
        # message is: Check database environment failed."
        assert re.search(
            r"datasource connection|Communications link failure|"
            r"Invalid data source `ds_0`.*Check database environment failed",
            str(failure.value),
        )
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.lacks(UNIT))


def test_startup_with_registry_unreachable_fails_fast_and_clearly(topology: Topology) -> None:
    """A node started while its registry is unreachable gives up by itself (after about
    maxRetries x retryIntervalMilliseconds) with an OperationTimeout error, instead of
    hanging until the harness's own readiness deadline."""
    with pytest.raises(ProvisionError) as failure:
        topology.add_node(links_down=("registry",))
    topology.remove_node(topology.nodes[-1].index)
    message = str(failure.value)
    assert "OperationTimeout" in message
    # The process exited on its own; a hang would end in the harness's "timed out" instead.
    assert "exited while waiting" in message


@pytest.mark.parametrize("registry", REGISTRIES)
def test_registry_outage_and_recovery_loses_nothing(
    registry: str, topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """The registry stops and starts again (shorter than the session timeout): every node still
    serves what was there before, and a change made after recovery reaches every node."""
    harness_db.register_storage_unit("ds_0")
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.has(UNIT))
    with faults.registry_outage():
        pass
    assert_converged(topology, databases=[harness_db.name], timeout=30, expect=harness_db.has(UNIT))
    harness_db.create_sharding_table_rule()
    assert_converged(topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(RULE))
    assert_membership(topology, timeout=30)


@DISTSQL_LOST_IN_OUTAGE
def test_distsql_during_registry_outage_is_refused_or_kept(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """A DistSQL change made while the registry is down either fails, or reaches every node and
    the registry after recovery. It must not be kept by one node only."""
    harness_db.register_storage_unit("ds_0")
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.has(UNIT))
    accepted = True
    with faults.registry_outage():
        try:
            harness_db.create_sharding_table_rule(node=0)
        except SqlError:
            accepted = False
    expect = harness_db.has(RULE) if accepted else harness_db.lacks(RULE)
    assert_converged(topology, databases=[harness_db.name], timeout=AFTER_HEAL, expect=expect)


def _away(faults: Faults, how: str, node: int) -> AbstractContextManager[object]:
    return faults.partition(isolate(node)) if how == "isolated" else faults.paused(node)


@pytest.mark.parametrize("how", ["isolated", "paused"])
@pytest.mark.parametrize("registry", REREGISTRATION)
@pytest.mark.topology(props={"timeToLiveSeconds": SESSION_TTL})
def test_node_away_beyond_ttl_leaves_and_rejoins(
    registry: str, how: str, topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """A node cut from the registry, or frozen, longer than timeToLiveSeconds leaves the online
    compute nodes; back again, it converges on what changed meanwhile and is online again."""
    victim = topology.nodes[-1]
    others = [n.index for n in topology.nodes if n is not victim]
    rejoined = False
    try:
        with _away(faults, how, victim.index):
            assert_membership(topology, expected=others, timeout=SESSION_TTL + 20)
            harness_db.register_storage_unit("ds_0")
        assert_converged(
            topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(UNIT)
        )
        assert_membership(topology, timeout=REJOIN)
        rejoined = True
    finally:
        if not rejoined:
            # A release that never re-registers (known.py): restart it so later tests find it
            # online.
            faults.restart(victim.index)


@pytest.mark.topology(nodes=4)
def test_split_halves_of_four_nodes_then_heal(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    """With the second half of four nodes cut from the registry, a change reaches the first
    half only, and the checker names both cut nodes; after healing all four converge."""
    harness_db.register_storage_unit("ds_0")
    assert_converged(topology, databases=[harness_db.name], expect=harness_db.has(UNIT))
    split = split_halves(_all(topology))
    connected = [i for i in _all(topology) if i not in split.cuts]
    with faults.partition(split):
        harness_db.create_sharding_table_rule(node=connected[0])
        assert_converged(
            topology, databases=[harness_db.name], nodes=connected, expect=harness_db.has(RULE)
        )
        result = wait_converged(
            topology, databases=[harness_db.name], timeout=3, expect=harness_db.has(RULE)
        )
        assert not result.converged
        for i in split.cuts:
            assert topology.node(i).name in result.diff
    assert_converged(topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(RULE))


# On 5.5.2 one restart failed 8 of 10 scenario runs (both registries), up to five failed 14 of
# 14 and then passed once on etcd under load: up to ten tries on ZooKeeper, the first failure
# ends it. On etcd more tries bought no verdict, only time (a try under the alterations takes
# 8-9 s there): three. Both known issues are non-strict (scenarios/known.py says why for
# ZooKeeper). One try on other releases, as every scenario.
GLOBAL_RULE_TRIES = {"zookeeper": 10, "etcd": 3}
PARSE_TREE_CAPACITY = "global/sql_parser/parse_tree_cache/initial_capacity"


# Global rule changes reach 5.1.x etcd peers too: no ETCD_NO_WATCH here.
@pytest.mark.parametrize(
    "registry",
    by_registry(
        {
            "zookeeper": [BOOT_WHILE_GLOBAL_RULE_ALTERED],
            "etcd": [BOOT_WHILE_GLOBAL_RULE_ALTERED_ETCD],
        }
    ),
)
def test_node_restarting_while_a_global_rule_is_altered_boots(
    registry: str, topology: Topology, faults: Faults
) -> None:
    """A rolling restart meets an operator's change: node 1 restarts while a global rule (the
    SQL parser's cache size) is altered through node 0 again and again. It must boot, and
    every node must end on the last value (running nodes do, however fast the alterations).
    Node 1's registry link is 5 ms slower, so its reads at boot span several alterations."""
    tries = GLOBAL_RULE_TRIES[registry] if topology.engine_version in LINE_55 else 1
    with faults.link(1, latency(5)):
        for attempt in range(tries):
            # Each try's values are new, so a node left on an older try's value cannot pass.
            last = _restart_while_altering(topology, 1, first=100_000 * (attempt + 1))
            assert_converged(
                topology,
                databases=[],
                global_rules=True,
                timeout=AFTER_HEAL,
                expect=_parse_tree_capacity_is(last),
            )


def _restart_while_altering(topology: Topology, index: int, first: int) -> int:
    """Restart node ``index`` while node 0 alters the SQL parser rule back to back (capacities
    ``first``, ``first + 1``, ...); the last capacity set. A node that cannot boot is started
    again once the alterations stop (the ProvisionError is the scenario's failure); an ALTER
    that failed is the scenario's failure too."""
    stop = threading.Event()
    applied: list[int] = []

    def alter() -> None:
        with topology.node(0).sql(read_timeout=10) as c:
            while not stop.is_set():
                capacity = first + len(applied)
                c.execute(topology.dialect.alter_sql_parser_rule(capacity))
                applied.append(capacity)

    with ThreadPoolExecutor(max_workers=1) as pool:
        altering = pool.submit(alter)
        try:
            topology.restart_node(index)
        except ProvisionError:
            stop.set()
            wait([altering])
            topology.restart_node(index)  # boots without the alterations; for the next scenario
            raise
        finally:
            stop.set()
        altering.result()
    assert applied, "no alteration went through node 0"
    return applied[-1]


def _parse_tree_capacity_is(capacity: int) -> Callable[[Snapshot], bool]:
    return lambda snapshot: snapshot.as_dict().get(PARSE_TREE_CAPACITY) == str(capacity)
