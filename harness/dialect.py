"""Per-version knowledge of the proxy: config files, mode blocks, DistSQL, snapshot reads.

A new engine version (another ShardingSphere release, a DBPlusEngine build) is a new dialect,
not edits scattered through the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from harness.errors import SpecError
from harness.spec import TopologySpec

__all__ = ["DIALECTS", "Dialect", "VersionedMetadataDialect", "dialect_for_image", "load_yaml"]


class _TaggedLoader(yaml.SafeLoader):
    """SafeLoader that reads ShardingSphere's rule tags (``!SHARDING``) as plain mappings."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.MappingNode):
        body = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    else:
        body = {"value": loader.construct_object(node, deep=True)}
    return {"__tag__": suffix, **body}


_TaggedLoader.add_multi_constructor("!", _tagged)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_TaggedLoader)  # noqa: S506 - a SafeLoader subclass


def _q(value: str) -> str:
    """Quote a DistSQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class Dialect:
    """ShardingSphere-Proxy 5.1.x (and DBPlusEngine 1.2/1.3): ``server.yaml``, Memory mode,
    ``ADD RESOURCE`` / ``SHOW SCHEMA RESOURCES``, ``SHOW INSTANCE LIST``."""

    version: str = "5.1"
    server_config: str = "server.yaml"
    template_dir: str = "proxy/5.1"

    # -- configuration -------------------------------------------------------------------
    def mode_block(
        self, spec: TopologySpec, registry_address: str | None, data_dir: str
    ) -> dict[str, Any]:
        if spec.mode == "memory":
            return {"type": "Memory"}
        if spec.mode == "standalone":
            return {
                "type": "Standalone",
                "repository": {"type": "File", "props": {"path": data_dir}},
                "overwrite": False,
            }
        if registry_address is None or spec.registry is None:
            raise ValueError("cluster mode needs a registry and its address")
        server_lists = f"http://{registry_address}" if spec.registry == "etcd" else registry_address
        props: dict[str, Any] = {"namespace": spec.namespace, "server-lists": server_lists}
        props.update(spec.props)
        kind = "ZooKeeper" if spec.registry == "zookeeper" else "Etcd"
        return {"type": "Cluster", "repository": {"type": kind, "props": props}, "overwrite": False}

    def render_mode(self, spec: TopologySpec, registry_address: str | None, data_dir: str) -> str:
        text = yaml.safe_dump(
            self.mode_block(spec, registry_address, data_dir),
            sort_keys=False,
            default_flow_style=False,
        )
        return "\n".join("  " + line for line in text.splitlines())

    def registry_root(self, registry: str, namespace: str) -> str:
        """Where the namespace lives in the registry: ZooKeeper paths are absolute; 5.1's etcd
        repository writes its keys without a leading slash."""
        return f"/{namespace}" if registry == "zookeeper" else namespace

    def registry_metadata_key(self, registry: str, namespace: str, database: str) -> str:
        return f"{self.registry_root(registry, namespace)}/metadata/{database}"

    def registry_config_paths(self, keys: dict[str, str], base: str) -> tuple[str, str] | None:
        """Where one database's active (dataSources, rules) live in the registry, given its
        subtree ``keys`` (full paths) under ``base`` (``registry_metadata_key``)."""
        return f"{base}/dataSources", f"{base}/rules"

    def registry_config(self, keys: dict[str, str], base: str) -> tuple[str, str]:
        """(dataSources, rules) YAML of one database as the registry holds it; empty strings
        where absent."""
        paths = self.registry_config_paths(keys, base)
        if paths is None:
            return "", ""
        return keys.get(paths[0], ""), keys.get(paths[1], "")

    # -- DistSQL -------------------------------------------------------------------------
    def create_database(self, name: str) -> str:
        return f"CREATE DATABASE {name}"

    def drop_database(self, name: str) -> str:
        return f"DROP DATABASE IF EXISTS {name}"

    def register_storage_unit(
        self, name: str, *, host: str, port: int, db: str, user: str, password: str
    ) -> str:
        return (
            f"ADD RESOURCE {name} (HOST={host}, PORT={port}, DB={db}, USER={user}, "
            f"PASSWORD={_q(password)})"
        )

    def create_sharding_table_rule(
        self, table: str, units: list[str], column: str, shards: int
    ) -> str:
        return (
            f"CREATE SHARDING TABLE RULE {table} (RESOURCES({', '.join(units)}), "
            f"SHARDING_COLUMN={column}, TYPE(NAME=hash_mod, "
            f'PROPERTIES("sharding-count"={shards})))'
        )

    def show_storage_units(self, database: str) -> str:
        return f"SHOW SCHEMA RESOURCES FROM {database}"

    def show_sharding_rules(self, database: str) -> str:
        return f"SHOW SHARDING TABLE RULES FROM {database}"

    def export_config(self, database: str) -> str:
        return f"EXPORT SCHEMA CONFIG FROM {database}"

    def parse_export(self, rows: list[dict[str, Any]]) -> tuple[Any, Any]:
        """(data sources, rules) decoded from the export's YAML."""
        text = str(next(iter(rows[0].values()))) if rows else ""
        doc = load_yaml(text) or {}
        return doc.get("dataSources") or {}, doc.get("rules") or []

    def show_compute_nodes(self) -> str:
        return "SHOW INSTANCE LIST"

    def show_databases(self) -> str:
        return "SHOW DATABASES"

    # -- reading results -----------------------------------------------------------------
    def storage_unit_view(self, row: dict[str, Any]) -> dict[str, str]:
        """The comparable part of a storage-unit row (pool internals and secrets dropped)."""
        keys = ("name", "type", "host", "port", "db")
        return {k: str(row.get(k, "")) for k in keys}

    def sharding_rule_view(self, row: dict[str, Any]) -> dict[str, str]:
        return {str(k): "" if v is None else str(v) for k, v in row.items()}


@dataclass(frozen=True)
class VersionedMetadataDialect(Dialect):
    """ShardingSphere-Proxy 5.1.1: as 5.1.0, but a database's configuration in the registry is
    versioned, ``metadata/<db>/<schema>/versions/<active_version>/{dataSources,rules}`` (for
    MySQL the schema is the database's name)."""

    version: str = "5.1.1"

    def registry_config_paths(self, keys: dict[str, str], base: str) -> tuple[str, str] | None:
        schema = f"{base}/{base.rsplit('/', 1)[-1]}"
        active = keys.get(f"{schema}/active_version", "").strip()
        if not active:
            return None
        return super().registry_config_paths(keys, f"{schema}/versions/{active}")


# Looked up by the image's x.y.z first, then x.y.
DIALECTS: dict[str, Dialect] = {"5.1": Dialect(), "5.1.1": VersionedMetadataDialect()}
_VERSION = re.compile(r":(\d+)\.(\d+)(?:\.(\d+))?")


def dialect_for_image(image: str) -> Dialect:
    """Pick the dialect from the image tag's version (``...:5.1.0`` or ``...:5.1.0-<hash>``)."""
    match = _VERSION.search(image)
    if match is None:
        raise SpecError(
            "proxy_image",
            image,
            f"a tag that starts with the engine version, one of {', '.join(DIALECTS)}",
            "tag the image with its version, e.g. my/proxy:5.1.0",
        )
    key = f"{match.group(1)}.{match.group(2)}"
    exact = f"{key}.{match.group(3)}"
    if exact in DIALECTS:
        return DIALECTS[exact]
    if key not in DIALECTS:
        raise SpecError(
            "proxy version",
            key,
            ", ".join(DIALECTS),
            "use a supported proxy image or add a dialect for this version",
        )
    return DIALECTS[key]
