"""Convergence latency per node (p50, p95) for storage-unit and rule changes, on ZooKeeper and
etcd, healthy and with 100 ms latency on every node's registry link.

    .venv/bin/python -m benchmarks.latency [--changes N]

Latency has the report's definition (README, "Convergence latency"): from the change's commit
(the DistSQL returned on node 0) to the end of the read that first showed each node serving
it, the upper bound of the interval its reads allow; a node already serving it at the first
read counts as that read's end. Beside p50/p95: how many samples were first reads, and the
median cost of one round of reads (the resolution). A cell that does not converge within its
timeout is reported as such.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial

from benchmarks.output import median, p95, write
from harness.convergence.api import wait_converged
from harness.docker_engine import connect
from harness.errors import ConvergenceTimeout
from harness.faults.catalog import latency
from harness.faults.controller import Faults
from harness.logical_database import LogicalDatabase
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec

CHANGES = ("storage unit", "rule")


Samples = dict[str, dict[str, list[float]]]


def measure(topo: Topology, changes: int, timeout: float) -> tuple[Samples, Samples]:
    """``{change: {node: [ms, ...]}}`` upper bounds, and ``{change: {"read": [ms, ...],
    "first read": [1.0 per first-read sample]}}``; a change that does not converge adds none."""
    out: Samples = {c: {} for c in CHANGES}
    meta: Samples = {c: {"read": [], "first read": []} for c in CHANGES}
    for i in range(changes):
        try:
            db = LogicalDatabase.create(topo, f"latency {i}")
        except ConvergenceTimeout:  # etcd on the pinned engine: no run-time propagation
            return out, meta
        steps: tuple[tuple[Callable[[], object], str], ...] = (
            (partial(db.register_storage_unit, "ds_0"), "storage_unit/ds_0"),
            (db.create_sharding_table_rule, "sharding_table_rule/t_order"),
        )
        try:
            for change, (make, key) in zip(CHANGES, steps, strict=True):
                make()
                # Every round 50 ms apart: the read cost stays the figures' resolution.
                result = wait_converged(
                    topo,
                    databases=[db.name],
                    timeout=timeout,
                    stable=0.1,
                    expect=db.has(key),
                    max_interval=None,
                )
                for node, seen in result.first_seen.items():
                    out[change].setdefault(node, []).append(seen.by * 1000)
                    if seen.at_first_read:
                        meta[change]["first read"].append(1.0)
                meta[change]["read"].append(result.read_cost * 1000)
        finally:
            db.drop()
    return out, meta


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
                    samples, meta = measure(topo, args.changes, timeout=30)
                figures[f"{registry}/{condition}"] = {"latency_ms": samples, "reads": meta}
                for change in CHANGES:
                    per_node = samples[change]
                    if not per_node:
                        rows.append([registry, condition, change, "-", "does not converge"])
                        continue
                    read = median(meta[change]["read"])
                    first = len(meta[change]["first read"])
                    for node, ms in sorted(per_node.items()):
                        rows.append(
                            [registry, condition, change, node, median(ms), p95(ms), first, read]
                        )
    write(
        "latency",
        figures,
        [
            "registry",
            "condition",
            "change",
            "node",
            "p50 ≤ (ms)",
            "p95 ≤ (ms)",
            "first-read samples (all nodes)",
            "read cost / round (ms)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
