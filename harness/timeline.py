"""The timeline's vocabulary: every event a topology records is one of these typed records.

A topology stores each as an ``Event(at, kind, detail, data)``: ``kind`` and ``data`` (the
record's fields plus ``type``, its class name) are what readers use; ``detail`` is the
record's own sentence for people. The live status line, JUnit properties, report.json and the
HTML page read fields, never the sentence (as Jepsen's checkers read ops, not log lines).
``decode`` turns an event back into its record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

__all__ = [
    "Change",
    "ChangeNotServed",
    "Convergence",
    "DatabaseCreated",
    "Event",
    "Failure",
    "Fault",
    "Hygiene",
    "Membership",
    "NodeChange",
    "NodeRestart",
    "Note",
    "PartitionOn",
    "Record",
    "RegistrySeeded",
    "RegistryState",
    "StorageReady",
    "TopologyPhase",
    "Waiting",
    "decode",
    "encode",
]


@dataclass(frozen=True)
class Event:
    """One entry of a topology's timeline: seconds since the topology started, the record's
    kind, its sentence and its fields (``data["type"]`` names the record)."""

    at: float
    kind: str
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """Base of every timeline record: ``KIND`` groups them; ``describe()`` says it, by default
    as ``SAYS`` filled with the record's fields."""

    KIND: ClassVar[str] = ""
    SAYS: ClassVar[str] = ""

    def describe(self) -> str:
        return self.SAYS.format(**dataclasses.asdict(self))


@dataclass(frozen=True)
class TopologyPhase(Record):
    KIND: ClassVar[str] = "topology"
    phase: Literal["starting", "ready", "stopping", "attached", "kept"]
    spec: str = ""
    name: str = ""

    def describe(self) -> str:
        return f"starting {self.spec} as {self.name}" if self.phase == "starting" else self.phase


@dataclass(frozen=True)
class Waiting(Record):
    """Provisioning waits for ``subject`` (``node-2``, ``storage-0``, ``registry``, ...), a
    ``role`` container (``proxy``, ``mariadb``, ``toxiproxy``, ``zookeeper``, ``etcd``)."""

    KIND: ClassVar[str] = "wait"
    SAYS: ClassVar[str] = "waiting for {why}"
    role: str
    subject: str
    why: str


@dataclass(frozen=True)
class RegistryState(Record):
    KIND: ClassVar[str] = "registry"
    registry: str
    state: Literal["ready", "stopped", "started"]

    def describe(self) -> str:
        return {
            "ready": f"{self.registry} ready",
            "stopped": "stopped (outage)",
            "started": "started again",
        }[self.state]


@dataclass(frozen=True)
class RegistrySeeded(Record):
    """The namespace was written from a seed (harness.runtime.seed) before any node booted."""

    KIND: ClassVar[str] = "registry"
    SAYS: ClassVar[str] = "namespace seeded with {keys} keys a first boot wrote ({key})"
    keys: int
    key: str


@dataclass(frozen=True)
class StorageReady(Record):
    KIND: ClassVar[str] = "storage"
    SAYS: ClassVar[str] = "{storage} ready"
    storage: str


# What can happen to a compute node; "all" actions have no node.
NodeAction = Literal[
    "ready",
    "added",
    "removed",
    "restarting",
    "restarted",
    "killed",
    "stopped",
    "started again",
    "paused",
    "resumed",
    "restarting all",
    "all restarted",
    "missed create",
]


@dataclass(frozen=True)
class NodeChange(Record):
    KIND: ClassVar[str] = "node"
    node: str | None
    action: NodeAction
    note: str = ""  # e.g. the signal of a kill, the namespace a node was added in

    def describe(self) -> str:
        if self.node is None:
            return (
                "restarting all nodes"
                if self.action == "restarting all"
                else ("all nodes restarted")
            )
        if self.action == "killed":
            return f"{self.node} killed ({self.note})"
        if self.action == "added" and self.note:
            return f"{self.node} added in namespace {self.note}"
        if self.action == "missed create":
            return f"{self.node} missed CREATE DATABASE {self.note}; creating it through that node"
        return f"{self.node} {self.action}"


@dataclass(frozen=True)
class DatabaseCreated(Record):
    KIND: ClassVar[str] = "test"
    SAYS: ClassVar[str] = "database {database} created for {purpose}"
    database: str
    purpose: str


@dataclass(frozen=True)
class Note(Record):
    """Free text a test adds to its timeline (shown in the report).

    Example: ``topology.record(Note("warming caches"))``.
    """

    KIND: ClassVar[str] = "test"
    SAYS: ClassVar[str] = "{text}"
    text: str


@dataclass(frozen=True)
class Change(Record):
    """A metadata change committed through ``node``."""

    KIND: ClassVar[str] = "change"
    SAYS: ClassVar[str] = "node-{node}: {summary}"
    node: int
    summary: str
    statement: str


@dataclass(frozen=True)
class ChangeNotServed(Record):
    KIND: ClassVar[str] = "change"
    SAYS: ClassVar[str] = "node-{node} does not serve it yet: {what}"
    node: int
    what: str


@dataclass(frozen=True)
class Fault(Record):
    """A fault went ``on`` or ``off``. ``node``, ``link`` and ``fault`` (the toxic, e.g.
    ``latency``, or ``cut``, ``pause``, ``kill``, ``outage``) say what it is; ``what`` names
    it for people; ``fault_id`` pairs its on and off."""

    KIND: ClassVar[str] = "fault"
    SAYS: ClassVar[str] = "{state}: {what}"
    fault_id: int
    state: Literal["on", "off"]
    what: str
    node: str | None = None
    link: str | None = None
    fault: str | None = None


@dataclass(frozen=True)
class PartitionOn(Record):
    KIND: ClassVar[str] = "fault"
    SAYS: ClassVar[str] = "partition: {partition}"
    partition: str


@dataclass(frozen=True)
class NodeRestart(Record):
    """A restart through ``Faults.restart`` (not a lasting fault)."""

    KIND: ClassVar[str] = "fault"
    SAYS: ClassVar[str] = "restart {node}"
    node: str


@dataclass(frozen=True)
class Convergence(Record):
    """One wait's outcome. Per node: ``latency_ms`` (the upper bound of its first-seen
    interval, from the origin), ``after_ms`` (the lower bound); ``first_read`` lists the nodes
    whose first read already showed the final state; ``read_ms`` is the mean round of reads;
    ``origin_lead_ms`` how long before the wait the origin (the change's commit) was."""

    KIND: ClassVar[str] = "convergence"
    converged: bool
    waited_ms: int
    latency_ms: dict[str, int] = field(default_factory=dict)
    after_ms: dict[str, int] = field(default_factory=dict)
    first_read: list[str] = field(default_factory=list)
    read_ms: int = 0
    origin_lead_ms: int = 0

    def describe(self) -> str:
        head = "converged" if self.converged else "NOT converged"
        seen = ", ".join(
            f"{n} ≤ {ms} ms" if n in self.first_read else f"{n} {self.after_ms.get(n, 0)}-{ms} ms"
            for n, ms in self.latency_ms.items()
        )
        tail = f", first seen: {seen}" if seen else ""
        return f"{head} after {self.waited_ms / 1000:.2f}s{tail}"


@dataclass(frozen=True)
class Membership(Record):
    """One membership wait's outcome: the online compute nodes the registry listed last."""

    KIND: ClassVar[str] = "membership"
    converged: bool
    waited_ms: int
    online: list[str] = field(default_factory=list)

    def describe(self) -> str:
        head = "membership matches" if self.converged else "membership does NOT match"
        online = ", ".join(self.online) or "none"
        return f"{head} after {self.waited_ms / 1000:.2f}s: online {online}"


@dataclass(frozen=True)
class Hygiene(Record):
    KIND: ClassVar[str] = "hygiene"
    problems: list[str]

    def describe(self) -> str:
        return "left behind: " + "; ".join(self.problems)


@dataclass(frozen=True)
class Failure(Record):
    KIND: ClassVar[str] = "failure"
    SAYS: ClassVar[str] = "{phase}: {text}"
    phase: str
    text: str


RECORDS: dict[str, type[Record]] = {
    cls.__name__: cls
    for cls in (
        TopologyPhase,
        Waiting,
        RegistryState,
        RegistrySeeded,
        StorageReady,
        NodeChange,
        DatabaseCreated,
        Note,
        Change,
        ChangeNotServed,
        Fault,
        PartitionOn,
        NodeRestart,
        Convergence,
        Hygiene,
        Membership,
        Failure,
    )
}


def encode(record: Record, at: float) -> Event:
    """The event that stores ``record`` at ``at`` seconds."""
    data = {"type": type(record).__name__, **dataclasses.asdict(record)}
    return Event(at, record.KIND, record.describe(), data)


def decode(event: Event | dict[str, Any]) -> Record | None:
    """The record an event stores (an Event or its report.json dict); None for an event
    written by something else."""
    data = event.data if isinstance(event, Event) else (event.get("data") or {})
    cls = RECORDS.get(str(data.get("type", "")))
    if cls is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
