"""Per-test overhead in a shared topology: what the plugin does around each test (a fresh
logical database with its baseline convergence, the fault hygiene check, the drop), measured
on the default 3-node ZooKeeper cluster. Goal: under 0.5 s.

    .venv/bin/python -m benchmarks.overhead [--tests N]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.output import median, p95, write
from harness.docker_engine import connect
from harness.faults.hygiene import leftovers
from harness.logical_database import LogicalDatabase
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=20)
    args = parser.parse_args()
    client = connect()
    images = resolve_images(client, "local")
    phases: dict[str, list[float]] = {"fresh database": [], "hygiene check": [], "drop": []}
    with Topology(TopologySpec.create(), client=client, images=images) as topo:
        for i in range(args.tests):
            t0 = time.monotonic()
            db = LogicalDatabase.create(topo, f"overhead {i}")
            t1 = time.monotonic()
            assert leftovers(topo) == []
            t2 = time.monotonic()
            db.drop()
            t3 = time.monotonic()
            phases["fresh database"].append(t1 - t0)
            phases["hygiene check"].append(t2 - t1)
            phases["drop"].append(t3 - t2)
    totals = [sum(v) for v in zip(*phases.values(), strict=True)]
    rows = [[name, median(v), p95(v)] for name, v in phases.items()]
    rows.append(["total per test", median(totals), p95(totals)])
    write(
        "overhead",
        {"tests": args.tests, "phases_s": phases, "total_median_s": median(totals), "goal_s": 0.5},
        ["phase", "median (s)", "p95 (s)"],
        rows,
    )


if __name__ == "__main__":
    main()
