"""A test database that a peer missed (5.5.2 on ZooKeeper loses a run-time CREATE DATABASE on
a node slower to the registry than its peers, deterministically at 50 ms) is repaired before
the test starts: by the same CREATE DATABASE through that node, or, where that node misses
even its own announcement (it is still slow), by restarting it. Either way every node serves
the database and hears its later changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.clients.toxiproxy import Toxic
from harness.convergence.api import assert_converged
from harness.logical_database import LogicalDatabase
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec
from harness.timeline import Event

SLOW = Toxic("slow", "latency", "downstream", 1.0, {"latency": 50})


# The first creation on a fresh cluster reached the slow node in 2 of 3 tries (its peers are
# slower while cold); later ones missed it every time. A few tries, then the test fails.
TRIES = 4


@pytest.fixture(scope="module")
def cluster(docker_client: Any) -> Iterator[Topology]:
    spec = TopologySpec.create(nodes=3)
    with Topology(spec, client=docker_client, images=resolve_images(docker_client, "local")) as t:
        LogicalDatabase.create(t, "warm-up")
        yield t


def _actions(topology: Topology, since: int) -> list[tuple[str, str]]:
    return [
        (str(e.data.get("node")), str(e.data.get("action")))
        for e in topology.events[since:]
        if e.kind == "node"
    ]


def _served_everywhere_with_later_changes(db: LogicalDatabase) -> None:
    db.register_storage_unit("ds_0")
    assert_converged(db.topology, databases=[db.name], expect=db.has("storage_unit/ds_0"))


def _created_while_slow(cluster: Topology, *, heal_when_missed: bool) -> LogicalDatabase:
    """A test database created while the last node's registry link is 50 ms slow, until that
    node misses one (``TRIES``); with ``heal_when_missed`` the delay goes once the miss is
    seen, before the repair."""
    slow = cluster.nodes[-1]

    def heal_once_missed(event: Event) -> None:
        missed = event.data.get("action") == "missed create" and event.data.get("node") == slow.name
        if heal_when_missed and missed and slow.toxiproxy.toxics("registry"):
            slow.toxiproxy.remove_toxic("registry", SLOW.name)

    for _ in range(TRIES):
        since = len(cluster.events)
        slow.toxiproxy.add_toxic("registry", SLOW)
        cluster.on_event = heal_once_missed
        try:
            db = LogicalDatabase.create(cluster, "slow node")
        finally:
            cluster.on_event = None
            if slow.toxiproxy.toxics("registry"):
                slow.toxiproxy.remove_toxic("registry", SLOW.name)
        if (slow.name, "missed create") in _actions(cluster, since):
            return db
    pytest.fail(f"{slow.name} did not miss any of {TRIES} creations: the race was not met")


def test_a_missed_test_database_is_created_again_through_the_node_that_missed_it(
    cluster: Topology,
) -> None:
    since = len(cluster.events)
    db = _created_while_slow(cluster, heal_when_missed=True)
    # No restart; another node may miss it too by chance (the race), repaired the same way.
    assert {action for _, action in _actions(cluster, since)} == {"missed create"}
    _served_everywhere_with_later_changes(db)


def test_a_node_that_misses_its_own_creation_too_is_restarted(cluster: Topology) -> None:
    slow = cluster.nodes[-1]
    since = len(cluster.events)
    db = _created_while_slow(cluster, heal_when_missed=False)
    actions = _actions(cluster, since)
    assert actions.index((slow.name, "missed create")) < actions.index((slow.name, "restarting"))
    assert (slow.name, "restarted") in actions
    _served_everywhere_with_later_changes(db)
