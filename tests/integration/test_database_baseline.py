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


@pytest.fixture(scope="module")
def cluster(docker_client: Any) -> Iterator[Topology]:
    spec = TopologySpec.create(nodes=3)
    with Topology(spec, client=docker_client, images=resolve_images(docker_client, "local")) as t:
        yield t


def _actions(topology: Topology, since: int) -> list[str]:
    return [str(e.data.get("action")) for e in topology.events[since:] if e.kind == "node"]


def _served_everywhere_with_later_changes(db: LogicalDatabase) -> None:
    db.register_storage_unit("ds_0")
    assert_converged(db.topology, databases=[db.name], expect=db.has("storage_unit/ds_0"))


def test_a_missed_test_database_is_created_again_through_the_node_that_missed_it(
    cluster: Topology,
) -> None:
    slow = cluster.nodes[-1]
    slow.toxiproxy.add_toxic("registry", SLOW)

    def heal_once_missed(event: Event) -> None:
        # The miss is the slow link's doing; the repair runs on a healthy one.
        if event.data.get("action") == "missed create" and slow.toxiproxy.toxics("registry"):
            slow.toxiproxy.remove_toxic("registry", SLOW.name)

    since = len(cluster.events)
    cluster.on_event = heal_once_missed
    try:
        db = LogicalDatabase.create(cluster, "baseline repair")
    finally:
        cluster.on_event = None
        if slow.toxiproxy.toxics("registry"):
            slow.toxiproxy.remove_toxic("registry", SLOW.name)
    assert _actions(cluster, since) == ["missed create"]  # no restart
    _served_everywhere_with_later_changes(db)


def test_a_node_that_misses_its_own_creation_too_is_restarted(cluster: Topology) -> None:
    slow = cluster.nodes[-1]
    since = len(cluster.events)
    slow.toxiproxy.add_toxic("registry", SLOW)
    try:
        db = LogicalDatabase.create(cluster, "baseline restart")
    finally:
        slow.toxiproxy.remove_toxic("registry", SLOW.name)
    assert _actions(cluster, since) == ["missed create", "restarting", "restarted"]
    _served_everywhere_with_later_changes(db)
