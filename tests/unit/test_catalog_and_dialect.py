"""Image tags are content hashes; the 5.1 dialect renders the seed's mode block and DistSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.dialect import dialect_for_image
from harness.errors import SpecError
from harness.images import catalog
from harness.spec import TopologySpec


def test_local_tags_are_stable_and_versioned() -> None:
    tag = catalog.local_tag("zookeeper")
    assert tag == catalog.local_tag("zookeeper")
    assert tag.startswith("harness-local/zookeeper:3.8.0-")
    assert ":latest" not in tag


def test_tag_changes_when_a_context_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mariadb").mkdir()
    (tmp_path / "mariadb" / "Dockerfile").write_text("FROM @BASE@\n")
    monkeypatch.setattr(catalog, "context_dir", lambda role: tmp_path / role)
    before = catalog.local_tag("mariadb")
    (tmp_path / "mariadb" / "Dockerfile").write_text("FROM @BASE@\nENV X=1\n")
    assert catalog.local_tag("mariadb") != before


def test_parent_change_cascades(monkeypatch: pytest.MonkeyPatch) -> None:
    before = catalog.local_tag("etcd")
    base = catalog.ROLES["base"]
    monkeypatch.setitem(
        catalog.ROLES, "base", catalog.Role(base.name, base.version, base.official, None, ("x",))
    )
    assert catalog.local_tag("etcd") != before


def test_unknown_role_lists_roles() -> None:
    with pytest.raises(SpecError, match="shardingsphere-proxy"):
        catalog.role("proxy")


def test_official_refs_are_pinned() -> None:
    for name in catalog.ROLES:
        ref = catalog.official_ref(name)
        assert ":" in ref
        assert not ref.endswith(":latest")


def test_cluster_mode_block_is_the_seeds() -> None:
    d = dialect_for_image("harness-local/shardingsphere-proxy:5.1.0-abc")
    block = yaml.safe_load(d.render_mode(TopologySpec.create(), "127.0.0.1:2181", "/data"))
    assert block == {
        "type": "Cluster",
        "repository": {
            "type": "ZooKeeper",
            "props": {
                "namespace": "governance_ds",
                "server-lists": "127.0.0.1:2181",
                "retryIntervalMilliseconds": 500,
                "timeToLiveSeconds": 60,
                "maxRetries": 3,
                "operationTimeoutMilliseconds": 500,
            },
        },
        "overwrite": False,
    }


def test_etcd_server_lists_need_http_and_other_modes() -> None:
    d = dialect_for_image("apache/shardingsphere-proxy:5.1.0")
    etcd = d.mode_block(TopologySpec.create(registry="etcd"), "127.0.0.1:2379", "/d")
    assert etcd["repository"]["props"]["server-lists"] == "http://127.0.0.1:2379"
    assert etcd["repository"]["type"] == "Etcd"
    assert d.mode_block(TopologySpec.create(mode="memory"), None, "/d") == {"type": "Memory"}
    standalone = d.mode_block(TopologySpec.create(mode="standalone"), None, "/d")
    assert standalone["repository"] == {"type": "File", "props": {"path": "/d"}}


def test_distsql_quotes_passwords() -> None:
    d = dialect_for_image("x/proxy:5.1.2")
    sql = d.register_storage_unit("ds_0", host="h", port=1, db="d", user="u", password="p'w")
    assert sql == "ADD RESOURCE ds_0 (HOST=h, PORT=1, DB=d, USER=u, PASSWORD='p\\'w')"


@pytest.mark.parametrize("image", ["my/proxy:latest", "my/proxy", "apache/proxy:4.1.1"])
def test_unknown_versions_are_rejected(image: str) -> None:
    with pytest.raises(SpecError, match="Fix:"):
        dialect_for_image(image)
