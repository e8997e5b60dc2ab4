"""Image tags are content hashes; the 5.1 dialect renders the seed's mode block and DistSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.dialect import (
    DIALECTS,
    dialect_for_version,
    dialect_named,
    load_yaml,
    props_config_view,
    props_view,
    sql_parser_config_view,
)
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
    d = dialect_for_version("5.1.0")
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
    d = dialect_for_version("5.1.0")
    etcd = d.mode_block(TopologySpec.create(registry="etcd"), "127.0.0.1:2379", "/d")
    assert etcd["repository"]["props"]["server-lists"] == "http://127.0.0.1:2379"
    assert etcd["repository"]["type"] == "Etcd"
    assert d.mode_block(TopologySpec.create(mode="memory"), None, "/d") == {"type": "Memory"}
    standalone = d.mode_block(TopologySpec.create(mode="standalone"), None, "/d")
    assert standalone["repository"] == {"type": "File", "props": {"path": "/d"}}


def test_distsql_quotes_passwords() -> None:
    d = dialect_for_version("5.1.2")
    sql = d.register_storage_unit("ds_0", host="h", port=1, db="d", user="u", password="p'w")
    assert sql == "ADD RESOURCE ds_0 (HOST=h, PORT=1, DB=d, USER=u, PASSWORD='p\\'w')"


@pytest.mark.parametrize("version", [None, "", "4.1.1", "5.3.2", "1.3.0"])
def test_unknown_versions_are_rejected_with_the_override_named(version: str | None) -> None:
    with pytest.raises(SpecError, match=r"Fix:.*--harness-proxy-dialect"):
        dialect_for_version(version, "mycorp/proxy:latest")


def test_dialects_by_name() -> None:
    assert dialect_named("5.5") is DIALECTS["5.5"]
    with pytest.raises(SpecError, match=r"allowed 5\.1 \| 5\.1\.1 \| 5\.5\. Fix"):
        dialect_named("5.4")


def test_proxy_releases_have_their_own_tags_and_official_names() -> None:
    default = catalog.local_tag("shardingsphere-proxy")
    assert catalog.local_tag("shardingsphere-proxy", proxy_version="5.5.2") == default
    assert default.startswith("harness-local/shardingsphere-proxy:5.5.2-")
    other = catalog.local_tag("shardingsphere-proxy", proxy_version="5.1.1")
    assert other.startswith("harness-local/shardingsphere-proxy:5.1.1-")
    assert catalog.proxy_role("5.1.1").official == "apache/shardingsphere-proxy:5.1.1"
    # Other roles do not depend on the proxy release.
    assert catalog.local_tag("zookeeper", proxy_version="5.1.1") == catalog.local_tag("zookeeper")


def test_unknown_proxy_release_lists_the_buildable_ones() -> None:
    with pytest.raises(SpecError, match=r"5\.1\.0, 5\.1\.1, 5\.5\.2.*Fix:"):
        catalog.proxy_release("5.5.3")


@pytest.mark.parametrize(
    ("ref", "release"),
    [
        ("apache/shardingsphere-proxy:5.1.1", "5.1.1"),
        ("apache/shardingsphere-proxy:5.1.0", "5.1.0"),
        ("apache/shardingsphere-proxy:5.5.2", "5.5.2"),
        ("apache/shardingsphere-proxy:5.5.3", None),
        ("my/shardingsphere-proxy:5.1.1", None),
        ("harness-local/shardingsphere-proxy:5.1.1-abc", None),
    ],
)
def test_only_official_refs_of_catalog_releases_map_to_local_builds(
    ref: str, release: str | None
) -> None:
    assert catalog.release_of_official(ref) == release


def test_dialect_lookup_prefers_the_exact_release() -> None:
    assert dialect_for_version("5.1.0").version == "5.1"
    assert dialect_for_version("5.1.1").version == "5.1.1"
    assert dialect_for_version("5.1.2").version == "5.1"
    assert dialect_for_version("5.5.3").version == "5.5"


DATA_SOURCES = "ds_0:\n  url: jdbc:mysql://h:1/d\n"
RULES = "- !SHARDING\n  autoTables: {}\n"


def test_510_registry_config_is_flat() -> None:
    d = dialect_for_version("5.1.0")
    keys = {"/ns/metadata/db/dataSources": DATA_SOURCES, "/ns/metadata/db/rules": RULES}
    assert d.registry_config(keys, "/ns/metadata/db") == (load_yaml(DATA_SOURCES), load_yaml(RULES))
    assert d.registry_config({}, "/ns/metadata/db") == ({}, [])


def test_511_registry_config_follows_the_active_version() -> None:
    d = dialect_for_version("5.1.1")
    base = "/ns/metadata/db"
    keys = {
        f"{base}/db/active_version": "1",
        f"{base}/db/versions/0/dataSources": "{}",
        f"{base}/db/versions/0/rules": "[]",
        f"{base}/db/versions/1/dataSources": DATA_SOURCES,
        f"{base}/db/versions/1/rules": RULES,
    }
    assert d.registry_config(keys, base) == (load_yaml(DATA_SOURCES), load_yaml(RULES))
    # No active version yet: nothing is configured, whatever versions exist.
    del keys[f"{base}/db/active_version"]
    assert d.registry_config(keys, base) == ({}, [])


def test_55_registry_config_is_one_versioned_key_per_item() -> None:
    # As a 5.5.2 node wrote them (read off a running cluster).
    d = DIALECTS["5.5"]
    base = "/governance_ds/metadata/db"
    units = f"{base}/data_sources/units/ds_0"
    table = f"{base}/rules/sharding/auto_tables/t_order"
    algo = f"{base}/rules/sharding/sharding_algorithms/t_order_hash_mod"
    keys = {
        f"{units}/active_version": "1",
        f"{units}/versions/0": "url: jdbc:mysql://old:1/d\nusername: u\n",
        f"{units}/versions/1": "url: jdbc:mysql://h:1/d\nusername: u\npassword: p\n",
        f"{table}/active_version": "0",
        f"{table}/versions/0": "actualDataSources: ds_0\nlogicTable: t_order\n",
        f"{algo}/active_version": "0",
        f"{algo}/versions/0": "props:\n  sharding-count: '4'\ntype: hash_mod\n",
        f"{base}/rules/sharding/default_strategies/default_sharding_column/active_version": "0",
        f"{base}/rules/sharding/default_strategies/default_sharding_column/versions/0": "id",
        # Half-written: a version without its active_version switch counts for nothing.
        f"{base}/rules/sharding/auto_tables/t_next/versions/0": "logicTable: t_next\n",
    }
    sources, rules = d.registry_config(keys, base)
    assert sources == {"ds_0": {"url": "jdbc:mysql://h:1/d", "username": "u", "password": "p"}}
    assert rules == [
        {
            "__tag__": "SHARDING",
            "autoTables": {"t_order": {"actualDataSources": "ds_0", "logicTable": "t_order"}},
            "shardingAlgorithms": {
                "t_order_hash_mod": {"props": {"sharding-count": "4"}, "type": "hash_mod"}
            },
            "defaultShardingColumn": "id",
        }
    ]


def test_55_modes_and_distsql() -> None:
    d = DIALECTS["5.5"]
    memory = d.mode_block(TopologySpec.create(mode="memory"), None, "/data")
    assert memory["type"] == "Standalone"
    assert memory["repository"]["props"]["jdbc_url"].startswith("jdbc:h2:mem:")
    standalone = d.mode_block(TopologySpec.create(mode="standalone"), None, "/data")
    assert standalone["repository"]["props"]["jdbc_url"].startswith("jdbc:h2:file:/data/")
    etcd = d.mode_block(TopologySpec.create(registry="etcd"), "127.0.0.1:2379", "/data")
    assert etcd["repository"]["type"] == "etcd"
    assert "overwrite" not in etcd
    sql = d.register_storage_unit("ds_0", host="h", port=1, db="d", user="u", password="p'w")
    assert (
        sql == "REGISTER STORAGE UNIT ds_0 (HOST='h', PORT=1, DB='d', USER='u', PASSWORD='p\\'w')"
    )
    assert d.user_databases(["db", "information_schema", "sys", "shardingsphere"]) == ["db"]
    row = {"instance_id": "a1eb8388-4fc5", "host": "172.18.0.3", "port": "3307"}
    assert d.member_id(row) == "172.18.0.3@3307"


def test_sql_parser_view_reads_either_lines_rows_in_the_registrys_terms() -> None:
    rows_55 = [
        {
            "parse_tree_cache": "initialCapacity: 123, maximumSize: 1024",
            "sql_statement_cache": "initialCapacity: 2000, maximumSize: 65535",
        }
    ]
    rows_51 = [
        {
            "sql_comment_parse_enable": "false",
            "parse_tree_cache": '{"initialCapacity":123,"maximumSize":1024,"concurrencyLevel":4}',
            "sql_statement_cache": '{"initialCapacity":2000,"maximumSize":65535}',
        }
    ]
    want = {
        "parse_tree_cache": {"initial_capacity": "123", "maximum_size": "1024"},
        "sql_statement_cache": {"initial_capacity": "2000", "maximum_size": "65535"},
    }
    assert dialect_named("5.5").sql_parser_view(rows_55) == want
    assert dialect_named("5.1").sql_parser_view(rows_51) == want
    assert dialect_named("5.1").sql_parser_view([]) == {}
    config = {
        "parseTreeCache": {"initialCapacity": 123, "maximumSize": 1024, "concurrencyLevel": 4},
        "sqlStatementCache": {"initialCapacity": 2000, "maximumSize": 65535},
    }
    assert sql_parser_config_view(config) == want
    assert sql_parser_config_view(None) == {}
    assert "(PARSE_TREE_CACHE(INITIAL_CAPACITY=7," in dialect_named("5.5").alter_sql_parser_rule(7)


def test_props_read_from_a_node_and_from_either_registry_layout_compare_key_by_key() -> None:
    # As 5.1.1's SHOW ALL VARIABLES and 5.5.2's SHOW DIST VARIABLES answered here; the
    # session's and node's own variables are not props.
    rows = [
        {"variable_name": "sql_show", "variable_value": "true"},
        {"variable_name": "proxy_frontend_flush_threshold", "variable_value": "128"},
        {"variable_name": "cached_connections", "variable_value": "3"},
        {"variable_name": "transaction_type", "variable_value": "LOCAL"},
        {"variable_name": "agent_plugins_enabled", "variable_value": "true"},
        {"variable_name": "proxy_frontend_database_protocol_type", "variable_value": ""},
    ]
    assert props_view(rows) == {
        "sql_show": "true",
        "proxy_frontend_flush_threshold": "128",
        "proxy_frontend_database_protocol_type": "",
    }
    text = (
        "check-table-metadata-enabled: false\nproxy-frontend-flush-threshold: 128\nsql-show: true\n"
    )
    want = {
        "check_table_metadata_enabled": "false",
        "proxy_frontend_flush_threshold": "128",
        "sql_show": "true",
    }
    root = "/governance_ds"
    v51 = dialect_named("5.1").registry_props({f"{root}/props": text}, root)
    keys_55 = {f"{root}/props/active_version": "1", f"{root}/props/versions/0": "sql-show: false"}
    keys_55[f"{root}/props/versions/1"] = text
    v55 = dialect_named("5.5").registry_props(keys_55, root)
    assert props_config_view(v51) == props_config_view(v55) == want
    assert dialect_named("5.5").registry_props({}, root) is None
    assert props_config_view(None) == {}
    assert dialect_named("5.1").set_prop("sql_show", "true") == "SET VARIABLE sql_show = true"
    assert dialect_named("5.5").set_prop("sql_show", "true") == "SET DIST VARIABLE sql_show = true"
    assert dialect_named("5.1").show_props() == "SHOW ALL VARIABLES"
    assert dialect_named("5.5").show_props() == "SHOW DIST VARIABLES"
