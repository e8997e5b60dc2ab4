"""Offline images: every role exists under its content-hash tag; a rebuild builds nothing."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import docker.errors
import pytest

from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.images.prune import dangling, prune_dangling, remove_tags
from harness.runtime import labels

# Per JVM role: its archive, the classpath its entrypoint uses (``$VAR`` is the image's
# environment variable), and classes only a trained boot loads (a 5.5 proxy joining ZooKeeper:
# Curator's cache and the cluster's persist service, then its first client's query and DistSQL
# EXPORT; a registry serving a client session).
ARCHIVES = {
    "shardingsphere-proxy": (
        "proxy.jsa",
        "lib/*:ext-lib/*:.:conf",
        [
            "org.apache.shardingsphere.proxy.Bootstrap",
            "org.apache.curator.framework.recipes.cache.CuratorCache",
            "org.apache.shardingsphere.mode.manager.cluster.persist.service."
            "ClusterMetaDataManagerPersistService",
            "org.apache.shardingsphere.proxy.frontend.mysql.command.query.text.query."
            "MySQLComQueryPacketExecutor",
            "org.apache.shardingsphere.proxy.backend.handler.distsql.ral.queryable."
            "ExportDatabaseConfigurationExecutor",
        ],
    ),
    "zookeeper": (
        "/zookeeper.jsa",
        "$ZOO_JARS:/etc/zookeeper/conf",
        [
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            "org.apache.zookeeper.server.NIOServerCnxn",
            "org.apache.zookeeper.server.SessionTrackerImpl",
        ],
    ),
}


def test_second_build_builds_nothing(builder: ImageBuilder) -> None:
    results = builder.build()
    assert [r.role for r in results] == list(catalog.ROLES)
    assert [r.role for r in results if r.built] == []


def test_images_carry_official_layout(docker_client: Any, builder: ImageBuilder) -> None:
    proxy = docker_client.images.get(builder.tag("shardingsphere-proxy"))
    assert "3307/tcp" in proxy.attrs["Config"]["ExposedPorts"]
    assert proxy.attrs["Config"]["WorkingDir"] == "/opt/shardingsphere-proxy"
    out = docker_client.containers.run(
        builder.tag("shardingsphere-proxy"),
        entrypoint=[
            "sh",
            "-c",
            "ls /opt/shardingsphere-proxy/ext-lib; "
            "ls /opt/shardingsphere-proxy/lib | grep -c shardingsphere",
        ],
        remove=True,
        labels={"io.harness.managed": "true", "io.harness.role": "test"},
    ).decode()
    *ext_lib, count = out.split()
    # The MySQL driver, and the etcd repository's vert.x (which 5.5's proxy does not bundle).
    assert sorted(j.split("-")[0] + "-" + j.split("-")[1] for j in ext_lib) == [
        "mysql-connector",
        "vertx-core",
        "vertx-grpc",
    ]
    assert int(count) > 50


def test_cli_lists_every_role_present() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "harness", "images", "list"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in catalog.ROLES:
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert " present " in line


def test_prune_finds_a_stale_tag_and_removes_only_it(
    docker_client: Any, builder: ImageBuilder
) -> None:
    current = builder.tag("toxiproxy")
    repository, _, _ = current.rpartition(":")
    docker_client.images.get(current).tag(repository, "0.0.0-0000000000")
    stale = f"{repository}:0.0.0-0000000000"
    try:
        out = subprocess.run(
            [sys.executable, "-m", "harness", "images", "prune", "--dry-run"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert f"would remove {stale}\n" in out
        for name in catalog.ROLES:
            assert builder.tag(name) not in out
        assert [r.removed for r in remove_tags(docker_client, [stale])] == [True]
        assert stale not in docker_client.images.get(current).tags
    finally:
        remove_tags(docker_client, [stale])


def test_prune_deletes_an_image_a_forced_rebuild_left_untagged(
    docker_client: Any, builder: ImageBuilder
) -> None:
    tag = f"{catalog.LOCAL_REPOSITORY}/prune-test:1"
    ids = []
    for step in ("one", "two"):  # the second build moves the tag: the first is left untagged
        image, _ = docker_client.images.build(
            fileobj=io.BytesIO(f"FROM {builder.tag('toxiproxy')}\nENV STEP={step}\n".encode()),
            tag=tag,
            labels={catalog.IMAGE_ROLE_LABEL: "prune-test"},
            rm=True,
        )
        ids.append(image.short_id)
    try:
        assert ids[0] in dangling(docker_client)
        count, _ = prune_dangling(docker_client)
        assert count >= 1
        assert ids[0] not in dangling(docker_client)
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(ids[0])
    finally:
        remove_tags(docker_client, [tag])


@pytest.mark.parametrize("role", sorted(ARCHIVES))
def test_jvm_images_map_their_class_data_sharing_archive(
    docker_client: Any, builder: ImageBuilder, role: str
) -> None:
    """-Xshare:on fails unless the archive exists and matches the entrypoint's classpath."""
    archive, classpath, trained = ARCHIVES[role]
    env = docker_client.images.get(builder.tag(role)).attrs["Config"]["Env"]
    for name, _, value in (e.partition("=") for e in env):
        classpath = classpath.replace(f"${name}", value)
    assert "$" not in classpath, classpath
    out = docker_client.containers.run(
        builder.tag(role),
        entrypoint=[
            "java",
            f"-XX:SharedArchiveFile={archive}",
            "-Xshare:on",
            "-Xlog:cds=info",
            "-XX:+PrintSharedArchiveAndExit",
            "-cp",
            classpath,
            "-version",
        ],
        remove=True,
        stderr=True,
        labels={labels.MANAGED: "true", labels.ROLE: "test"},
    ).decode()
    assert "Mapped static" in out
    archived = {line.split()[1] for line in out.splitlines() if line.endswith(" app_loader")}
    missing = [c for c in trained if c not in archived]
    assert not missing, f"{role}: not in {archive}: {missing}"
