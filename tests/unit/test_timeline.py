"""The timeline's records: encoded as events with their fields, decoded back, each saying the
sentence the timeline has always shown."""

from __future__ import annotations

import dataclasses

import pytest

from harness.timeline import (
    RECORDS,
    Change,
    ChangeNotServed,
    Convergence,
    DatabaseCreated,
    Failure,
    Fault,
    Hygiene,
    Membership,
    NodeChange,
    NodeRestart,
    Note,
    PartitionOn,
    Record,
    RegistrySeeded,
    RegistryState,
    StorageReady,
    TopologyPhase,
    Waiting,
    decode,
    encode,
)

SAID: list[tuple[Record, str, str]] = [
    (
        TopologyPhase("starting", "cluster/zookeeper x3", "h-1"),
        "topology",
        "starting cluster/zookeeper x3 as h-1",
    ),
    (TopologyPhase("ready"), "topology", "ready"),
    (
        Waiting("proxy", "node-2", "proxy node-2 to answer SQL"),
        "wait",
        "waiting for proxy node-2 to answer SQL",
    ),
    (RegistryState("etcd", "ready"), "registry", "etcd ready"),
    (RegistryState("etcd", "stopped"), "registry", "stopped (outage)"),
    (RegistryState("etcd", "started"), "registry", "started again"),
    (StorageReady("storage-0"), "storage", "storage-0 ready"),
    (NodeChange("node-1", "paused"), "node", "node-1 paused"),
    (NodeChange("node-1", "killed", "SIGKILL"), "node", "node-1 killed (SIGKILL)"),
    (NodeChange("node-3", "added", "other"), "node", "node-3 added in namespace other"),
    (NodeChange(None, "restarting all"), "node", "restarting all nodes"),
    (NodeChange(None, "all restarted"), "node", "all nodes restarted"),
    (
        NodeChange("node-2", "missed create", "t_1"),
        "node",
        "node-2 missed CREATE DATABASE t_1; creating it through that node",
    ),
    (DatabaseCreated("t_1", "test_x"), "test", "database t_1 created for test_x"),
    (Note("warming caches"), "test", "warming caches"),
    (
        Change(0, "register storage unit ds_0", "REGISTER ..."),
        "change",
        "node-0: register storage unit ds_0",
    ),
    (
        ChangeNotServed(1, "storage unit ds_0"),
        "change",
        "node-1 does not serve it yet: storage unit ds_0",
    ),
    (
        Fault(3, "on", "node-2 down() on registry [both]", "node-2", "registry", "cut"),
        "fault",
        "on: node-2 down() on registry [both]",
    ),
    (PartitionOn("isolate node-2"), "fault", "partition: isolate node-2"),
    (NodeRestart("node-1"), "fault", "restart node-1"),
    (
        Convergence(
            True,
            1200,
            {"node-0": 40, "node-1": 900},
            {"node-0": 0, "node-1": 800},
            ["node-0"],
            40,
            100,
        ),
        "convergence",
        "converged after 1.20s, first seen: node-0 ≤ 40 ms, node-1 800-900 ms",
    ),
    (Convergence(False, 3000), "convergence", "NOT converged after 3.00s"),
    (
        RegistrySeeded(630, "abc"),
        "registry",
        "namespace seeded with 630 keys a first boot wrote (abc)",
    ),
    (
        Membership(True, 1200, ["a", "b"]),
        "membership",
        "membership matches after 1.20s: online a, b",
    ),
    (Membership(False, 30000), "membership", "membership does NOT match after 30.00s: online none"),
    (
        Hygiene(["node-0: link registry is down", "x"]),
        "hygiene",
        "left behind: node-0: link registry is down; x",
    ),
    (Failure("call", "AssertionError"), "failure", "call: AssertionError"),
]


@pytest.mark.parametrize(("record", "kind", "said"), SAID)
def test_each_record_is_an_event_with_its_fields(record: Record, kind: str, said: str) -> None:
    event = encode(record, 1.5)
    assert event.at == 1.5
    assert event.kind == kind
    assert event.detail == said
    assert event.data["type"] == type(record).__name__
    assert decode(event) == record
    assert decode(dataclasses.asdict(event)) == record  # as report.json stores it


def test_every_record_kind_is_covered() -> None:
    assert {type(r).__name__ for r, _, _ in SAID} == set(RECORDS)


def test_foreign_events_decode_to_nothing() -> None:
    assert decode({"at": 0, "kind": "x", "detail": "y", "data": {}}) is None
