"""What a failed test leaves for a person to read: every node's snapshot and the registry's
namespace, written next to the container logs. Bounded in time (a paused node must not hang
the report) and with secrets masked."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.clients.mysql import SqlError
from harness.convergence.snapshot import read_node_snapshot
from harness.redact import redact
from harness.runtime.nodes import ComputeNode
from harness.runtime.topology import Topology

__all__ = ["dump_state", "folder_name"]


def folder_name(text: str, limit: int = 120) -> str:
    """``text`` (a test id, a failure signature) as one safe folder name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:limit]


def _node_lines(topology: Topology, node: ComputeNode) -> list[str]:
    try:
        with node.sql(read_timeout=3) as conn:
            # The global configuration too: a chaos or convergence failure may be about it.
            snap = read_node_snapshot(node.name, conn, topology.dialect, global_rules=True)
    except (SqlError, OSError) as exc:
        return [f"== {node.name}: unreadable ({type(exc).__name__}: {exc})"]
    return [f"== {node.name}", *(f"{k} = {v}" for k, v in snap.entries)]


def _registry_lines(topology: Topology) -> list[str]:
    kind = topology.spec.registry
    if kind is None:
        return [f"no registry ({topology.spec.mode} mode)"]
    root = topology.dialect.registry_root(kind, topology.spec.namespace)
    try:
        reader = topology.registry_reader()
        try:
            tree = reader.tree(root)
        finally:
            reader.close()
    except Exception as exc:  # noqa: BLE001 - a dump must not hide the test's own failure
        return [f"registry unreadable: {type(exc).__name__}: {exc}"]
    out: list[str] = [f"== {kind} {root}"]
    for key in sorted(tree):
        out.append(f"{key}:")
        out.extend("    " + line for line in tree[key].splitlines())
    return out


def dump_state(topology: Topology, dest: Path) -> list[Path]:
    """Write ``snapshots.txt`` (every node, read in parallel) and ``registry.txt``."""
    dest.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, len(topology.nodes))) as pool:
        per_node = list(pool.map(lambda n: _node_lines(topology, n), topology.nodes))
    snapshots = dest / "snapshots.txt"
    snapshots.write_text("\n".join(line for lines in per_node for line in lines) + "\n")
    registry = dest / "registry.txt"
    registry.write_text(redact("\n".join(_registry_lines(topology)) + "\n"))
    return [snapshots, registry]
