"""Foundation scenario and its twin: a DistSQL change through one node reaches every node,
and the check demonstrably fails for a node cut from the registry during the change."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import (
    ConvergenceTimeout,
    Faults,
    LogicalDatabase,
    Snapshot,
    SqlError,
    Topology,
    assert_converged,
    create_again,
    latency,
    node_snapshot,
    registry_cut,
    wait_converged,
)
from scenarios.bounds import AFTER_HEAL
from scenarios.known import (
    CONCURRENT_CREATE_511,
    CONFIG_MISSED_SLOW_PEER_51,
    CREATE_DATABASE_RACE,
    CREATE_DATABASE_RACE_BY_CHANCE,
    CREATED_WHILE_CUT,
    DISTSQL_LOST_IN_OUTAGE,
    DROPPED_AFTER_RECONNECT,
    DROPPED_WHILE_CUT,
    ETCD_NO_WATCH,
    LINE_51,
    RACY_REPLAY_ORDER,
    by_registry,
    known,
)

# ZooKeeper whatever --harness-registry says, unless a scenario is parametrised by registry:
# both registries are covered by the REGISTRIES-parametrised scenarios elsewhere.
pytestmark = [pytest.mark.cluster, pytest.mark.topology(registry="zookeeper")]


CHANGE = ("storage_unit/ds_0", "sharding_table_rule/t_order")


def _change(db: LogicalDatabase) -> None:
    db.register_storage_unit("ds_0", storage=0, node=0)
    db.create_sharding_table_rule(node=0)


# Creations through every node at once, where 5.5.2 on ZooKeeper loses a node's copy now and
# then (a node slower than the first to handle the announcement misses it); its deterministic
# form slows one peer's registry link. A clean round takes about a second.
ROUNDS = 10
PER_NODE = 3


def _exists(names: list[str]) -> Callable[[Snapshot], bool]:
    return lambda s: all(s.serves(n) for n in names)


def _gone(names: list[str]) -> Callable[[Snapshot], bool]:
    return lambda s: not any(s.serves(n) for n in names)


def _create(topology: Topology, node: int, names: list[str]) -> None:
    with topology.nodes[node].sql() as c:
        for name in names:
            c.execute(topology.dialect.create_database(name))


@pytest.mark.parametrize(
    "registry",
    by_registry(
        {
            "zookeeper": [CREATE_DATABASE_RACE_BY_CHANCE, CONCURRENT_CREATE_511],
            "etcd": [known(ETCD_NO_WATCH, LINE_51), CONCURRENT_CREATE_511],
        }
    ),
)
# A topology of its own: a release that breaks here must not break the next scenario's.
@pytest.mark.topology(namespace="create_race")
def test_databases_created_through_every_node_reach_every_node(
    registry: str, topology: Topology
) -> None:
    """Logical databases created at run time through every node at once are served by every
    node, every time (the harness_db fixture repairs a miss, so this scenario makes its own)."""
    for attempt in range(ROUNDS):
        names = {
            n.index: [f"c{attempt}_{n.index}_{k}_{secrets.token_hex(2)}" for k in range(PER_NODE)]
            for n in topology.nodes
        }
        every = [name for group in names.values() for name in group]
        try:
            with ThreadPoolExecutor(max_workers=len(names)) as pool:
                for done in [pool.submit(_create, topology, i, g) for i, g in names.items()]:
                    done.result()
            assert_converged(
                topology, databases=every, timeout=10, stable=0.1, expect=_exists(every)
            )
        finally:
            # Through every node: one that missed a creation cannot drop it (IF EXISTS finds
            # nothing), and a database only its creator serves would be left behind.
            for node in topology.nodes:
                with node.sql() as c:
                    for name in every:
                        c.execute(topology.dialect.drop_database(name))
            # Dropped: a node the race keeps them on is the engine's doing, not this test's.
            topology.dropped_databases.update(every)


# The first creation on a freshly started cluster reached the slow node in 2 of 3 tries (its
# peers are slower while cold); later ones never did on 5.5.2. Each of three must reach it.
SLOW_NODE_TRIES = 3


@CREATE_DATABASE_RACE
@pytest.mark.parametrize("through", ["peer", "slow_node"])
def test_database_created_while_a_peer_is_slow_reaches_it(through: str, topology: Topology) -> None:
    """A database created while the last node's registry link is 50 ms slow, through node 0
    or through the slow node itself, is served by every node (a slow node is late, never left
    out, and serves what it created itself): ``SLOW_NODE_TRIES`` creations, each checked."""
    slow = topology.nodes[-1]
    names: list[str] = []
    try:
        with Faults.of(topology).link(slow.index, latency(50)):
            for _ in range(SLOW_NODE_TRIES):
                names.append(f"slow_{secrets.token_hex(3)}")
                _create(topology, slow.index if through == "slow_node" else 0, names[-1:])
                assert_converged(
                    topology, databases=names[-1:], timeout=10, expect=_exists(names[-1:])
                )
    finally:
        with topology.nodes[0].sql() as c:
            for name in names:
                c.execute(topology.dialect.drop_database(name))
        # A node the race keeps one on: the engine's doing.
        topology.dropped_databases.update(names)


# The slowness of a peer's link that chaos runs give it (5.1.x then missed both changes in 9
# of 9 tries); 50 ms is enough for 5.5.2's CREATE DATABASE race.
SLOW_PEER_MS = 300


@CREATE_DATABASE_RACE
@CONFIG_MISSED_SLOW_PEER_51
def test_database_configured_at_once_reaches_a_slow_peer(topology: Topology) -> None:
    """A database created through node 0 and given a storage unit and a sharding rule as soon
    as node 0 serves it (as a set-up script does), while the last node's registry link is
    slow, is served with both by every node once the link is fast again (found by a chaos
    run on 5.1.1: a peer cut at the creation missed them; slowness is enough)."""
    slow = topology.nodes[-1]
    db: LogicalDatabase | None = None
    try:
        # The link heals only after both changes, as in the chaos schedule.
        with Faults.of(topology).link(slow.index, latency(SLOW_PEER_MS)):
            db = LogicalDatabase.create(topology, "configured at once", everywhere=False)
            _change(db)
        assert_converged(topology, databases=[db.name], timeout=AFTER_HEAL, expect=db.has(*CHANGE))
    finally:
        if db is not None:
            db.drop()


def test_change_through_one_node_reaches_every_node(
    topology: Topology, harness_db: LogicalDatabase
) -> None:
    """Every node shows the storage unit and the sharding rule created through node 0."""
    _change(harness_db)
    result = assert_converged(
        topology, databases=[harness_db.name], timeout=30, expect=harness_db.has(*CHANGE)
    )
    assert set(result.latency) == {n.name for n in topology.nodes}
    final = result.snapshot.as_dict()
    assert final[f"database/{harness_db.name}/storage_unit/ds_0/db"] == harness_db.physical
    assert (
        final[
            f"database/{harness_db.name}/sharding_table_rule/t_order/table_sharding_algorithm_type"
        ]
        == "hash_mod"
    )


def test_node_cut_from_registry_misses_change_until_healed(
    topology: Topology, harness_db: LogicalDatabase
) -> None:
    """A node whose registry link is cut during the change does not show it (and the checker
    says so, naming that node), and shows it once the link heals."""
    cut = topology.nodes[-1]
    healthy = [n.index for n in topology.nodes if n is not cut]
    harness_db.register_storage_unit("ds_0", storage=0, node=0)
    assert_converged(
        topology,
        databases=[harness_db.name],
        timeout=30,
        expect=lambda s: s.has(f"database/{harness_db.name}/storage_unit/ds_0"),
    )
    with registry_cut(topology, cut.index):
        harness_db.create_sharding_table_rule(node=0)
        assert_converged(
            topology,
            databases=[harness_db.name],
            nodes=healthy,
            timeout=30,
            expect=harness_db.has(*CHANGE),
        )
        assert not harness_db.has(*CHANGE)(node_snapshot(topology, cut.index, [harness_db.name]))
        with pytest.raises(ConvergenceTimeout) as failure:
            assert_converged(topology, databases=[harness_db.name], timeout=2)
        message = str(failure.value)
        assert cut.name in message
        assert f"database/{harness_db.name}/sharding_table_rule/t_order" in message
    result = wait_converged(
        topology, databases=[harness_db.name], timeout=60, expect=harness_db.has(*CHANGE)
    )
    assert result.converged, result.explain()


# Found by a chaos run on 5.5.2 (seed 1): the 7-step schedule it shrank to holds this core.
# ZooKeeper only (the module's registry): on etcd 5.5.2 it passed 3 runs and failed 1, cause
# not yet known, so an etcd cell would be a coin toss, not a verdict.
@CREATED_WHILE_CUT
def test_node_cut_during_create_database_serves_it_after_heal(topology: Topology) -> None:
    """A database created while a node is cut from the registry reaches that node once the
    link heals (the registry has it; the node must catch up, as it does for other changes)."""
    cut = topology.nodes[-1]
    peers = [n.index for n in topology.nodes if n is not cut]
    name = f"cut_{secrets.token_hex(3)}"
    try:
        with registry_cut(topology, cut.index):
            _create(topology, 0, [name])
            # A connected peer the CREATE DATABASE race (another known issue) left without it
            # gets it by the same CREATE through itself, as harness does for test databases:
            # that race must not fail this scenario in place of the cut node's catching up.
            seen = wait_converged(
                topology, databases=[name], nodes=peers, timeout=2, expect=_exists([name])
            )
            if not seen.converged:
                create_again(topology, name, peers)
            assert_converged(
                topology, databases=[name], nodes=peers, timeout=30, expect=_exists([name])
            )
        assert_converged(topology, databases=[name], timeout=AFTER_HEAL, expect=_exists([name]))
    finally:
        # Declared, so a peer that misses this drop (5.5.2's drop race) is not the test's
        # leftover (a suite run warned so once).
        topology.dropped_databases.add(name)
        with topology.nodes[0].sql() as c:
            c.execute(topology.dialect.drop_database(name))
        # A release that never catches up keeps the database on the cut node only.
        with cut.sql() as c:
            c.execute(topology.dialect.drop_database(name))


# Found by a chaos run on 5.5.2 (seed 1): an acknowledged DROP DATABASE that did nothing.
@DROPPED_WHILE_CUT
@DISTSQL_LOST_IN_OUTAGE
@pytest.mark.topology(namespace="drop_cut")
def test_drop_database_through_node_cut_from_registry_is_refused_or_done(
    topology: Topology,
) -> None:
    """``DROP DATABASE`` through a node cut from the registry either fails, or the database is
    gone from every node once the link heals. It must not answer OK and leave it anywhere."""
    cut = topology.nodes[-1]
    # Served by every node before the fault: a creation the CREATE DATABASE race loses is
    # repaired here, so the race cannot fail this scenario in place of the drop.
    db = LogicalDatabase.create(topology, "drop through a cut node")
    accepted = True
    try:
        with registry_cut(topology, cut.index):
            try:
                with cut.sql() as c:
                    c.execute(topology.dialect.drop_database(db.name, if_exists=False))
            except SqlError:
                accepted = False
        expect = _gone([db.name]) if accepted else _exists([db.name])
        assert_converged(topology, databases=[db.name], timeout=AFTER_HEAL, expect=expect)
    finally:
        db.drop()
        # A release with this behaviour keeps the database on the node that dropped it.
        with cut.sql() as c:
            c.execute(topology.dialect.drop_database(db.name))


# Found by a chaos run on 5.5.2 (seed 1): after a registry outage or a cut healed, an
# acknowledged DROP DATABASE through the reconnected node left the database on that node.
# Three tries: 9 of 9 such drops failed on 5.5.2 when measured, so one clean try is not a fix.
RECONNECT_TRIES = 3


@DROPPED_AFTER_RECONNECT
@pytest.mark.topology(namespace="drop_reconnect")
def test_drop_database_through_node_just_reconnected_drops_it_there_too(
    topology: Topology,
) -> None:
    """DROP DATABASE through a node whose registry link has just healed takes the database
    off every node, that node included."""
    node = topology.nodes[-1]
    for attempt in range(RECONNECT_TRIES):
        # Served by every node before the fault (a creation the CREATE DATABASE race loses
        # is repaired here, so it cannot stand in for this behaviour).
        db = LogicalDatabase.create(topology, f"drop after reconnect {attempt}")
        try:
            with registry_cut(topology, node.index):
                pass  # the cut closes the node's registry connections; it reconnects at once
            with node.sql() as c:
                c.execute(topology.dialect.drop_database(db.name, if_exists=False))
            assert_converged(
                topology, databases=[db.name], timeout=AFTER_HEAL, expect=_gone([db.name])
            )
        finally:
            db.drop()
            # A release with this behaviour keeps the database on the node that dropped it.
            with node.sql() as c:
                c.execute(topology.dialect.drop_database(db.name))


# 5.1.x loses the rule after the heal at a rate that varies: 16 of 31 tries on fresh
# topologies (random names), 2 of 9 in suite runs. So there one clean try is no verdict: twelve
# clean tries in a row pass (3% at 1 in 4), and the first that does not converge ends the
# scenario. Elsewhere one try, as in every scenario (a try takes about 6.5 s on 5.5.2, whose
# storage-unit DistSQL alone takes 3 s). Slowing the node's storage link at the heal does not
# force it: the node then serves nothing of the database for 90 s on 5.5.2 as well.
REPLAY_TRIES = 12


@RACY_REPLAY_ORDER
def test_node_cut_during_two_changes_applies_both_after_heal(topology: Topology) -> None:
    """Both changes made while a node was cut (a storage unit, then a sharding rule that
    uses it) reach it once its registry link heals, whatever order it replays them in."""
    cut = topology.nodes[-1]
    tries = REPLAY_TRIES if topology.engine_version in LINE_51 else 1
    for attempt in range(tries):
        db = LogicalDatabase.create(topology, f"two changes while cut {attempt}")
        try:
            with registry_cut(topology, cut.index):
                _change(db)
                assert_converged(
                    topology,
                    databases=[db.name],
                    nodes=[n.index for n in topology.nodes if n is not cut],
                    timeout=30,
                    expect=db.has(*CHANGE),
                )
            assert_converged(
                topology, databases=[db.name], timeout=AFTER_HEAL, expect=db.has(*CHANGE)
            )
        finally:
            db.drop()
