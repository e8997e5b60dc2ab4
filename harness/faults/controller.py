"""Inject faults into a running topology and heal them: every fault is recorded when it goes
on, so ``heal_all()`` (run by the ``faults`` fixture whatever the test did) undoes the lot."""

from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from harness.errors import FaultError
from harness.faults.catalog import DOWN, LinkFault, Partition
from harness.runtime.processes import Processes
from harness.runtime.topology import Topology
from harness.timeline import Fault, NodeRestart, PartitionOn

__all__ = ["ActiveFault", "Faults"]

# One sequence per process: fault ids stay unique across controllers, so a report can pair
# each fault's on and off events.
_IDS = itertools.count(1)
# Faults.of: one controller per live topology.
_CONTROLLERS: weakref.WeakKeyDictionary[Topology, Faults] = weakref.WeakKeyDictionary()
_CONTROLLERS_LOCK = threading.Lock()


@dataclass(frozen=True)
class ActiveFault:
    """A fault that is on, and how to take it off: ``what`` names it in the timeline.

    Example: ``f = faults.pause(1); ...; faults.heal(f)``.
    """

    id: int
    what: str
    heal: Callable[[], None]
    node: str | None = None
    link: str | None = None
    fault: str | None = None


class Faults:
    """Fault injection on one topology. Use the context managers in tests; each one heals on
    exit, and ``heal_all()`` heals whatever is still on (in reverse order).

    Example: ``with faults.link(2, cut()): harness_db.register_storage_unit("ds_0")``; the
    ``faults`` fixture heals anything still on when the test ends.
    """

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self._processes = Processes(topology)
        self._active: dict[int, ActiveFault] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, topology: Topology) -> Faults:
        """The topology's one controller: the ``faults`` fixture, ``registry_cut`` and
        ``link_down`` share it, so every fault on a topology is known in one place."""
        with _CONTROLLERS_LOCK:
            controller = _CONTROLLERS.get(topology)
            if controller is None:
                controller = _CONTROLLERS[topology] = cls(topology)
            return controller

    # -- bookkeeping ---------------------------------------------------------------------
    def _on(
        self,
        what: str,
        heal: Callable[[], None],
        *,
        node: str | None = None,
        link: str | None = None,
        fault: str | None = None,
    ) -> ActiveFault:
        active = ActiveFault(next(_IDS), what, heal, node, link, fault)
        with self._lock:
            self._active[active.id] = active
        self.topology.record(Fault(active.id, "on", what, node, link, fault))
        return active

    def heal(self, fault: ActiveFault) -> None:
        """Take ``fault`` off now (a no-op if it is already off)."""
        with self._lock:
            if self._active.pop(fault.id, None) is None:
                return
        fault.heal()
        self.topology.record(
            Fault(fault.id, "off", fault.what, fault.node, fault.link, fault.fault)
        )

    def heal_all(self) -> list[str]:
        """Heal every fault still on, newest first; return what was healed. All are tried even
        if one fails; the first failure is raised after."""
        with self._lock:
            pending = sorted(self._active.values(), key=lambda f: -f.id)
        healed: list[str] = []
        first: BaseException | None = None
        for fault in pending:
            try:
                self.heal(fault)
                healed.append(fault.what)
            except Exception as exc:  # noqa: BLE001 - keep healing the rest
                first = first or exc
        if first is not None:
            raise FaultError(f"healing faults failed: {first}") from first
        return healed

    @property
    def active(self) -> list[str]:
        """What is on now, oldest first."""
        with self._lock:
            return [f.what for f in sorted(self._active.values(), key=lambda f: f.id)]

    @contextmanager
    def _scoped(self, fault: ActiveFault) -> Iterator[list[ActiveFault]]:
        try:
            yield [fault]
        finally:
            self.heal(fault)

    # -- link faults ---------------------------------------------------------------------
    def apply(self, node: int, fault: LinkFault) -> ActiveFault:
        """Put ``fault`` on ``node``'s link; it stays until healed."""
        n = self.topology.node(node)
        api = n.toxiproxy
        what = f"{n.name} {fault.describe()}"
        where = {
            "node": n.name,
            "link": fault.link,
            "fault": "cut" if fault.kind == DOWN else fault.kind,
        }
        if fault.kind == DOWN:
            api.set_enabled(fault.link, False)

            def enable() -> None:
                api.set_enabled(fault.link, True)

            return self._on(what, enable, **where)
        toxics = fault.toxics(f"harness{next(_IDS)}")
        added: list[str] = []
        try:
            for toxic in toxics:
                api.add_toxic(fault.link, toxic)
                added.append(toxic.name)
        except FaultError:
            for name in added:
                api.remove_toxic(fault.link, name)
            raise

        def heal() -> None:
            for name in added:
                api.remove_toxic(fault.link, name)

        return self._on(what, heal, **where)

    @contextmanager
    def link(self, node: int | list[int], fault: LinkFault) -> Iterator[list[ActiveFault]]:
        """``fault`` on one node's link, or on the same link of several nodes, for the block."""
        nodes = node if isinstance(node, list) else [node]
        applied: list[ActiveFault] = []
        try:
            for n in nodes:
                applied.append(self.apply(n, fault))
            yield applied
        finally:
            for f in reversed(applied):
                self.heal(f)

    @contextmanager
    def partition(self, partition: Partition) -> Iterator[list[ActiveFault]]:
        """Every cut of ``partition`` down together for the block."""
        applied: list[ActiveFault] = []
        try:
            for node, links in partition.cuts.items():
                for link in links:
                    applied.append(self.apply(node, LinkFault(DOWN, link)))
            self.topology.record(PartitionOn(partition.name))
            yield applied
        finally:
            for f in reversed(applied):
                self.heal(f)

    # -- node faults ---------------------------------------------------------------------
    def pause(self, node: int) -> ActiveFault:
        """Freeze ``node`` (SIGSTOP semantics) until healed."""
        self._processes.pause(node)
        name = self.topology.node(node).name
        return self._on(
            f"{name} paused", lambda: self._processes.resume(node), node=name, fault="pause"
        )

    @contextmanager
    def paused(self, node: int) -> Iterator[list[ActiveFault]]:
        """``node`` frozen for the block. Example: ``with faults.paused(1): ...``."""
        with self._scoped(self.pause(node)) as f:
            yield f

    def kill(self, node: int) -> ActiveFault:
        """SIGKILL ``node``'s proxy; healing starts it again and waits until it answers."""
        self._processes.kill(node)
        name = self.topology.node(node).name
        return self._on(
            f"{name} killed", lambda: self._processes.start(node), node=name, fault="kill"
        )

    def stop(self, node: int) -> ActiveFault:
        """Stop ``node`` gracefully (it leaves the cluster); healing starts it again and waits
        until it answers. Example: ``f = faults.stop(2); ...; faults.heal(f)``."""
        self._processes.stop(node)
        name = self.topology.node(node).name
        return self._on(
            f"{name} stopped", lambda: self._processes.start(node), node=name, fault="stop"
        )

    def restart(self, node: int) -> None:
        """Restart ``node`` now (not a lasting fault: it is back when this returns)."""
        self.topology.record(NodeRestart(f"node-{node}"))
        self.topology.restart_node(node)

    def scale_out(self) -> ActiveFault:
        """One more compute node joins the cluster; healing removes it again (a graceful
        stop). Example: ``with faults.scaled_out(): ...``. A node that cannot join is
        removed before the error (with its last log lines) is raised: left in the topology,
        every later check would count a dead node."""
        before = {n.index for n in self.topology.nodes}
        try:
            node = self.topology.add_node()
        except BaseException:
            for added in [n for n in self.topology.nodes if n.index not in before]:
                with contextlib.suppress(Exception):
                    self.topology.remove_node(added.index)
            raise
        return self._on(
            f"{node.name} added",
            lambda: self.topology.remove_node(node.index),
            node=node.name,
            fault="scale-out",
        )

    @contextmanager
    def scaled_out(self) -> Iterator[list[ActiveFault]]:
        """One more node for the block. Example: ``with faults.scaled_out() as [added]: ...``."""
        with self._scoped(self.scale_out()) as f:
            yield f

    def registry_down(self) -> ActiveFault:
        """Registry outage: the registry container stops until healed."""
        self._processes.stop_registry()
        return self._on("registry outage", self._processes.start_registry, fault="outage")

    @contextmanager
    def registry_outage(self) -> Iterator[list[ActiveFault]]:
        """The registry down for the block. Example: ``with faults.registry_outage(): ...``."""
        with self._scoped(self.registry_down()) as f:
            yield f
