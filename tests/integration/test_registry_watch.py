"""The registry readers' watch against a real registry: watching a path that does not exist
must not create it (the convergence checker watches the databases it checks, and a watch that
wrote made a database appear in the registry), and its creation is reported."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec


@pytest.fixture(scope="module", params=["zookeeper", "etcd"])
def registry_topology(request: pytest.FixtureRequest, docker_client: Any) -> Iterator[Topology]:
    spec = TopologySpec.create(registry=request.param, nodes=1)
    images = resolve_images(docker_client, "local")
    with Topology(spec, client=docker_client, images=images) as topo:
        yield topo


def test_watch_of_a_missing_path_creates_nothing_and_reports_its_creation(
    registry_topology: Topology,
) -> None:
    reader = registry_topology.registry_reader()
    root = registry_topology.dialect.registry_root(
        registry_topology.spec.registry or "", registry_topology.spec.namespace
    )
    path = f"{root}/metadata/never_created"
    changed = threading.Event()
    try:
        cancel = reader.watch(path, changed.set)
        assert not reader.exists(path)
        reader.put(f"{path}/key", "value")
        assert changed.wait(10), f"no change reported for {path}"
        cancel()
    finally:
        reader.delete_tree(path)
        reader.close()
