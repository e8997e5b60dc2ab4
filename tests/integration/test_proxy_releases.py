"""Each proxy release in the catalog: its image is built from Maven Central (5.5.x from its
source release) on first use when named by its official reference, it boots, it runs that
release's engine modules, and its label says which release that is."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.runtime import labels
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec


@pytest.mark.parametrize("release", sorted(catalog.PROXY_RELEASES))
def test_release_boots_and_reports_its_version(
    docker_client: Any, run_identity: labels.RunIdentity, release: str
) -> None:
    images = resolve_images(docker_client, "local", f"apache/shardingsphere-proxy:{release}")
    local = ImageBuilder(docker_client, proxy_version=release).tag("shardingsphere-proxy")
    assert images.proxy == local
    spec = TopologySpec.create(mode="memory", nodes=1)
    with Topology(spec, client=docker_client, images=images, run=run_identity) as topo:
        e = topo.nodes[0].endpoint
        conn = pymysql.connect(host=e.host, port=e.port, user=e.user, password=e.password)
        try:
            # The greeting's version is a constant compiled into the bootstrap module, so a
            # 5.1.1 engine launched by 5.1.0's bootstrap greets as 5.1.0; a source build's
            # bootstrap is its own.
            bootstrap = catalog.proxy_release(release).bootstrap or release
            greeting = conn.get_server_info()  # type: ignore[no-untyped-call]
            assert greeting.endswith(f"-ShardingSphere-Proxy {bootstrap}")
        finally:
            conn.close()
        proxy = topo.nodes[0].proxy
        assert proxy is not None
        jars = proxy.container.exec_run(["ls", "lib"]).output.decode().split()
    engine = [j for j in jars if j.startswith("shardingsphere-") and "-bootstrap-" not in j]
    assert len(engine) > 50
    assert all(j.endswith(f"-{release}.jar") for j in engine), engine
    assert f"shardingsphere-proxy-bootstrap-{bootstrap}.jar" in jars
    image = docker_client.images.get(images.proxy)
    assert image.labels[catalog.ENGINE_VERSION_LABEL] == release
    assert images.engine_version == release
