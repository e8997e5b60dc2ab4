"""The default topology as a Docker Compose project, for the provisioning comparison.

Same images, same wiring as harness (each proxy in its Toxiproxy link's network namespace, the
links configured from a file), same rendered configuration. Readiness is what a careful
compose file declares: a healthcheck per service that has a tool for one, every second
(compose's default is 30 s), and ``up --wait``. The proxies' healthcheck is a TCP connect to
3307 (the image has no SQL client); the timing then also waits, from the host, for every
node to answer SQL, as harness does before it reports ready.

Debian bookworm's ``docker-compose`` is 1.29 and has no ``--wait``; Compose v2 is built from
the Go module proxy (``go install``) into harness's cache, once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from harness.clients.mysql import Endpoint
from harness.images.builder import default_cache_dir
from harness.images.steps import require_tool, run_step
from harness.runtime import readiness
from harness.runtime.node_config import PROXY_CONF, PROXY_USER
from harness.runtime.reaper import reap
from harness.runtime.topology import STORAGE_USER, Topology
from harness.runtime.wiring import CLIENT_PORT, PROXY_PORT, REGISTRY_PORTS, links_for
from harness.waiting import poll

COMPOSE_VERSION = "v2.29.7"
HEALTH = {"interval": "1s", "timeout": "2s", "retries": 300}


def compose_binary() -> Path:
    """Compose v2: ``go install`` once into the cache (about 2 minutes on 2 cores)."""
    gobin = default_cache_dir() / f"compose-{COMPOSE_VERSION}"
    binary = gobin / "docker-compose"
    if binary.exists():
        return binary
    require_tool("go", "compose", "install Go (https://go.dev/doc/install) or golang-go")
    print(f"compose: go install github.com/docker/compose/v2/cmd@{COMPOSE_VERSION}", flush=True)
    run_step(
        "compose",
        "go install",
        ["go", "install", f"github.com/docker/compose/v2/cmd@{COMPOSE_VERSION}"],
        env={"CGO_ENABLED": "0", "GOBIN": str(gobin), "GOFLAGS": "-mod=mod"},
    )
    (gobin / "cmd").rename(binary)
    return binary


def _answers(endpoint: Endpoint, sql: str) -> Callable[[], bool | None]:
    """A readiness check for ``poll``: None until the node answers ``sql``."""

    def check() -> bool | None:
        try:
            return readiness.mysql_ready(endpoint, sql)
        except Exception:  # noqa: BLE001 - not up yet, whatever the client says
            return None

    return check


def render(topo: Topology) -> Path:
    """Write ``compose.yaml`` (and each link's config and node's conf) under the workdir."""
    spec = topo.spec
    assert spec.registry == "zookeeper", "the comparison uses the default topology"
    name = topo.name
    port = REGISTRY_PORTS["zookeeper"]
    services: dict[str, Any] = {
        "registry": {
            "image": topo.images.zookeeper,
            "container_name": f"{name}-registry",
            "labels": topo.run.labels(name, "registry"),
            "healthcheck": {
                "test": [
                    "CMD",
                    "bash",
                    "-c",
                    f"exec 3<>/dev/tcp/127.0.0.1/{port}; printf ruok >&3; grep -q imok <&3",
                ],
                **HEALTH,
            },
        }
    }
    for j in range(spec.storage_nodes):
        services[f"storage-{j}"] = {
            "image": topo.images.mariadb,
            "container_name": f"{name}-storage-{j}",
            "labels": topo.run.labels(name, "storage"),
            "environment": {
                "MARIADB_USER": STORAGE_USER,
                "MARIADB_PASSWORD": topo.storage_password,
            },
            "healthcheck": {
                "test": ["CMD", "mariadb-admin", "ping", "-h127.0.0.1", "--silent"],
                **HEALTH,
            },
        }
    links = [
        {"name": p.name, "listen": p.listen, "upstream": p.upstream, "enabled": True}
        for p in links_for(topo.spec, topo.name)
    ]
    links_file = topo.workdir / "links.json"
    links_file.write_text(json.dumps(links))
    for i in range(spec.nodes):
        node = f"node-{i}"
        services[f"{node}-link"] = {
            "image": topo.images.toxiproxy,
            "container_name": f"{name}-{node}-link",
            "labels": topo.run.labels(name, "toxiproxy"),
            "command": ["-host=0.0.0.0", "-config=/links.json"],
            "volumes": [f"{links_file}:/links.json:ro"],
            "ports": [f"127.0.0.1::{CLIENT_PORT}"],
        }
        services[node] = {
            "image": topo.images.proxy,
            "container_name": f"{name}-{node}",
            "labels": topo.run.labels(name, "proxy"),
            "network_mode": f"service:{node}-link",
            "environment": {"PORT": str(PROXY_PORT)},
            "volumes": [f"{topo.render_conf(node)}:{PROXY_CONF}:ro"],
            "depends_on": {
                "registry": {"condition": "service_healthy"},
                f"{node}-link": {"condition": "service_started"},
            },
            "healthcheck": {
                "test": ["CMD", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{PROXY_PORT}"],
                **HEALTH,
            },
        }
    doc = {
        "name": name,
        "services": services,
        "networks": {"default": {"name": name, "labels": topo.run.labels(name, "network")}},
    }
    path = topo.workdir / "compose.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def compose_up(topo: Topology, binary: Path) -> float:
    """Seconds from ``up --wait`` to every node answering SQL; everything is removed after."""
    path = render(topo)
    cmd = [str(binary), "-f", str(path), "-p", topo.name]
    sql = topo.dialect.show_databases()
    t0 = time.monotonic()
    try:
        # Its progress lines would bury the benchmark's own; shown only when it fails.
        up = subprocess.run(
            [*cmd, "up", "--detach", "--wait", "--quiet-pull"],
            check=False,
            capture_output=True,
            text=True,
        )
        if up.returncode != 0:
            raise RuntimeError(f"compose up exited {up.returncode}:\n{up.stdout}{up.stderr}")
        for i in range(topo.spec.nodes):
            out = subprocess.run(
                [*cmd, "port", f"node-{i}-link", str(CLIENT_PORT)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            endpoint = Endpoint("127.0.0.1", int(out.rsplit(":", 1)[1]), PROXY_USER, topo.password)
            poll(_answers(endpoint, sql), timeout=120, what=f"compose node-{i} to answer SQL")
        return time.monotonic() - t0
    finally:
        subprocess.run(
            [*cmd, "down", "--volumes", "--timeout", "1"], check=False, capture_output=True
        )
        reap(topo.client, run_id=topo.run.run_id, topology=topo.name)
        shutil.rmtree(topo.workdir, ignore_errors=True)
