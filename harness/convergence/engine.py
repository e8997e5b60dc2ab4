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

__all__ = ["ConvergenceResult", "converge"]

SnapshotReader = Callable[[], Sequence[Snapshot]]
ReferenceReader = Callable[[], Snapshot]
Expectation = Callable[[Snapshot], bool]


@dataclass(frozen=True)
class ConvergenceResult:
    """Outcome of one wait. ``latency`` is seconds from the wait's start (the change's commit,
    when called right after it) to each node first showing the final state.

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

    @property
    def snapshot(self) -> Snapshot:
        """The first node's final snapshot (all nodes' when converged)."""
        return self.snapshots[0]

    def explain(self) -> str:
        """One line when converged; otherwise the per-key diff of every node and the registry."""
        nodes = ", ".join(s.source for s in self.snapshots)
        if self.converged:
            per_node = ", ".join(f"{k}={v * 1000:.0f}ms" for k, v in sorted(self.latency.items()))
            return (
                f"nodes converged after {self.waited:.2f}s ({self.rounds} rounds; "
                f"latency {per_node})"
            )
        head = (
            f"nodes did not converge within {self.waited:.2f}s ({self.rounds} rounds; "
            f"nodes: {nodes})"
        )
        if not self.expectation_met:
            head += "; the nodes agree but the expected change is not there"
        return f"{head}\nlast change seen: {self.last_change or 'none'}\n{self.diff}"


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
) -> ConvergenceResult:
    """Poll ``read`` until all snapshots are equal, agree with ``reference`` (the registry) on
    the ``comparable`` keys, and satisfy ``expect``, for ``stable`` seconds.

    ``sleep`` waits between rounds (default: the clock's); a registry watch passes one that
    returns early when the registry changes.
    """
    pause = sleep or clock.sleep
    start = clock.now()
    changed_at: dict[str, float] = {}
    previous: dict[str, tuple[tuple[str, str], ...] | str] = {}
    history: list[tuple[float, str, str]] = []
    stable_since: float | None = None
    agreed: tuple[tuple[str, str], ...] | None = None
    rounds = 0
    last_change = ""
    while True:
        snaps = tuple(read())
        ref = reference() if reference is not None else None
        rounds += 1
        t = clock.now() - start
        for s in (*snaps, *((ref,) if ref is not None else ())):
            state = s.entries if s.error is None else f"error: {s.error}"
            if previous.get(s.source) != state:
                if s.source in previous:
                    changed_at[s.source] = t
                    last_change = f"{s.source} at +{t:.2f}s"
                    history.append((t, s.source, "changed"))
                previous[s.source] = state
        same = bool(snaps) and all(s.same_as(snaps[0]) for s in snaps)
        with_registry = same and (ref is None or snaps[0].restrict(comparable).same_as(ref))
        met = with_registry and (expect is None or expect(snaps[0]))
        if met:
            if agreed != snaps[0].entries or stable_since is None:
                agreed, stable_since = snaps[0].entries, t
            if t - stable_since >= stable:
                latency = {s.source: changed_at.get(s.source, 0.0) for s in snaps}
                return ConvergenceResult(
                    True,
                    t,
                    rounds,
                    latency,
                    snaps,
                    last_change=last_change,
                    history=history,
                    registry=ref,
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
            )
        pause(max(0.0, min(interval, timeout - t)))


def raise_unless(result: ConvergenceResult) -> ConvergenceResult:
    if not result.converged:
        raise ConvergenceTimeout(result.explain())
    return result
