"""Topologies shared within a test session: one per distinct spec, started on first use (or
ahead of it, ``prefetch``), or attached to when a session before kept it (``reuse``, see
``harness/reuse.py``)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from harness.detached import attach_path, attach_state
from harness.docker_engine import connect
from harness.errors import ProvisionError
from harness.reuse import KeptState, Slot, claim_slot, image_ids, try_lock, validate
from harness.runtime import labels
from harness.runtime.attach import attach
from harness.runtime.image_set import ImageSet, resolve_images
from harness.runtime.reaper import reap
from harness.runtime.seed import SeedStore
from harness.runtime.topology import Topology
from harness.spec import TopologySpec
from harness.timeline import Event

__all__ = ["TopologyPool"]


class TopologyPool:
    """Owns every topology of one process; ``close()`` removes them all (also on Ctrl-C),
    except those kept for reuse, which it leaves running and records for the next session.

    ``say`` hears one line per reuse decision (attached, or why not)."""

    def __init__(
        self,
        image_source: str,
        *,
        on_started: Callable[[Topology], None] | None = None,
        on_stopped: Callable[[Topology], None] | None = None,
        on_event: Callable[[Event], None] | None = None,
        reuse: bool = False,
        worker: str = "main",
        say: Callable[[str], None] | None = None,
        attach: str | None = None,
        seeds: SeedStore | None = None,
    ) -> None:
        self.image_source = image_source
        self.seeds = seeds  # seeded namespaces (harness.runtime.seed); None: boot from empty
        self.run = labels.new_run()
        self.reuse = reuse
        self.worker = worker
        self._say = say or (lambda _line: None)
        self._client: Any = None
        self._images: dict[str | None, ImageSet] = {}
        self._topologies: dict[tuple[object, ...], Topology] = {}
        self._slots: dict[tuple[object, ...], Slot] = {}
        self.attach = attach  # a `harness up` topology's name
        self._borrowed: dict[tuple[object, ...], IO[str]] = {}  # attached `harness up` ones
        self._on_started = on_started
        self._on_stopped = on_stopped
        self._on_event = on_event
        self._lock = threading.Lock()
        # Topologies starting in the background for a test that comes later (prefetch).
        self._pending: dict[tuple[object, ...], tuple[Topology, Future[Topology]]] = {}
        self._ahead: ThreadPoolExecutor | None = None
        self.reaped = ""

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = connect()
            # What a killed earlier run left behind goes first.
            self.reaped = reap(self._client, only_dead=True).summary()
        return self._client

    def images(self, proxy_image: str | None) -> ImageSet:
        if proxy_image not in self._images:
            self._images[proxy_image] = resolve_images(self.client, self.image_source, proxy_image)
        return self._images[proxy_image]

    def prefetch(self, spec: TopologySpec) -> None:
        """Start ``spec``'s topology in the background for a later ``get``: a test spends
        most of its time waiting, so the next spec's boot costs it little CPU and the next
        test no wall time. Not with reuse or attach (those check a kept topology first)."""
        if self.reuse or self.attach:
            return
        with self._lock:
            if spec.key in self._topologies or spec.key in self._pending:
                return
            try:
                # Quiet: its progress would interleave with the running test's output.
                topo = Topology(
                    spec,
                    client=self.client,
                    images=self.images(spec.proxy_image),
                    run=self.run,
                    seeds=self.seeds,
                )
            except Exception:  # noqa: BLE001 - the test that needs it gets the error from get()
                return
            if self._ahead is None:
                self._ahead = ThreadPoolExecutor(1, thread_name_prefix="harness-prefetch")
            self._pending[spec.key] = (topo, self._ahead.submit(topo.start))

    def _take_prefetched(self, spec: TopologySpec) -> Topology | None:
        """The prefetched topology for ``spec`` once started; None if none was or it failed
        (provisioning again then gives the error to the test that needs it)."""
        pending = self._pending.pop(spec.key, None)
        if pending is None:
            return None
        topo, started = pending
        try:
            started.result()
        except Exception:  # noqa: BLE001 - provisioning again raises it for the test
            return None
        except BaseException:  # interrupted while waiting: close() ends it
            self._pending[spec.key] = pending
            raise
        topo.on_event = self._on_event
        return topo

    def get(self, spec: TopologySpec) -> Topology:
        with self._lock:
            topo = self._topologies.get(spec.key)
            if topo is not None:
                return topo
            topo = self._take_prefetched(spec)
            if topo is None and self.attach:
                topo = self._borrow(spec)
            if topo is None and self.reuse:
                topo = self._reattach(spec)
            if topo is None:
                topo = self._provision(spec)
            self._topologies[spec.key] = topo
            if self._on_started is not None:
                self._on_started(topo)
            return topo

    def _provision(self, spec: TopologySpec) -> Topology:
        slot = self._slots.get(spec.key)
        run = labels.new_run(reuse=slot.key) if slot is not None else self.run
        topo = Topology(
            spec,
            client=self.client,
            images=self.images(spec.proxy_image),
            run=run,
            on_event=self._on_event,
            seeds=self.seeds,
        )
        # Registered before it starts: a half-started topology is still removed by close().
        self._topologies[spec.key] = topo
        topo.start()
        return topo

    def _attached(self, spec: TopologySpec, state: KeptState, reuse: str | None) -> Topology | str:
        """``state``'s topology, attached and checked, or why it cannot serve."""
        images = self.images(spec.proxy_image)
        try:
            topo = attach(
                spec,
                client=self.client,
                images=images,
                # Nodes it adds are spared by the reaper as the rest of it is: kept for reuse,
                # or detached (`harness up`).
                run=labels.RunIdentity(
                    state.run_id,
                    os.getpid(),
                    socket.gethostname(),
                    detached=reuse is None,
                    reuse=reuse,
                ),
                name=state.name,
                secrets=(state.password, state.storage_password),
                workdir=Path(state.workdir),
                nodes=state.nodes,
                on_event=self._on_event,
            )
        except ProvisionError as exc:
            return str(exc)
        return validate(topo, state, image_ids(self.client, images)) or topo

    def _borrow(self, spec: TopologySpec) -> Topology | None:
        """The `harness up` topology named by ``attach``, for tests that want its spec."""
        state = attach_state(self.attach or "")
        if state is None or state.topology_spec().key != spec.key:
            return None
        lock = try_lock(attach_path(state.name).with_suffix(".lock"))
        if lock is None:
            self._say(f"harness: {state.name} is in use by another session; provisioning one")
            return None
        # Kept alive by its own label (detached); this session only borrows it.
        found = self._attached(spec, state, reuse=None)
        if isinstance(found, str):
            lock.close()
            self._say(f"harness: not attaching to {state.name}: {found}; provisioning one")
            return None
        self._borrowed[spec.key] = lock
        self._say(f"harness: attached to {state.name} ({spec.describe()})")
        return found

    def _reattach(self, spec: TopologySpec) -> Topology | None:
        """Claim this spec's reuse slot; the topology kept there if it passes every check."""
        slot = self._slots[spec.key] = claim_slot(spec, self.worker)
        state = slot.load()
        if state is None:
            return None
        started = time.monotonic()
        found = self._attached(spec, state, reuse=slot.key)
        if not isinstance(found, str):
            took = time.monotonic() - started
            self._say(f"harness: reusing {state.name} ({spec.describe()}), checked in {took:.2f}s")
            return found
        self._say(f"harness: not reusing {state.name}: {found}; provisioning a fresh one")
        slot.forget(self.client)
        return None

    def discard(self, spec: TopologySpec) -> None:
        """No later test needs ``spec``: stop its topology now (a kept one stays)."""
        if spec.key in self._slots or spec.key in self._borrowed:
            return
        with self._lock:
            topo = self._topologies.pop(spec.key, None)
        if topo is not None:
            self._stop(topo)

    def _stop(self, topo: Topology) -> None:
        try:
            topo.stop()
        finally:
            if self._on_stopped is not None:
                self._on_stopped(topo)

    def _keep(self, key: tuple[object, ...], topo: Topology) -> None:
        slot = self._slots.pop(key)
        try:
            if topo.stopped:
                slot.forget(self.client)
                return
            ids = image_ids(self.client, topo.images)
            slot.save(KeptState.of(topo, ids, sorted(topo.created_databases)))
            topo.keep()
        finally:
            slot.release()

    def close(self) -> None:
        with self._lock:
            topos = list(self._topologies.items())
            self._topologies.clear()
            pending = list(self._pending.values())
            self._pending.clear()
        for topo, started in pending:
            topo.stop()  # its start's waits see this and give up
            with contextlib.suppress(BaseException):
                started.result()
            # What it created after the stop goes with the run's reap below.
        if self._ahead is not None:
            self._ahead.shutdown(wait=True)
        for key, topo in topos:
            if key in self._slots:
                self._keep(key, topo)
            elif key in self._borrowed:
                topo.keep()
                self._borrowed.pop(key).close()
            else:
                self._stop(topo)
        for slot in self._slots.values():  # claimed, but nothing came of it
            slot.release()
        self._slots.clear()
        if self._client is not None:
            reap(self._client, run_id=self.run.run_id)
