"""How a topology is wired: ports, the names of a node's links, and the links each node's
Toxiproxy serves.

Each compute node runs in the network namespace of its own Toxiproxy, so inside the node
``127.0.0.1:<port>`` is that node's own link to the registry and to every storage unit.
Storage HOST/PORT are cluster-wide metadata; this keeps them identical on every node while each
node still has its own, separately breakable, link. Clients reach a node through its link too.
"""

from __future__ import annotations

import re

from harness.clients.toxiproxy import Proxy
from harness.spec import TopologySpec

__all__ = [
    "CLIENT_LINK",
    "CLIENT_PORT",
    "LINK_NAMES",
    "LINK_PATTERN",
    "PROXY_PORT",
    "REGISTRY_LINK",
    "REGISTRY_PORTS",
    "STORAGE_BASE_PORT",
    "TOXI_API",
    "links_for",
    "storage_address",
    "storage_link",
]

PROXY_PORT = 3307  # the proxy inside its link's namespace
CLIENT_PORT = 3308  # the link's client side, published on the host
TOXI_API = 8474
STORAGE_BASE_PORT = 13306  # storage unit j is 127.0.0.1:13306+j inside every node
REGISTRY_PORTS = {"zookeeper": 2181, "etcd": 2379}

REGISTRY_LINK = "registry"
"""A node's link to the registry (ZooKeeper or etcd).
Example: ``faults.link(2, cut(REGISTRY_LINK))``."""
CLIENT_LINK = "client"
"""The link test clients reach a node's proxy through.
Example: ``faults.link(0, latency(200, link=CLIENT_LINK))``."""
# Every link name a node can have, for validating user input.
LINK_PATTERN = re.compile(rf"^({REGISTRY_LINK}|{CLIENT_LINK}|storage-\d+)$")
LINK_NAMES = f"{REGISTRY_LINK}, {CLIENT_LINK} or storage-<j>"


def storage_link(index: int) -> str:
    """The name of a node's link to storage node ``index`` (0-based).

    Example: ``faults.link(0, cut(storage_link(1)))`` cuts node 0 from the second storage node.
    """
    return f"storage-{index}"


def storage_address(index: int) -> tuple[str, int]:
    """The address of storage node ``index`` that every node registers: its own link."""
    return "127.0.0.1", STORAGE_BASE_PORT + index


def links_for(spec: TopologySpec, topology_name: str) -> list[Proxy]:
    """The links every node's Toxiproxy serves: client in, registry and storage out."""
    out = [Proxy(CLIENT_LINK, f"0.0.0.0:{CLIENT_PORT}", f"127.0.0.1:{PROXY_PORT}")]
    if spec.registry is not None:
        port = REGISTRY_PORTS[spec.registry]
        out.append(Proxy(REGISTRY_LINK, f"127.0.0.1:{port}", f"{topology_name}-registry:{port}"))
    for j in range(spec.storage_nodes):
        host, port = storage_address(j)
        out.append(Proxy(storage_link(j), f"{host}:{port}", f"{topology_name}-storage-{j}:3306"))
    return out
