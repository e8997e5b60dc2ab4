"""Convergence latency per node (p50, p95) for storage-unit and rule changes, on ZooKeeper and
etcd, healthy and with 100 ms latency on every node's registry link.

    .venv/bin/python -m benchmarks.latency [--changes N]

Latency is the time from the change's commit (the DistSQL returned on node 0) to each node
first serving it. A cell that does not converge within its timeout is reported as such.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial

from benchmarks.output import median, p95, write
from harness.convergence.api import wait_converged
from harness.engine import connect
from harness.errors import ConvergenceTimeout
from harness.faults.catalog import latency
from harness.faults.controller import Faults
from harness.runtime.images import resolve_images
from harness.runtime.topology import Topology
from harness.session import LogicalDatabase
from harness.spec import TopologySpec

CHANGES = ("storage unit", "rule")


def measure(topo: Topology, changes: int, timeout: float) -> dict[str, dict[str, list[float]]]:
    """``{change: {node: [ms, ...]}}``; a change that does not converge adds no sample."""
    out: dict[str, dict[str, list[float]]] = {c: {} for c in CHANGES}
    for i in range(changes):
        try:
            db = LogicalDatabase.create(topo, f"latency {i}")
        except ConvergenceTimeout:  # etcd on the pinned engine: no run-time propagation
            return out
        steps: tuple[tuple[Callable[[], object], str], ...] = (
            (partial(db.register_storage_unit, "ds_0"), "storage_unit/ds_0"),
            (db.create_sharding_table_rule, "sharding_table_rule/t_order"),
        )
        try:
            for change, (make, key) in zip(CHANGES, steps, strict=True):
                make()
                result = wait_converged(
                    topo, databases=[db.name], timeout=timeout, stable=0.1, expect=db.has(key)
                )
                for node, seconds in result.latency.items():
                    out[change].setdefault(node, []).append(seconds * 1000)
        finally:
            db.drop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()
    client = connect()
    images = resolve_images(client, "local")
    figures: dict[str, object] = {}
    rows: list[list[object]] = []
    for registry in ("zookeeper", "etcd"):
        with Topology(TopologySpec.create(registry=registry), client=client, images=images) as topo:
            for condition in ("healthy", "registry +100 ms"):
                faults = Faults(topo)
                fault: AbstractContextManager[object] = (
                    faults.link([n.index for n in topo.nodes], latency(100))
                    if condition != "healthy"
                    else nullcontext()
                )
                with fault:
                    samples = measure(topo, args.changes, timeout=30)
                figures[f"{registry}/{condition}"] = samples
                for change in CHANGES:
                    per_node = samples[change]
                    if not per_node:
                        rows.append([registry, condition, change, "-", "does not converge", "-"])
                    for node, ms in sorted(per_node.items()):
                        rows.append([registry, condition, change, node, median(ms), p95(ms)])
    write(
        "latency",
        figures,
        ["registry", "condition", "change", "node", "p50 (ms)", "p95 (ms)"],
        rows,
    )


if __name__ == "__main__":
    main()
