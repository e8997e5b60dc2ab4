"""Per-version knowledge of the proxy: config files, mode blocks, DistSQL, snapshot reads.

A new engine version (another ShardingSphere release, a DBPlusEngine build) is a new dialect,
not edits scattered through the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from harness.errors import SpecError
from harness.spec import TopologySpec

__all__ = [
    "DIALECTS",
    "Dialect",
    "Dialect55",
    "VersionedMetadataDialect",
    "dialect_for_version",
    "dialect_named",
    "load_yaml",
    "props_config_view",
    "props_view",
    "sql_parser_config_view",
]


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


# SHOW SQL_PARSER RULE's cache columns, and the sizes compared (the registry's camelCase).
_SQL_PARSER_CACHES = ("parse_tree_cache", "sql_statement_cache")
_CACHE_SIZES = {"initial_capacity": "initialCapacity", "maximum_size": "maximumSize"}


def sql_parser_config_view(config: Any) -> dict[str, Any]:
    """The SQL parser rule's cache sizes in its configuration as the registry holds it
    (``parseTreeCache: {initialCapacity: ..}``), keyed as ``Dialect.sql_parser_view``; a rule
    the registry does not hold (5.1 before its first change: nodes run the default) reads
    empty."""
    if not isinstance(config, dict):
        return {}
    view: dict[str, Any] = {}
    for column in _SQL_PARSER_CACHES:
        cache = config.get(_camel(column))
        if isinstance(cache, dict):
            view[column] = {
                snake: str(cache[camel]) for snake, camel in _CACHE_SIZES.items() if camel in cache
            }
    return view


# Rows of SHOW ALL VARIABLES / SHOW DIST VARIABLES that are not props (VariableEnum): the
# asking session's own (its cached connections, transaction type) or the node's (its agent).
_NOT_PROPS = frozenset({"agent_plugins_enabled", "cached_connections", "transaction_type"})


def props_view(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The props in a node's ``SHOW ... VARIABLES`` rows, by snake_case name."""
    view: dict[str, str] = {}
    for row in rows:
        name, value = (str(v) for v in list(row.values())[:2])
        if name not in _NOT_PROPS:
            view[name] = value
    return view


def props_config_view(config: Any) -> dict[str, str]:
    """Props as the registry holds them (kebab-case YAML), keyed and written as a node's
    ``props_view`` (``sql-show: true`` reads ``sql_show: "true"``)."""
    if not isinstance(config, dict):
        return {}
    return {str(k).replace("-", "_"): _prop_text(v) for k, v in config.items()}


def _prop_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


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

    def registry_config_roots(self, base: str) -> tuple[str, ...]:
        """The subtrees of one database under ``base`` that hold its configuration: what a
        convergence check reads (the rest is table metadata, 1,200 keys for the system
        databases of a 5.5 cluster)."""
        return f"{base}/dataSources", f"{base}/rules"

    def registry_config(self, keys: dict[str, str], base: str) -> tuple[Any, Any]:
        """(data sources, rules) of one database as the registry holds it, decoded; empty
        where absent."""
        paths = self.registry_config_paths(keys, base)
        if paths is None:
            return {}, []
        return load_yaml(keys.get(paths[0]) or "{}"), load_yaml(keys.get(paths[1]) or "[]")

    def registry_rewrite(
        self, keys: dict[str, str], base: str, edit: Callable[[str], str | None]
    ) -> list[tuple[str, str]]:
        """The writes that change one database's active rules in the registry as the engine
        itself would: ``edit`` gets each rule value and returns its new text, or None to leave
        it. ``keys`` is the database's subtree under ``base``."""
        paths = self.registry_config_paths(keys, base)
        if paths is None or paths[1] not in keys:
            return []
        new = edit(keys[paths[1]])
        return [] if new is None else [(paths[1], new)]

    # -- DistSQL -------------------------------------------------------------------------
    def create_database(self, name: str) -> str:
        return f"CREATE DATABASE {name}"

    def drop_database(self, name: str, *, if_exists: bool = True) -> str:
        return f"DROP DATABASE {'IF EXISTS ' if if_exists else ''}{name}"

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

    def member_id(self, row: dict[str, Any]) -> str:
        """How a compute-node row names the node: ``<ip>@<port>``."""
        return str(row["instance_id"])

    def create_may_miss_nodes(self, registry: str | None) -> bool:
        """Whether a run-time CREATE DATABASE can fail to reach a peer for good (an upstream
        race; see Dialect55). 5.1 writes the database's node, which every peer watches."""
        return False

    def applies_own_changes_async(self) -> bool:
        """Whether the node that ran a DistSQL change applies it only when its own registry
        watch fires (so it may not serve it yet when the statement returns)."""
        return False

    def first_boots_race(self) -> bool:
        """Whether cluster nodes booting together on an empty namespace can break each
        other's boot (so the first must boot alone)."""
        return False

    def user_databases(self, names: list[str]) -> list[str]:
        """The logical databases among ``SHOW DATABASES``'s names (5.1 lists only those)."""
        return names

    def show_databases(self) -> str:
        return "SHOW DATABASES"

    def alter_sql_parser_rule(self, parse_tree_cache_initial_capacity: int) -> str:
        """Alter a global rule (the SQL parser's parse-tree cache size)."""
        return (
            "ALTER SQL_PARSER RULE SQL_COMMENT_PARSE_ENABLE=false, PARSE_TREE_CACHE("
            f"INITIAL_CAPACITY={parse_tree_cache_initial_capacity}, MAXIMUM_SIZE=1000000, "
            "CONCURRENCY_LEVEL=4)"
        )

    def show_sql_parser_rule(self) -> str:
        return "SHOW SQL_PARSER RULE"

    def sql_parser_view(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """The SQL parser rule's cache sizes in ``SHOW SQL_PARSER RULE``'s rows, keyed as in
        ``sql_parser_config_view`` (the registry's side), so the two compare key by key."""
        if not rows:
            return {}
        view: dict[str, Any] = {}
        for column in _SQL_PARSER_CACHES:
            text = str(rows[0].get(column, ""))
            view[column] = {
                snake: found.group(1)
                for snake, camel in _CACHE_SIZES.items()
                if (found := re.search(rf'{camel}"?:\s*(\d+)', text))
            }
        return view

    def registry_global_rule(self, keys: dict[str, str], root: str, rule: str) -> Any:
        """One global rule's configuration as the registry holds it, decoded (None if it is
        not there). 5.1 keeps every global rule in one YAML list at ``<root>/rules``, each item
        tagged (``!SQL_PARSER``); ``keys`` is the subtree under ``<root>/rules``."""
        for item in load_yaml(keys.get(f"{root}/rules") or "[]") or []:
            if isinstance(item, dict) and item.get("__tag__") == rule.upper():
                return item
        return None

    def show_props(self) -> str:
        """Every prop's value on the node answering (and a few session variables)."""
        return "SHOW ALL VARIABLES"

    def set_prop(self, name: str, value: str) -> str:
        """Change a prop cluster-wide (``name`` snake_case, as ``show_props`` lists it)."""
        return f"SET VARIABLE {name} = {value}"

    def registry_props(self, keys: dict[str, str], root: str) -> Any:
        """The props as the registry holds them, decoded (None if not there); ``keys`` is the
        subtree under ``<root>/props``. 5.1 keeps them in one YAML map at ``<root>/props``."""
        value = keys.get(f"{root}/props")
        return None if value is None else load_yaml(value)

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

    def registry_config_roots(self, base: str) -> tuple[str, ...]:
        return (f"{base}/{base.rsplit('/', 1)[-1]}",)

    def registry_config_paths(self, keys: dict[str, str], base: str) -> tuple[str, str] | None:
        schema = f"{base}/{base.rsplit('/', 1)[-1]}"
        active = keys.get(f"{schema}/active_version", "").strip()
        if not active:
            return None
        return super().registry_config_paths(keys, f"{schema}/versions/{active}")


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.capitalize() for p in rest)


@dataclass(frozen=True)
class Dialect55(Dialect):
    """ShardingSphere-Proxy 5.5.x (read from the 5.5.2 source release): ``global.yaml``; no
    Memory mode (removed in 5.2); DistSQL renamed in 5.3 (``REGISTER STORAGE UNIT``,
    ``SHOW STORAGE UNITS``, ``EXPORT DATABASE CONFIGURATION``, ``SHOW COMPUTE NODES``); the
    registry keeps one versioned key per storage unit and per rule item."""

    version: str = "5.5"
    server_config: str = "global.yaml"
    template_dir: str = "proxy/5.5"
    # StandaloneContextManagerBuilder's JDBC repository; on h2:mem it truncates at boot.
    H2_OPTIONS = "DATABASE_TO_UPPER=false;MODE=MYSQL"
    # MySQLSystemDatabase: listed by SHOW DATABASES beside the logical ones.
    SYSTEM_DATABASES = frozenset(
        ("information_schema", "performance_schema", "mysql", "sys", "shardingsphere")
    )

    def mode_block(
        self, spec: TopologySpec, registry_address: str | None, data_dir: str
    ) -> dict[str, Any]:
        if spec.mode in ("memory", "standalone"):
            # memory: the JDBC repository on in-memory H2; standalone: on a file that
            # survives a restart (the node's data volume).
            where = (
                "mem:config;DB_CLOSE_DELAY=-1"
                if spec.mode == "memory"
                else (f"file:{data_dir}/config")
            )
            props = {"provider": "H2", "jdbc_url": f"jdbc:h2:{where};{self.H2_OPTIONS}"}
            return {"type": "Standalone", "repository": {"type": "JDBC", "props": props}}
        block = super().mode_block(spec, registry_address, data_dir)
        block.pop("overwrite")  # removed in 5.2.1; 5.5 refuses unknown keys
        if spec.registry == "etcd":
            block["repository"]["type"] = "etcd"
        return block

    def registry_config_paths(self, keys: dict[str, str], base: str) -> tuple[str, str] | None:
        raise NotImplementedError("5.5 keeps one key per storage unit and rule item")

    def registry_config_roots(self, base: str) -> tuple[str, ...]:
        return f"{base}/data_sources", f"{base}/rules"

    def registry_global_rule(self, keys: dict[str, str], root: str, rule: str) -> Any:
        """5.5 versions each global rule: ``<root>/rules/<rule>/versions/<active_version>``."""
        base = f"{root}/rules/{rule}"
        active = keys.get(f"{base}/active_version", "").strip()
        value = keys.get(f"{base}/versions/{active}") if active else None
        return None if value is None else load_yaml(value)

    def registry_props(self, keys: dict[str, str], root: str) -> Any:
        """5.5 versions the props: ``<root>/props/versions/<active_version>``."""
        active = keys.get(f"{root}/props/active_version", "").strip()
        value = keys.get(f"{root}/props/versions/{active}") if active else None
        return None if value is None else load_yaml(value)

    def show_props(self) -> str:
        return "SHOW DIST VARIABLES"

    def set_prop(self, name: str, value: str) -> str:
        return f"SET DIST VARIABLE {name} = {value}"

    def registry_config(self, keys: dict[str, str], base: str) -> tuple[Any, Any]:
        """Active versions of ``<base>/data_sources/units/<ds>`` and of every
        ``<base>/rules/<rule>/<item path>``, put back into the shape
        ``EXPORT DATABASE CONFIGURATION`` prints (``!SHARDING`` with ``autoTables`` ...)."""
        data_sources: dict[str, Any] = {}
        rules: dict[str, dict[str, Any]] = {}
        for key, active in keys.items():
            if not key.endswith("/active_version"):
                continue
            value = keys.get(f"{key.rsplit('/', 1)[0]}/versions/{active.strip()}")
            if value is None:
                continue
            parts = key[len(base) + 1 :].split("/")[:-1]
            if parts[:2] == ["data_sources", "units"] and len(parts) == 3:
                data_sources[parts[2]] = load_yaml(value)
            elif parts[0] == "rules" and len(parts) >= 3:
                body = rules.setdefault(parts[1], {"__tag__": parts[1].upper()})
                item = load_yaml(value)
                if len(parts) == 3 or parts[2] == "default_strategies":
                    body[_camel(parts[-1])] = item  # a unique item
                else:
                    body.setdefault(_camel(parts[2]), {})[parts[3]] = item
        return data_sources, list(rules.values())

    def registry_rewrite(
        self, keys: dict[str, str], base: str, edit: Callable[[str], str | None]
    ) -> list[tuple[str, str]]:
        # A new version beside the active one, then the switch (MetaDataVersionPersistService).
        writes: list[tuple[str, str]] = []
        for key, active in sorted(keys.items()):
            if not key.startswith(f"{base}/rules/") or not key.endswith("/active_version"):
                continue
            item = key.rsplit("/", 1)[0]
            new = edit(keys.get(f"{item}/versions/{active.strip()}", ""))
            if new is None:
                continue
            versions = [int(k.rsplit("/", 1)[1]) for k in keys if k.startswith(f"{item}/versions/")]
            nxt = str(max(versions, default=-1) + 1)
            writes += [(f"{item}/versions/{nxt}", new), (key, nxt)]
        return writes

    def register_storage_unit(
        self, name: str, *, host: str, port: int, db: str, user: str, password: str
    ) -> str:
        return (
            f"REGISTER STORAGE UNIT {name} (HOST={_q(host)}, PORT={port}, DB={_q(db)}, "
            f"USER={_q(user)}, PASSWORD={_q(password)})"
        )

    def alter_sql_parser_rule(self, parse_tree_cache_initial_capacity: int) -> str:
        # 5.5's grammar has no SQL_COMMENT_PARSE_ENABLE or CONCURRENCY_LEVEL; parenthesised.
        return (
            "ALTER SQL_PARSER RULE (PARSE_TREE_CACHE("
            f"INITIAL_CAPACITY={parse_tree_cache_initial_capacity}, MAXIMUM_SIZE=1000000))"
        )

    def create_sharding_table_rule(
        self, table: str, units: list[str], column: str, shards: int
    ) -> str:
        return (
            f"CREATE SHARDING TABLE RULE {table} (STORAGE_UNITS({', '.join(units)}), "
            f'SHARDING_COLUMN={column}, TYPE(NAME="hash_mod", '
            f'PROPERTIES("sharding-count"="{shards}")))'
        )

    def show_storage_units(self, database: str) -> str:
        return f"SHOW STORAGE UNITS FROM {database}"

    def export_config(self, database: str) -> str:
        return f"EXPORT DATABASE CONFIGURATION FROM {database}"

    def show_compute_nodes(self) -> str:
        return "SHOW COMPUTE NODES"

    def member_id(self, row: dict[str, Any]) -> str:
        # 5.5's instance_id is a UUID made at each boot; host and port name the node.
        return f"{row['host']}@{row['port']}"

    def create_may_miss_nodes(self, registry: str | None) -> bool:
        # ClusterMetaDataManagerPersistService.createDatabase announces a database through
        # an ephemeral /states/listener_assisted/<db> that every node deletes once handled
        # (ListenerAssistedChangedHandler). On ZooKeeper, CuratorCache reads a created node's
        # data asynchronously: a node slower than the first to delete it gets NONODE, never
        # sees the database, and does not watch /metadata/<db> until it restarts. etcd's
        # events carry the value, so it does not lose them.
        return registry == "zookeeper"

    def applies_own_changes_async(self) -> bool:
        # Cluster mode: registerStorageUnits only writes the registry; every node, the writer
        # too, applies the change from its watch.
        return True

    def first_boots_race(self) -> bool:
        # MetaDataContextsFactory.create loads from the registry once /metadata has children;
        # a node that gets there while a peer still persists its global rules reads an
        # active_version whose version is not written yet and dies with a
        # NullPointerException in GlobalRulePersistService.load (seen once in ~100 starts).
        return True

    def user_databases(self, names: list[str]) -> list[str]:
        return [n for n in names if n not in self.SYSTEM_DATABASES]


# By name (--harness-proxy-dialect); a release is looked up as x.y.z first, then x.y.
DIALECTS: dict[str, Dialect] = {
    "5.1": Dialect(),
    "5.1.1": VersionedMetadataDialect(),
    "5.5": Dialect55(),
}


def dialect_named(name: str) -> Dialect:
    """The dialect called ``name`` (``--harness-proxy-dialect``)."""
    try:
        return DIALECTS[name.strip()]
    except KeyError:
        raise SpecError(
            "proxy dialect",
            name,
            " | ".join(DIALECTS),
            "pass --harness-proxy-dialect with the ShardingSphere line the image speaks",
        ) from None


def dialect_for_version(version: str | None, image: str = "") -> Dialect:
    """The dialect of a ShardingSphere release (``5.5.2``): x.y.z first, then x.y."""
    where = f" image {image}" if image else ""
    if not version:
        raise SpecError(
            "proxy image",
            image or "?",
            "an image on this Docker engine whose ShardingSphere release harness can tell (a "
            "harness build's label, or shardingsphere-proxy-backend-<x.y.z>.jar in "
            "/opt/shardingsphere-proxy/lib)",
            f"pass --harness-proxy-dialect={' | '.join(DIALECTS)} for the{where}",
        )
    if version in DIALECTS:
        return DIALECTS[version]
    line = ".".join(version.split(".")[:2])
    if line not in DIALECTS:
        raise SpecError(
            "proxy version",
            f"{version}{where and ' (' + where.strip() + ')'}",
            ", ".join(DIALECTS),
            "use a supported release, or pass --harness-proxy-dialect with the closest line "
            "if its DistSQL and configuration match",
        )
    return DIALECTS[line]
