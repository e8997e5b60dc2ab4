"""Each proxy release in the catalog: its image is built from Maven Central on first use when
named by its official reference, it boots, and it runs that release's engine modules."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.runtime import labels
from harness.runtime.images import resolve_images
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
            # 5.1.1 engine launched by 5.1.0's bootstrap greets as 5.1.0.
            bootstrap = catalog.proxy_release(release).bootstrap
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


def test_proxy_image_maps_its_class_data_sharing_archive(
    docker_client: Any, builder: ImageBuilder
) -> None:
    """-Xshare:on fails unless the archive exists and matches the classpath start.sh uses; the
    archive holds what a cluster node loads to join ZooKeeper (trained against a real server)."""
    out = docker_client.containers.run(
        builder.tag("shardingsphere-proxy"),
        entrypoint=[
            "java",
            "-XX:SharedArchiveFile=proxy.jsa",
            "-Xshare:on",
            "-Xlog:cds=info",
            "-XX:+PrintSharedArchiveAndExit",
            "-cp",
            "lib/*:ext-lib/*:.:conf",
            "-version",
        ],
        remove=True,
        stderr=True,
        labels={labels.MANAGED: "true", labels.ROLE: "test"},
    ).decode()
    assert "Mapped static" in out
    archived = {line.split()[1] for line in out.splitlines() if line.endswith(" app_loader")}
    assert "org.apache.shardingsphere.proxy.Bootstrap" in archived
    # Loaded only once a node has joined the registry: Curator's cache and ElasticJob's jobs.
    assert "org.apache.curator.framework.recipes.cache.CuratorCache" in archived
    assert (
        "org.apache.shardingsphere.elasticjob.lite.api.bootstrap.impl.ScheduleJobBootstrap"
        in archived
    )
