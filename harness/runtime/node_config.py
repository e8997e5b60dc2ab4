"""A compute node's configuration folder, rendered from the dialect's templates and mounted
read-only at the proxy's conf folder."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from harness.dialect import Dialect
from harness.resources import render_template
from harness.runtime.wiring import REGISTRY_PORTS
from harness.spec import TopologySpec

__all__ = ["PROXY_CONF", "PROXY_DATA", "PROXY_USER", "render_node_config"]

PROXY_USER = "root"
PROXY_CONF = "/opt/shardingsphere-proxy/conf"
PROXY_DATA = "/opt/shardingsphere-proxy/data"


def render_node_config(
    conf: Path,
    *,
    instance: str,
    spec: TopologySpec,
    namespace: str,
    dialect: Dialect,
    templates: Path,
    password: str,
) -> Path:
    """Write the server configuration and logback.xml of node ``instance`` into ``conf``.

    The registry is the node's own link to it (``127.0.0.1`` in the link's namespace);
    ``namespace``, when given, replaces the spec's registry namespace for this node."""
    conf.mkdir(parents=True, exist_ok=True)
    registry = None
    if spec.registry is not None:
        registry = f"127.0.0.1:{REGISTRY_PORTS[spec.registry]}"
    node_spec = replace(spec, namespace=namespace) if namespace else spec
    text = render_template(
        f"{dialect.template_dir}/{dialect.server_config}",
        {
            "node_name": instance,
            "mode_block": dialect.render_mode(node_spec, registry, PROXY_DATA),
            "user": PROXY_USER,
            "password": password,
        },
        templates,
    )
    (conf / dialect.server_config).write_text(text)
    shutil.copy(templates / dialect.template_dir / "logback.xml", conf / "logback.xml")
    conf.chmod(0o755)
    return conf
