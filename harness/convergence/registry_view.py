"""The registry's side of a snapshot: the active configuration under ``<namespace>/metadata``
(and the global rules and props under ``<namespace>/rules`` and ``/props``), decoded into the
same key space as a node's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.clients.registry import RegistryReader
from harness.convergence.config import canonical_config
from harness.convergence.snapshot import Snapshot
from harness.dialect import Dialect, props_config_view, sql_parser_config_view

__all__ = ["REGISTRY_SOURCE", "read_registry_snapshot"]

REGISTRY_SOURCE = "registry"


def read_registry_snapshot(
    reader: RegistryReader,
    root: str,
    databases: Iterable[str],
    dialect: Dialect,
    *,
    global_rules: bool = False,
) -> Snapshot:
    """``database/<db>/config/...`` for each database, as the registry holds it; with
    ``global_rules``, ``global/sql_parser/...`` and ``global/props/<name>`` too (the node
    side's keys; only the props the registry holds, where a node lists every prop)."""
    tree: dict[str, Any] = {}
    for db in sorted(databases):
        base = f"{root}/metadata/{db}"
        keys: dict[str, str] = {}
        for sub in dialect.registry_config_roots(base):
            keys.update(reader.tree(sub))
        # 5.5 writes a new database as one empty key, which a tree of values leaves out.
        if not keys and not reader.children(base) and not reader.exists(base):
            tree[db] = {"exists": "no"}
            continue
        data_sources, rules = dialect.registry_config(keys, base)
        tree[db] = {"exists": "yes", "config": canonical_config(data_sources, rules)}
    snapshot: dict[str, Any] = {"database": tree}
    if global_rules:
        rule = dialect.registry_global_rule(reader.tree(f"{root}/rules"), root, "sql_parser")
        props = dialect.registry_props(reader.tree(f"{root}/props"), root)
        snapshot["global"] = {
            "sql_parser": sql_parser_config_view(rule),
            "props": props_config_view(props),
        }
    return Snapshot.of(REGISTRY_SOURCE, snapshot)
