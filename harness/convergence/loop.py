"""Waiting for convergence: every node's snapshot equal, and staying so for a stable window.

Pure logic over a snapshot reader and an injected clock, so it is unit-tested without Docker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from harness.convergence.diff import render_diff
from harness.convergence.snapshot import Snapshot
from harness.errors import ConvergenceTimeout
from harness.waiting import SYSTEM_CLOCK, Clock

__all__ = ["ConvergenceResult", "FirstSeen", "converge"]

SnapshotReader = Callable[[], Sequence[Snapshot]]
ReferenceReader = Callable[[], Snapshot]
Expectation = Callable[[Snapshot], bool]


@dataclass(frozen=True)
class FirstSeen:
    """When a node first showed its final state, as the interval the reads allow: after
    ``after`` (the start of the read before, which did not show it) and by ``by`` (the end of
    the read that did), in seconds from the origin (the change's commit, else the wait's
    start). ``at_first_read``: the first read already showed it, so only ``by`` is known."""

    after: float
    by: float
    at_first_read: bool

    def describe(self) -> str:
        """``≤ 12 ms`` when the first read saw it, else ``340-410 ms``."""
        if self.at_first_read:
            return f"≤ {self.by * 1000:.0f} ms"
        return f"{self.after * 1000:.0f}-{self.by * 1000:.0f} ms"


@dataclass(frozen=True)
class ConvergenceResult:
    """Outcome of one wait. ``latency`` is each node's upper bound (``first_seen[n].by``):
    seconds from the origin (the change's commit when known, else the wait's start) to the
    end of the read that first showed the node's final state. ``read_cost`` is the mean
    seconds one round of reads took: the resolution of every figure here.

    Example: ``r = wait_converged(topology); assert r.converged, r.explain()``.
    """

    converged: bool
    waited: float
    rounds: int
    latency: dict[str, float]
    snapshots: tuple[Snapshot, ...]
    diff: str = ""
    last_change: str = ""
    expectation_met: bool = True
    history: list[tuple[float, str, str]] = field(default_factory=list)
    registry: Snapshot | None = None
    first_seen: dict[str, FirstSeen] = field(default_factory=dict)
    read_cost: float = 0.0
    # Seconds from the origin to the wait's start (0 when the wait is the origin).
    origin_lead: float = 0.0

    @property
    def snapshot(self) -> Snapshot:
        """The first node's final snapshot (all nodes' when converged)."""
        return self.snapshots[0]

    def explain(self) -> str:
        """One line when converged; otherwise the per-key diff of every node and the registry."""
        nodes = ", ".join(s.source for s in self.snapshots)
        if self.converged:
            per_node = ", ".join(f"{k} {v.describe()}" for k, v in sorted(self.first_seen.items()))
            return (
                f"nodes converged after {self.waited:.2f}s ({self.rounds} rounds of "
                f"{self.read_cost * 1000:.0f} ms; first seen: {per_node})"
            )
        head = (
            f"nodes did not converge within {self.waited:.2f}s ({self.rounds} rounds; "
            f"nodes: {nodes})"
        )
        if not self.expectation_met:
            head += "; the nodes agree but the expected change is not there"
        return f"{head}\nlast change seen: {self.last_change or 'none'}\n{self.diff}"


BACKOFF = 0.2  # a lasting wait's pause, as a share of the time since the last change


def _pause(interval: float, max_interval: float | None, quiet: float) -> float:
    if max_interval is None:
        return interval
    return max(interval, min(max_interval, BACKOFF * quiet))


def converge(
    read: SnapshotReader,
    *,
    timeout: float,
    stable: float = 0.3,
    interval: float = 0.05,
    expect: Expectation | None = None,
    reference: ReferenceReader | None = None,
    comparable: Callable[[str], bool] = lambda _k: True,
    sleep: Callable[[float], None] | None = None,
    clock: Clock = SYSTEM_CLOCK,
    origin: float | None = None,
    max_interval: float | None = None,
) -> ConvergenceResult:
    """Poll ``read`` until all snapshots are equal, agree with ``reference`` (the registry) on
    the ``comparable`` keys, and satisfy ``expect``, for ``stable`` seconds.

    Rounds are ``interval`` apart while something changes; once nothing has for a while the
    pause grows to a fifth of the time since the last change, up to ``max_interval`` (None:
    no growth). A wait that lasts (a node that will not converge) then reads a few times a
    second, not twenty: each round is a query per node and database, which costs the nodes
    CPU that the other tests on the machine need. A late change is seen within a fifth of
    its lateness (the reported intervals say how precisely).

    ``sleep`` waits between rounds (default: the clock's); a registry watch passes one that
    returns early when the registry changes. ``origin`` (a ``clock`` time, e.g. the change's
    commit) is what latencies count from; default: this call.
    """
    pause = sleep or clock.sleep
    start = clock.now()
    base = origin if origin is not None else start
    # Every round's reads: (started, finished), seconds from the origin.
    reads: list[tuple[float, float]] = []
    seen_in: dict[str, int] = {}  # the round that first showed each source's current state
    previous: dict[str, tuple[tuple[str, str], ...] | str] = {}
    history: list[tuple[float, str, str]] = []
    stable_since: float | None = None
    agreed: tuple[tuple[str, str], ...] | None = None
    rounds = 0
    last_change = ""
    changed_at = 0.0  # seconds from the start of the last change any source showed
    while True:
        began = clock.now()
        snaps = tuple(read())
        ref = reference() if reference is not None else None
        finished = clock.now()
        reads.append((began - base, finished - base))
        rounds += 1
        t = finished - start
        for s in (*snaps, *((ref,) if ref is not None else ())):
            state = s.entries if s.error is None else f"error: {s.error}"
            if previous.get(s.source) != state:
                if s.source in previous:
                    last_change = f"{s.source} at +{t:.2f}s"
                    history.append((t, s.source, "changed"))
                    changed_at = t
                previous[s.source] = state
                seen_in[s.source] = rounds - 1
        same = bool(snaps) and all(s.same_as(snaps[0]) for s in snaps)
        with_registry = same and (ref is None or snaps[0].restrict(comparable).same_as(ref))
        met = with_registry and (expect is None or expect(snaps[0]))
        if met:
            if agreed != snaps[0].entries or stable_since is None:
                agreed, stable_since = snaps[0].entries, t
            if t - stable_since >= stable:
                seen = {s.source: _first_seen(reads, seen_in[s.source]) for s in snaps}
                return ConvergenceResult(
                    True,
                    t,
                    rounds,
                    {source: f.by for source, f in seen.items()},
                    snaps,
                    last_change=last_change,
                    history=history,
                    registry=ref,
                    first_seen=seen,
                    read_cost=_mean_cost(reads),
                    origin_lead=start - base,
                )
        else:
            stable_since, agreed = None, None
        if t >= timeout:
            return ConvergenceResult(
                False,
                t,
                rounds,
                {},
                snaps,
                render_diff(snaps, ref, comparable),
                last_change,
                met or not with_registry,
                history,
                registry=ref,
                read_cost=_mean_cost(reads),
                origin_lead=start - base,
            )
        pause(max(0.0, min(_pause(interval, max_interval, t - changed_at), timeout - t)))


def _first_seen(reads: list[tuple[float, float]], index: int) -> FirstSeen:
    if index == 0:
        return FirstSeen(0.0, reads[0][1], True)
    return FirstSeen(reads[index - 1][0], reads[index][1], False)


def _mean_cost(reads: list[tuple[float, float]]) -> float:
    return sum(end - began for began, end in reads) / len(reads) if reads else 0.0


def raise_unless(result: ConvergenceResult) -> ConvergenceResult:
    if not result.converged:
        raise ConvergenceTimeout(result.explain())
    return result
