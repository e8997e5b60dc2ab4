"""Provisioning time and peak memory of the default topology (3-node cluster on ZooKeeper).

    .venv/bin/python -m benchmarks.provision [--runs N]

Writes reports/bench/provision.json and provision.md. Peak memory is the kernel's own
high-water mark per container cgroup (memory.max_usage_in_bytes on cgroup v1, memory.peak on
v2), read after a metadata change has converged on every node.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.cgroups import peak_bytes
from harness.convergence.api import assert_converged
from harness.docker_engine import connect
from harness.logical_database import LogicalDatabase
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec

OUT = Path("reports/bench")


@dataclass
class RunFigures:
    ready_s: float
    phases_s: dict[str, float]
    peak_bytes: dict[str, int]
    convergence_ms: dict[str, int]


def one_run(client: object) -> RunFigures:
    images = resolve_images(client, "local")
    t0 = time.monotonic()
    with Topology(TopologySpec.create(), client=client, images=images) as topo:
        ready = time.monotonic() - t0
        phases = {e.detail: round(e.at, 3) for e in topo.events}
        db = LogicalDatabase.create(topo, "benchmark")
        db.register_storage_unit("ds_0")
        with topo.nodes[0].sql(db.name) as c:
            c.execute(topo.dialect.create_sharding_table_rule("t_order", ["ds_0"], "order_id", 4))
        result = assert_converged(topo, databases=[db.name], timeout=60)
        peaks: dict[str, int] = {}
        for ctr in topo.containers():
            peak = peak_bytes(ctr.container.id)
            if peak is not None:
                peaks[f"{ctr.spec.role}:{ctr.name.removeprefix(topo.name + '-')}"] = peak
    return RunFigures(
        round(ready, 3), phases, peaks, {k: round(v * 1000) for k, v in result.latency.items()}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    client = connect()
    runs = [one_run(client) for _ in range(args.runs)]
    ready = [r.ready_s for r in runs]
    totals = [sum(r.peak_bytes.values()) for r in runs]
    summary = {
        "ready_s_median": statistics.median(ready),
        "ready_s_min": min(ready),
        "ready_s_max": max(ready),
        "cluster_peak_mib_max": round(max(totals) / 2**20, 1),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "provision.json").write_text(
        json.dumps({"summary": summary, "runs": [asdict(r) for r in runs]}, indent=2)
    )
    lines = [
        "| run | ready (s) | cluster peak (MiB) |",
        "|---|---|---|",
        *[
            f"| {i + 1} | {r.ready_s} | {round(t / 2**20, 1)} |"
            for i, (r, t) in enumerate(zip(runs, totals, strict=True))
        ],
        "",
        "| container | peak MiB (last run) |",
        "|---|---|",
        *[f"| {k} | {round(v / 2**20, 1)} |" for k, v in sorted(runs[-1].peak_bytes.items())],
    ]
    (OUT / "provision.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(summary, indent=2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
