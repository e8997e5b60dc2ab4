"""Canonical node snapshots: what a node itself serves over the MySQL protocol, flattened to
sorted ``path -> value`` pairs so two nodes (or a node and the registry) compare key by key."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.clients.mysql import SqlClient
from harness.convergence.config import canonical_config
from harness.dialect import Dialect, props_view

__all__ = ["PARSE_TREE_CAPACITY", "PROPS", "Snapshot", "flatten", "read_node_snapshot"]

# The SQL parser rule's parse-tree cache capacity in a snapshot read with global_rules: the
# value harness alters (scenarios write it again, as they use the public API only).
PARSE_TREE_CAPACITY = "global/sql_parser/parse_tree_cache/initial_capacity"
# Where a snapshot read with global_rules keeps the props, one key each (snake_case names).
PROPS = "global/props"


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"db": {"a": {"x": 1}}}`` -> ``{"db/a/x": "1"}``; leaves become strings."""
    out: dict[str, str] = {}
    for key in sorted(tree):
        value = tree[key]
        path = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(flatten(value, path))  # an empty mapping leaves no key
        else:
            out[path] = "" if value is None else str(value)
    return out


@dataclass(frozen=True)
class Snapshot:
    """A canonical, comparable view: sorted flat keys. ``error`` marks an unreadable node.

    Example: ``node_snapshot(topology, 0).has(f"database/{harness_db.name}/storage_unit/ds_0")``.
    """

    source: str
    entries: tuple[tuple[str, str], ...]
    error: str | None = None

    @classmethod
    def of(cls, source: str, tree: Mapping[str, Any]) -> Snapshot:
        """A snapshot of a nested mapping, flattened to ``a/b/c`` keys."""
        return cls(source, tuple(sorted(flatten(tree).items())))

    @classmethod
    def unreadable(cls, source: str, error: str) -> Snapshot:
        """The snapshot of a node that could not be read (never equal to any other)."""
        return cls(source, (), error)

    def as_dict(self) -> dict[str, str]:
        """Key to value."""
        return dict(self.entries)

    def same_as(self, other: Snapshot) -> bool:
        """Both readable and equal key for key."""
        return self.error is None and other.error is None and self.entries == other.entries

    def restrict(self, keep: Callable[[str], bool]) -> Snapshot:
        """The same snapshot with only the keys ``keep`` accepts."""
        return Snapshot(self.source, tuple((k, v) for k, v in self.entries if keep(k)), self.error)

    def serves(self, database: str) -> bool:
        """The snapshot lists ``database`` as existing."""
        return self.as_dict().get(f"database/{database}/exists") == "yes"

    def has(self, prefix: str) -> bool:
        """A key equal to ``prefix`` or under it exists."""
        return any(k == prefix or k.startswith(prefix + "/") for k, _ in self.entries)

    def render(self) -> str:
        """Every key and value, one per line."""
        if self.error is not None:
            return f"{self.source}: <unreadable: {self.error}>"
        return "\n".join([f"{self.source}:"] + [f"  {k} = {v}" for k, v in self.entries])


def read_node_snapshot(
    source: str,
    client: SqlClient,
    dialect: Dialect,
    databases: Iterable[str] | None = None,
    *,
    global_rules: bool = False,
) -> Snapshot:
    """Read one node's metadata for ``databases`` (default: every database it serves), and
    with ``global_rules`` its global configuration: ``global/sql_parser/...`` (the SQL parser
    rule's cache sizes, the global rule harness can alter on every release) and
    ``global/props/<name>`` (every prop, as ``SHOW ... VARIABLES`` lists it)."""
    listed = sorted(str(next(iter(r.values()))) for r in client.query(dialect.show_databases()))
    served = dialect.user_databases(listed)
    wanted = sorted(databases) if databases is not None else served
    tree: dict[str, Any] = {}
    for db in wanted:
        if db not in served:
            tree[db] = {"exists": "no"}
            continue
        units = {
            r["name"]: dialect.storage_unit_view(r)
            for r in client.query(dialect.show_storage_units(db))
        }
        data_sources, rule_list = dialect.parse_export(client.query(dialect.export_config(db)))
        rules = {
            r["table"]: dialect.sharding_rule_view(r)
            for r in client.query(dialect.show_sharding_rules(db))
        }
        tree[db] = {
            "exists": "yes",
            "storage_unit": units,
            "sharding_table_rule": rules,
            "config": canonical_config(data_sources, rule_list),
        }
    snapshot: dict[str, Any] = {"database": tree}
    if global_rules:
        rows = client.query(dialect.show_sql_parser_rule())
        snapshot["global"] = {
            "sql_parser": dialect.sql_parser_view(rows),
            "props": props_view(client.query(dialect.show_props())),
        }
    return Snapshot.of(source, snapshot)


def registry_comparable(key: str, held: Container[str] | None = None) -> bool:
    """Keys a node and the registry must agree on: existence, configuration, and of the global
    configuration what the registry holds (``held``: its keys; a node lists every prop and
    its SQL parser rule, the registry only the props set and, on 5.1, the rule once
    changed)."""
    parts = key.split("/")
    if parts[0] == "global":
        return held is None or key in held
    return len(parts) >= 3 and parts[0] == "database" and parts[2] in ("exists", "config")
