"""Topologies shared within a test session: one per distinct spec, started on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from harness.docker_engine import connect
from harness.runtime import labels
from harness.runtime.image_set import ImageSet, resolve_images
from harness.runtime.reaper import reap
from harness.runtime.topology import Topology
from harness.spec import TopologySpec
from harness.timeline import Event

__all__ = ["TopologyPool"]


class TopologyPool:
    """Owns every topology of one process; ``close()`` removes them all (also on Ctrl-C)."""

    def __init__(
        self,
        image_source: str,
        *,
        on_started: Callable[[Topology], None] | None = None,
        on_stopped: Callable[[Topology], None] | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        self.image_source = image_source
        self.run = labels.new_run()
        self._client: Any = None
        self._images: dict[str | None, ImageSet] = {}
        self._topologies: dict[tuple[object, ...], Topology] = {}
        self._on_started = on_started
        self._on_stopped = on_stopped
        self._on_event = on_event
        self._lock = threading.Lock()
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

    def get(self, spec: TopologySpec) -> Topology:
        with self._lock:
            topo = self._topologies.get(spec.key)
            if topo is None:
                topo = Topology(
                    spec,
                    client=self.client,
                    images=self.images(spec.proxy_image),
                    run=self.run,
                    on_event=self._on_event,
                )
                self._topologies[spec.key] = topo
                topo.start()
                if self._on_started is not None:
                    self._on_started(topo)
            return topo

    def discard(self, spec: TopologySpec) -> None:
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

    def close(self) -> None:
        with self._lock:
            topos = list(self._topologies.values())
            self._topologies.clear()
        for topo in topos:
            self._stop(topo)
        if self._client is not None:
            reap(self._client, run_id=self.run.run_id)
