"""Topology spec: frozen, validated once at the edge; nothing read from the environment here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from harness.errors import SpecError

__all__ = [
    "DEFAULT_ETCD_PROPS",
    "DEFAULT_ZOOKEEPER_PROPS",
    "MODES",
    "REGISTRIES",
    "Mode",
    "RegistryKind",
    "TopologySpec",
    "parse_mode",
    "parse_nodes",
    "parse_registry",
]

Mode = Literal["memory", "standalone", "cluster"]
RegistryKind = Literal["zookeeper", "etcd"]
MODES: tuple[Mode, ...] = get_args(Mode)
REGISTRIES: tuple[RegistryKind, ...] = get_args(RegistryKind)
MAX_NODES = 8
MAX_STORAGE = 4

# The seed's values (cluster-deployment.txt); every one is settable.
DEFAULT_ZOOKEEPER_PROPS: Mapping[str, int] = {
    "retryIntervalMilliseconds": 500,
    "timeToLiveSeconds": 60,
    "maxRetries": 3,
    "operationTimeoutMilliseconds": 500,
}
DEFAULT_ETCD_PROPS: Mapping[str, int] = {"timeToLiveSeconds": 30, "connectionTimeout": 30}
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def parse_mode(value: str) -> Mode:
    v = value.strip().lower()
    if v not in MODES:
        raise SpecError(
            "mode", value, " | ".join(MODES), "use --harness-mode=cluster (or memory, standalone)"
        )
    return v


def parse_registry(value: str) -> RegistryKind:
    v = value.strip().lower()
    if v not in REGISTRIES:
        raise SpecError(
            "registry",
            value,
            " | ".join(REGISTRIES),
            "use --harness-registry=zookeeper or --harness-registry=etcd",
        )
    return v


def parse_nodes(value: str | int, name: str = "nodes", upper: int = MAX_NODES) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise SpecError(
            name, value, f"an integer from 1 to {upper}", f"pass a whole number, e.g. {name}=3"
        ) from None
    if not 1 <= n <= upper:
        raise SpecError(
            name, value, f"an integer from 1 to {upper}", f"pass a number in range, e.g. {name}=3"
        )
    return n


@dataclass(frozen=True)
class TopologySpec:
    """What to provision. Build with :meth:`create` (validates) or ``replace`` a valid one.

    Example: ``TopologySpec.create(mode="cluster", registry="etcd", nodes=3)``; in a test,
    ``@pytest.mark.topology(registry="etcd", nodes=2)`` asks the plugin for one.
    """

    mode: Mode = "cluster"
    registry: RegistryKind | None = "zookeeper"
    nodes: int = 3
    storage_nodes: int = 1
    namespace: str = "governance_ds"
    props: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_ZOOKEEPER_PROPS))
    proxy_image: str | None = None
    # The dialect to speak to the proxy (harness.dialect.DIALECTS); None: told by the image.
    proxy_dialect: str | None = None

    @classmethod
    def create(
        cls,
        *,
        mode: str = "cluster",
        registry: str | None = None,
        nodes: int | str = 3,
        storage_nodes: int | str = 1,
        namespace: str = "governance_ds",
        props: Mapping[str, object] | None = None,
        proxy_image: str | None = None,
        proxy_dialect: str | None = None,
    ) -> TopologySpec:
        """A validated spec; SpecError names the bad argument, the allowed values and the fix."""
        m = parse_mode(mode)
        reg: RegistryKind | None
        if m == "cluster":
            reg = parse_registry(registry) if registry is not None else "zookeeper"
        elif registry is not None:
            raise SpecError(
                "registry",
                registry,
                f"none in {m} mode",
                f"drop the registry, or use mode=cluster to run with {registry}",
            )
        else:
            reg = None
        n = parse_nodes(nodes)
        s = parse_nodes(storage_nodes, "storage_nodes", MAX_STORAGE)
        if not _NAMESPACE.match(namespace):
            raise SpecError(
                "namespace",
                namespace,
                "a letter then letters, digits or _ (at most 64)",
                "use a name like governance_ds",
            )
        merged = _validate_props(reg, props or {})
        if proxy_image is not None and (not proxy_image.strip() or " " in proxy_image):
            raise SpecError(
                "proxy_image",
                proxy_image,
                "an image reference like repo:tag",
                "pass --harness-proxy-image=apache/shardingsphere-proxy:5.1.0",
            )
        if proxy_dialect is not None and not proxy_dialect.strip():
            proxy_dialect = None
        return cls(m, reg, n, s, namespace, merged, proxy_image, proxy_dialect)

    @property
    def key(self) -> tuple[object, ...]:
        """Specs with equal keys share one topology in a session."""
        return (
            self.mode,
            self.registry,
            self.nodes,
            self.storage_nodes,
            self.namespace,
            tuple(sorted(self.props.items())),
            self.proxy_image,
            self.proxy_dialect,
        )

    def describe(self) -> str:
        """Short human form, e.g. ``cluster/zookeeper x3``."""
        reg = f"/{self.registry}" if self.registry else ""
        return f"{self.mode}{reg} x{self.nodes}"


def _validate_props(registry: RegistryKind | None, props: Mapping[str, object]) -> dict[str, int]:
    if registry is None:
        if props:
            raise SpecError(
                "props",
                dict(props),
                "none outside cluster mode",
                "registry props only apply with mode=cluster",
            )
        return {}
    defaults = DEFAULT_ZOOKEEPER_PROPS if registry == "zookeeper" else DEFAULT_ETCD_PROPS
    merged = dict(defaults)
    for key, raw in props.items():
        if key not in defaults:
            raise SpecError(
                f"{registry} prop",
                key,
                ", ".join(defaults),
                f"use one of the {registry} repository props from the seed",
            )
        if isinstance(raw, bool):
            raise SpecError(
                f"{registry} prop {key}",
                raw,
                "a non-negative integer",
                f"pass a number, e.g. {key}={defaults[key]}",
            )
        try:
            value = int(cast(int, raw))
        except (TypeError, ValueError):
            raise SpecError(
                f"{registry} prop {key}",
                raw,
                "a non-negative integer",
                f"pass a number, e.g. {key}={defaults[key]}",
            ) from None
        if value < 0 or (key == "timeToLiveSeconds" and value == 0):
            raise SpecError(
                f"{registry} prop {key}",
                raw,
                "a positive integer" if key == "timeToLiveSeconds" else "a non-negative integer",
                f"pass a number, e.g. {key}={defaults[key]}",
            )
        merged[key] = value
    return merged
