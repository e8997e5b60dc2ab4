"""Which local images `harness images prune` removes, and what it keeps (a fake engine)."""

from __future__ import annotations

from dataclasses import dataclass, field

import docker.errors

from harness.images import catalog
from harness.images.prune import current_tags, remove_tags, stale_tags


@dataclass
class FakeImage:
    tags: list[str]


@dataclass
class FakeImages:
    images: list[FakeImage]
    in_use: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)

    def list(self, name: str) -> list[FakeImage]:
        return [i for i in self.images if any(t.startswith(name + ":") for t in i.tags)]

    def remove(self, tag: str) -> None:
        if tag in self.in_use:
            raise docker.errors.APIError("conflict", explanation=f"{tag} is used by container c1")
        self.removed.append(tag)


@dataclass
class FakeClient:
    images: FakeImages


def test_current_tags_cover_every_role_and_proxy_release() -> None:
    tags = current_tags(extra=["harness-local/shardingsphere-proxy:9.9.9-dist"])
    for name in catalog.ROLES:
        assert catalog.local_tag(name) in tags
    for version in catalog.PROXY_RELEASES:
        assert catalog.local_tag("shardingsphere-proxy", proxy_version=version) in tags
    assert "harness-local/shardingsphere-proxy:9.9.9-dist" in tags


def test_only_other_tags_of_harness_roles_are_stale() -> None:
    keep = current_tags()
    zk = catalog.local_tag("zookeeper")
    old_zk = "harness-local/zookeeper:3.8.0-0000000000"
    client = FakeClient(
        FakeImages(
            [
                FakeImage([zk]),
                FakeImage([old_zk, "mine/zookeeper:custom"]),
                FakeImage(["harness-local/not-a-role:1"]),
            ]
        )
    )
    assert stale_tags(client, keep) == [old_zk]


def test_an_image_in_use_is_kept_with_the_reason() -> None:
    images = FakeImages([], in_use={"harness-local/mariadb:10.11-old"})
    results = remove_tags(
        FakeClient(images), ["harness-local/mariadb:10.11-old", "harness-local/etcd:3.4.23-old"]
    )
    assert images.removed == ["harness-local/etcd:3.4.23-old"]
    assert [(r.tag, r.removed) for r in results] == [
        ("harness-local/mariadb:10.11-old", False),
        ("harness-local/etcd:3.4.23-old", True),
    ]
    assert "used by container c1" in results[0].why_kept
