"""The node's export and the registry's YAML reduce to the same canonical configuration."""

from __future__ import annotations

from harness.convergence.config import canonical_config
from harness.dialect import load_yaml

NODE_EXPORT = """
schemaName: db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:13306/ds
    username: harness
    password: secret
    maxPoolSize: 50
rules:
- !SHARDING
  autoTables:
    t_order:
      actualDataSources: ds_0
  shardingAlgorithms:
    t_order_hash_mod:
      type: hash_mod
      props:
        sharding-count: 4
"""

REGISTRY_DATA_SOURCES = """
ds_0:
  dataSourceClassName: com.zaxxer.hikari.HikariDataSource
  props:
    jdbcUrl: jdbc:mysql://127.0.0.1:13306/ds
    user: harness
    password: secret
    maximumPoolSize: 50
"""

REGISTRY_RULES = """
- !SHARDING
  autoTables:
    t_order:
      actualDataSources: ds_0
  shardingAlgorithms:
    t_order_hash_mod:
      props:
        sharding-count: 4
      type: hash_mod
"""


def test_node_and_registry_forms_agree_and_drop_secrets() -> None:
    node = load_yaml(NODE_EXPORT)
    from_node = canonical_config(node["dataSources"], node["rules"])
    from_registry = canonical_config(load_yaml(REGISTRY_DATA_SOURCES), load_yaml(REGISTRY_RULES))
    assert from_node == from_registry
    assert "secret" not in repr(from_node)
    assert from_node["storage_unit"]["ds_0"] == {
        "url": "jdbc:mysql://127.0.0.1:13306/ds",
        "username": "harness",
    }
    assert from_node["rule"]["SHARDING"]["shardingAlgorithms"]["t_order_hash_mod"]["type"] == (
        "hash_mod"
    )


def test_a_changed_rule_is_a_difference() -> None:
    changed = REGISTRY_RULES.replace("sharding-count: 4", "sharding-count: 8")
    assert canonical_config({}, load_yaml(REGISTRY_RULES)) != canonical_config(
        {}, load_yaml(changed)
    )
