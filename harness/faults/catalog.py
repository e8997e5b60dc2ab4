"""The fault catalog as data: link faults (Toxiproxy toxics, or the link taken down) and
partitions, validated when built so a bad fault fails before anything is touched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from harness.clients.toxiproxy import Stream, Toxic
from harness.errors import SpecError
from harness.runtime.wiring import LINK_NAMES, LINK_PATTERN

__all__ = [
    "DIRECTIONS",
    "TOXIC_KINDS",
    "LinkFault",
    "Partition",
    "bandwidth",
    "black_hole",
    "cut",
    "isolate",
    "latency",
    "limit_data",
    "reset_peer",
    "slicer",
    "slow_close",
    "split_halves",
]

Direction = Literal["upstream", "downstream", "both"]
DIRECTIONS: tuple[Direction, ...] = ("upstream", "downstream", "both")

# Toxiproxy v2 toxic types and their attributes with defaults (see Toxiproxy's README):
# latency/jitter ms, rate KB/s, delay ms (slicer: µs), timeout ms, bytes.
TOXIC_KINDS: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {
        "latency": {"latency": 500, "jitter": 0},
        "bandwidth": {"rate": 64},
        "slow_close": {"delay": 1000},
        "timeout": {"timeout": 0},
        "reset_peer": {"timeout": 0},
        "slicer": {"average_size": 64, "size_variation": 32, "delay": 10},
        "limit_data": {"bytes": 4096},
    }
)
DOWN = "down"
KINDS = (*TOXIC_KINDS, DOWN)


@dataclass(frozen=True)
class LinkFault:
    """One fault on one of a node's links: a toxic of ``kind`` (or ``down``) in
    ``direction``, with Toxiproxy ``attributes`` (defaults filled in). Made by the catalog's
    factories, not by hand.

    Example: ``faults.link(0, latency(500))`` where ``latency(500)`` is a LinkFault.
    """

    kind: str
    link: str = "registry"
    direction: Direction = "both"
    attributes: Mapping[str, int] = field(default_factory=dict)
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(
                "fault kind", self.kind, ", ".join(KINDS), "use one of the catalog's kinds"
            )
        if not LINK_PATTERN.match(self.link):
            raise SpecError("fault link", self.link, LINK_NAMES, "name a link every node has")
        if self.direction not in DIRECTIONS:
            raise SpecError(
                "fault direction", self.direction, ", ".join(DIRECTIONS), "pick a direction"
            )
        if not 0.0 <= self.toxicity <= 1.0:
            raise SpecError("fault toxicity", self.toxicity, "0.0 to 1.0", "give a probability")
        known = TOXIC_KINDS.get(self.kind, {})
        unknown = sorted(set(self.attributes) - set(known))
        if unknown:
            raise SpecError(
                f"{self.kind} attribute",
                unknown[0],
                ", ".join(known) or "none",
                f"drop it; {self.kind} takes only those",
            )
        for name, value in self.attributes.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SpecError(
                    f"{self.kind} {name}", value, "an integer >= 0", "give a non-negative int"
                )
        object.__setattr__(self, "attributes", MappingProxyType({**known, **dict(self.attributes)}))

    @property
    def streams(self) -> tuple[Stream, ...]:
        """Toxiproxy's streams this fault acts on (``both`` is upstream and downstream)."""
        if self.direction == "both":
            return ("upstream", "downstream")
        return (self.direction,)

    def toxics(self, prefix: str) -> list[Toxic]:
        """The Toxiproxy toxics this fault becomes (none for ``down``)."""
        if self.kind == DOWN:
            return []
        return [
            Toxic(
                f"{prefix}-{self.kind}-{stream}",
                self.kind,
                stream,
                self.toxicity,
                dict(self.attributes),
            )
            for stream in self.streams
        ]

    def describe(self) -> str:
        """Short form for the timeline: ``latency(latency=500,jitter=0) on registry [both]``."""
        attrs = ",".join(f"{k}={v}" for k, v in self.attributes.items())
        return f"{self.kind}({attrs}) on {self.link} [{self.direction}]"


def latency(
    ms: int, jitter: int = 0, *, link: str = "registry", direction: Direction = "both"
) -> LinkFault:
    """Delay every chunk of data by ``ms`` milliseconds, give or take ``jitter`` ms.

    ``link`` is ``"registry"``, ``"client"`` or ``"storage-<j>"``; ``direction`` is
    ``"upstream"`` (towards the server), ``"downstream"`` or ``"both"``.
    Example: ``faults.link(0, latency(500, jitter=100))``.
    """
    return LinkFault("latency", link, direction, {"latency": ms, "jitter": jitter})


def bandwidth(kb_per_s: int, *, link: str = "registry", direction: Direction = "both") -> LinkFault:
    """Limit the link to ``kb_per_s`` kilobytes per second.

    Example: ``faults.link([0, 1], bandwidth(8))``.
    """
    return LinkFault("bandwidth", link, direction, {"rate": kb_per_s})


def slow_close(ms: int, *, link: str = "registry", direction: Direction = "both") -> LinkFault:
    """Delay closing a connection by ``ms`` milliseconds once either side closes it.

    Example: ``faults.link(0, slow_close(2000))``.
    """
    return LinkFault("slow_close", link, direction, {"delay": ms})


def black_hole(ms: int = 0, *, link: str = "registry", direction: Direction = "both") -> LinkFault:
    """Drop all data; with ``ms`` > 0 the connection is closed after ``ms`` milliseconds,
    with 0 it stays open and silent.

    Example: ``faults.link(2, black_hole())``.
    """
    return LinkFault("timeout", link, direction, {"timeout": ms})


def reset_peer(ms: int = 0, *, link: str = "registry", direction: Direction = "both") -> LinkFault:
    """Reset connections (TCP RST) after ``ms`` milliseconds (0: at once).

    Example: ``faults.link(1, reset_peer(100))``.
    """
    return LinkFault("reset_peer", link, direction, {"timeout": ms})


def slicer(
    average_size: int = 64,
    size_variation: int = 32,
    delay_us: int = 10,
    *,
    link: str = "registry",
    direction: Direction = "both",
) -> LinkFault:
    """Cut data into pieces of ``average_size`` bytes (give or take ``size_variation``
    bytes), ``delay_us`` microseconds apart.

    Example: ``faults.link(0, slicer(16, 8, 100))``.
    """
    return LinkFault(
        "slicer",
        link,
        direction,
        {"average_size": average_size, "size_variation": size_variation, "delay": delay_us},
    )


def limit_data(n_bytes: int, *, link: str = "registry", direction: Direction = "both") -> LinkFault:
    """Close each connection once ``n_bytes`` bytes have passed.

    Example: ``faults.link(0, limit_data(4096, link="storage-0"))``.
    """
    return LinkFault("limit_data", link, direction, {"bytes": n_bytes})


def cut(link: str = "registry") -> LinkFault:
    """The link refuses connections and drops the ones open (Toxiproxy's proxy disabled).

    Example: ``faults.link(2, cut())``, or ``cut("storage-0")``.
    """
    return LinkFault(DOWN, link)


@dataclass(frozen=True)
class Partition:
    """Which links of which nodes go down together. Compute nodes talk to each other only
    through the registry, so a partition is a set of nodes cut from it (or from storage).

    Example: ``with faults.partition(split_halves([0, 1, 2, 3])): ...``.
    """

    name: str
    cuts: Mapping[int, tuple[str, ...]]

    def __post_init__(self) -> None:
        if not self.cuts:
            raise SpecError("partition", self.name, "at least one node cut", "name a node")
        for node, links in self.cuts.items():
            if node < 0:
                raise SpecError("partition node", node, "a node index >= 0", "use a node index")
            for link in links:
                if not LINK_PATTERN.match(link):
                    raise SpecError(
                        "partition link", link, LINK_NAMES, "name a link every node has"
                    )


def isolate(node: int, links: Sequence[str] = ("registry",)) -> Partition:
    """One node cut from the registry (by default) while the others stay connected.

    Example: ``with faults.partition(isolate(2)): ...``.
    """
    return Partition(f"isolate node-{node}", {node: tuple(links)})


def split_halves(nodes: Sequence[int]) -> Partition:
    """The second half of ``nodes`` loses the registry; the first half keeps it.

    Example: ``faults.partition(split_halves([0, 1, 2, 3]))`` cuts nodes 2 and 3.
    """
    if len(nodes) < 2:
        raise SpecError("split nodes", list(nodes), "two or more node indexes", "add nodes")
    cut = list(nodes)[len(nodes) // 2 :]
    return Partition(
        f"split {list(nodes)[: len(nodes) // 2]} | {cut}", {n: ("registry",) for n in cut}
    )
