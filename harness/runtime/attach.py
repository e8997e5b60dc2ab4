"""Attaching to a topology a session kept running (reuse, ``harness up``): the Topology
object rebuilt from its containers' labels and its recorded secrets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.clients.mysql import Endpoint
from harness.clients.toxiproxy import ToxiproxyClient
from harness.errors import ProvisionError
from harness.runtime import labels
from harness.runtime.containers import RunningContainer
from harness.runtime.image_set import ImageSet
from harness.runtime.node_config import PROXY_USER
from harness.runtime.nodes import ComputeNode, Storage
from harness.runtime.topology import STORAGE_USER, Topology
from harness.runtime.wiring import CLIENT_PORT, TOXI_API
from harness.spec import TopologySpec
from harness.timeline import Event, TopologyPhase

__all__ = ["attach"]


def attach(
    spec: TopologySpec,
    *,
    client: Any,
    images: ImageSet,
    run: labels.RunIdentity,
    name: str,
    secrets: tuple[str, str],
    workdir: Path,
    nodes: list[tuple[int, str]],
    on_event: Callable[[Event], None] | None = None,
) -> Topology:
    """A topology a session kept running (reuse, ``harness up``), found by its labels:
    ``secrets`` are its proxy and storage passwords, ``nodes`` its (index, namespace)
    pairs. Raises ProvisionError naming what is missing; checks nothing else (see
    ``harness/reuse.py``)."""
    topo = Topology(spec, client=client, images=images, run=run, name=name, on_event=on_event)
    topo.adopt_workdir(workdir)
    topo.password, topo.storage_password = secrets
    found = {
        c.name: RunningContainer.existing(c, client)
        for c in client.containers.list(
            all=True, ignore_removed=True, filters={"label": [f"{labels.TOPOLOGY}={name}"]}
        )
    }

    def container(suffix: str) -> RunningContainer:
        if f"{name}-{suffix}" not in found:
            raise ProvisionError(f"{name}: container {name}-{suffix} is gone")
        return found[f"{name}-{suffix}"]

    if spec.registry is not None:
        topo.registry = container("registry")
    for j in range(spec.storage_nodes):
        c = container(f"storage-{j}")
        admin = Endpoint("127.0.0.1", c.host_port(3306), STORAGE_USER, topo.storage_password)
        topo.storage.append(Storage(j, c, admin))
    for index, namespace in nodes:
        node_name = f"node-{index}"
        link = container(f"{node_name}-link")
        api = ToxiproxyClient(f"http://127.0.0.1:{link.host_port(TOXI_API)}")
        endpoint = Endpoint("127.0.0.1", link.host_port(CLIENT_PORT), PROXY_USER, topo.password)
        node = ComputeNode(index, node_name, link, api, endpoint, container(node_name))
        node.conf_dir, node.namespace = workdir / node_name / "conf", namespace
        topo.nodes.append(node)
    topo.next_index_after(max((i for i, _ in nodes), default=-1))
    topo.record(TopologyPhase("attached", spec.describe(), name))
    return topo
