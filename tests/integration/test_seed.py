"""Seeded namespaces on a real cluster and registry: the first topology of a kind captures
what its first node wrote, the next writes it before its nodes boot all at once, ends up with
the same shared registry contents, and works (its password, a change through one node)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from harness.convergence.api import assert_converged
from harness.logical_database import LogicalDatabase
from harness.runtime.image_set import resolve_images
from harness.runtime.nodes import ComputeNode
from harness.runtime.seed import KEPT, PASSWORD_SLOT, SeedStore
from harness.runtime.topology import Topology
from harness.spec import TopologySpec
from harness.timeline import RegistrySeeded, decode


def shared(topo: Topology, namespace: str | None = None) -> dict[str, str]:
    """The namespace's kept parts, relative, with the topology's password as the slot."""
    root = topo.dialect.registry_root(topo.spec.registry or "", namespace or topo.spec.namespace)
    reader = topo.registry_reader()
    try:
        out: dict[str, str] = {}
        for part in KEPT:
            for path, value in reader.dump(f"{root}/{part}").items():
                out[path[len(root) :]] = value.replace(topo.password, PASSWORD_SLOT)
        return out
    finally:
        reader.close()


def started(node: ComputeNode) -> datetime:
    """When the node's proxy container started (the engine's clock)."""
    assert node.proxy is not None
    node.proxy.container.reload()
    return parse(node.proxy.container.attrs["State"]["StartedAt"])


def serving(node: ComputeNode) -> datetime:
    """When the node's proxy logged that it serves (the engine's clock, from its log)."""
    assert node.proxy is not None
    raw: bytes = node.proxy.container.logs(timestamps=True)
    line = next(x for x in raw.decode().splitlines() if "started successfully" in x)
    return parse(line.split(" ", 1)[0])


def parse(stamp: str) -> datetime:
    # Docker's RFC 3339 with nanoseconds; microseconds are enough to order events.
    head, _, frac = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")


@pytest.fixture(params=["zookeeper", "etcd"])
def pair(
    request: pytest.FixtureRequest, docker_client: Any, tmp_path: Path
) -> Iterator[tuple[Topology, Topology]]:
    spec = TopologySpec.create(registry=request.param, nodes=2)
    images = resolve_images(docker_client, "local")
    store = SeedStore(tmp_path)
    with Topology(spec, client=docker_client, images=images, seeds=store) as first:
        if not first.dialect.first_boots_race():
            pytest.skip(f"{first.engine_version} boots every node at once without a seed")
        with Topology(spec, client=docker_client, images=images, seeds=store) as second:
            yield first, second


def test_second_topology_is_seeded_boots_at_once_and_works(
    pair: tuple[Topology, Topology],
) -> None:
    first, second = pair
    records = [decode(e) for e in second.events]
    seeded = [r for r in records if isinstance(r, RegistrySeeded)]
    assert len(seeded) == 1
    assert seeded[0].keys > 100
    assert not any(isinstance(r, RegistrySeeded) for r in (decode(e) for e in first.events))
    # The seeded one started every proxy before any served; the first, its first node alone.
    assert max(map(started, second.nodes)) < min(map(serving, second.nodes))
    assert started(first.nodes[1]) > serving(first.nodes[0])
    assert shared(second) == shared(first)
    db = LogicalDatabase.create(second, "seeded cluster takes a change")
    db.register_storage_unit("ds_0", node=1)
    assert_converged(second, databases=[db.name], expect=db.has("storage_unit/ds_0"))
    db.drop()


def test_a_node_joining_another_empty_namespace_finds_it_seeded(
    pair: tuple[Topology, Topology],
) -> None:
    first, second = pair
    before = len(second.events)
    other = second.add_node(namespace="seeded_other")
    seeded = [r for r in map(decode, second.events[before:]) if isinstance(r, RegistrySeeded)]
    assert len(seeded) == 1
    assert shared(second, "seeded_other") == shared(first)
    with other.sql() as c:
        c.execute(second.dialect.create_database("in_other"))
        c.execute(second.dialect.drop_database("in_other"))
    # A namespace already written to is left as it is.
    before = len(second.events)
    second.add_node(namespace="seeded_other")
    assert not any(isinstance(r, RegistrySeeded) for r in map(decode, second.events[before:]))
