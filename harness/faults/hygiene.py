"""After a test: is anything left of a fault? Toxics, links down, nodes paused or stopped,
a registry or storage container not running. ``repair`` puts a shared topology right so the
next test starts clean even when this one is reported."""

from __future__ import annotations

from harness.errors import FaultError
from harness.runtime.processes import Processes
from harness.runtime.topology import Topology

__all__ = ["leftovers", "repair"]


def leftovers(topology: Topology) -> list[str]:
    """One line per thing a fault left behind, naming the node, link, toxic or container.

    The plugin checks this after every test. Example: ``assert leftovers(topology) == []``.
    """
    found: list[str] = []
    for node in topology.nodes:
        try:
            proxies = node.toxiproxy.proxies()
        except FaultError as exc:
            found.append(f"{node.name}: link container unreachable ({exc})")
            continue
        for name, proxy in sorted(proxies.items()):
            if not proxy.enabled:
                found.append(f"{node.name}: link {name} is down")
            for toxic in proxy.toxics:
                found.append(
                    f"{node.name}: toxic {toxic.name!r} ({toxic.type}, {toxic.stream}) "
                    f"on link {name}"
                )
        if node.proxy is not None:
            status = node.proxy.status()
            if status != "running":
                found.append(f"{node.name}: proxy container is {status}")
    others = [("registry", topology.registry)] + [
        (f"storage-{s.index}", s.container) for s in topology.storage
    ]
    for name, container in others:
        if container is not None and (status := container.status()) != "running":
            found.append(f"{name}: container is {status}")
    return found


def repair(topology: Topology) -> None:
    """Undo every leftover: reset each link, resume or start each node, start the registry."""
    processes = Processes(topology)
    if topology.registry is not None and topology.registry.status() != "running":
        processes.start_registry()
    for s in topology.storage:
        if s.container.status() != "running":
            s.container.start_again()
    for node in topology.nodes:
        node.toxiproxy.reset()
        if node.proxy is None:
            continue
        status = node.proxy.status()
        if status == "paused":
            processes.resume(node.index)
        elif status != "running":
            processes.start(node.index)
