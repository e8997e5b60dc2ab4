"""Provisioning, side by side in one run (rounds interleaved, medians and ratios):

- harness: the default topology (3-node ZooKeeper cluster, MariaDB, a Toxiproxy per node),
  started as the harness does (concurrently, readiness polled every 50-100 ms, the namespace
  seeded by an unmeasured start before the rounds);
- unseeded: the same without a seed, as the first cluster of its kind starts;
- limit: one proxy container's own boot, container start to first answered query (measured
  inside a one-node memory-mode topology);
- cluster proxy alone: one cluster-mode proxy joining a running one-node cluster, nothing else
  starting, start to first query (the cluster's own cost, without contention);
- serial: the same topology started one container after another with a 1 s polling wait, as a
  hand-written testcontainers set-up does;
- compose: the same topology as a Compose project, ``docker compose up --wait`` with 1 s
  healthchecks, then every node answering SQL (benchmarks/compose.py).

    .venv/bin/python -m benchmarks.provision_compare [--rounds N] [--no-compose]

Goals: harness at most 1.2x the CPU bound (the larger of one proxy alone and the CPU seconds
every container of the topology used until ready, summed, over the cores) and at most 0.5x
compose. The table gives the ratio of
the medians and, as a check on it, the median and range of each round's own ratio. A second
table (``provision_cpu``) gives the CPU time each role used until ready, from the containers'
cgroups, and the lower bound on the harness's time that the proxies' CPU alone sets on this
machine's cores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.cgroups import cpu_seconds
from benchmarks.compose import compose_binary, compose_up
from benchmarks.output import median, write
from harness.docker_engine import connect
from harness.errors import ProvisionError
from harness.runtime.containers import RunningContainer
from harness.runtime.image_set import ImageSet, resolve_images
from harness.runtime.seed import SeedStore
from harness.runtime.topology import Topology
from harness.spec import TopologySpec
from harness.timeline import NodeChange, Waiting, decode


class SerialTopology(Topology):
    """The same topology, each container started after the previous one answered, readiness
    checked once a second."""

    def _start(self) -> None:
        self._network = self.client.networks.create(
            self.name, driver="bridge", labels=self._labels("network"), check_duplicate=True
        )
        self._start_registry_container()
        self._wait_registry_ready()
        self.storage = [self._start_storage(j) for j in range(self.spec.storage_nodes)]
        self.nodes = []
        for _ in range(self.spec.nodes):
            node = self._start_link()
            self.nodes.append(node)
            self._start_proxy(node)

    def _wait(
        self,
        what: str,
        check: Callable[[], object],
        container: RunningContainer,
        retry: tuple[type[BaseException], ...] = (),
        *,
        role: str,
        subject: str,
    ) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except Exception:  # noqa: BLE001, S110 - "not yet", as a naive set-up treats it
                pass
            time.sleep(1.0)
        raise ProvisionError(f"timed out waiting for {what}")


SETUPS = (
    ("unseeded", "harness, the first cluster of its kind (empty namespace, first node alone)"),
    ("limit", "limit: one proxy alone (memory mode), start to first query"),
    ("cluster_proxy_boot", "a cluster proxy joining ZooKeeper, start to first query (slowest)"),
    ("cluster_proxy_alone", "one cluster proxy joining a running registry, nothing else starting"),
    ("serial", "serial, 1 s polling"),
    ("compose", "docker compose up --wait (1 s healthchecks), then SQL"),
)


def timed(make: Callable[[], Topology]) -> tuple[float, Topology]:
    """Seconds to start a topology (a failed start tears itself down)."""
    topo = make()
    t0 = time.monotonic()
    topo.start()
    return time.monotonic() - t0, topo


def proxy_boot(topo: Topology, node: str) -> float:
    """Container start to first query of one proxy, from a started topology's timeline."""
    records = [(e.at, decode(e)) for e in topo.events]
    started = next(
        at for at, r in records if isinstance(r, Waiting) and (r.role, r.subject) == ("proxy", node)
    )
    ready = next(
        at
        for at, r in records
        if isinstance(r, NodeChange) and (r.node, r.action) == (node, "ready")
    )
    return ready - started


def role_cpu(topo: Topology) -> dict[str, list[float]]:
    """CPU seconds each container has used so far, by role (empty where cgroups are unread)."""
    out: dict[str, list[float]] = {}
    for c in topo.containers():
        seconds = cpu_seconds(c.container.id)
        if seconds is not None:
            out.setdefault(c.spec.role, []).append(seconds)
    return out


def memory_proxy_boot(client: Any, images: ImageSet) -> tuple[float, list[float]]:
    """One proxy alone (memory mode: no registry to join), start to first query; and the CPU
    seconds it used until then."""
    topo = Topology(TopologySpec.create(mode="memory", nodes=1), client=client, images=images)
    try:
        topo.start()
        return proxy_boot(topo, "node-0"), role_cpu(topo).get("proxy", [])
    finally:
        topo.stop()


def cluster_proxy_alone(client: Any, images: ImageSet) -> float:
    """One cluster proxy joining a running one-node cluster while nothing else starts."""
    topo = Topology(TopologySpec.create(nodes=1), client=client, images=images)
    try:
        topo.start()
        return proxy_boot(topo, topo.add_node().name)
    finally:
        topo.stop()


def cpu_bound_row(
    summary: dict[str, Any], harness_s: float, limit_s: float, total_cpu: list[float]
) -> list[Any]:
    """The CPU bound: no faster than one proxy alone, nor than the CPU every container of the
    topology used until ready, spread over the cores (both measured in this run)."""
    cores = len(os.sched_getaffinity(0))
    spread = median(total_cpu) / cores
    bound = max(limit_s, spread)
    summary["cpu_bound_s"] = round(bound, 3)
    summary["cpu_spread_s"] = round(spread, 3)
    summary["harness_over_cpu_bound"] = round(harness_s / bound, 2)
    return [
        f"CPU bound: max(limit, {median(total_cpu):.2f} CPU s / {cores} cores)",
        round(bound, 3),
        round(harness_s / bound, 2),
        "goal <= 1.2",
    ]


def cpu_table(cpu: dict[str, list[float]], limit_s: float, harness_s: float) -> None:
    """CPU seconds per container until ready (medians over rounds), and the bound they set:
    the proxies need at least this much CPU, and this machine has ``cores`` to give."""
    cores = len(os.sched_getaffinity(0))
    nodes = TopologySpec.create().nodes
    rows: list[list[Any]] = []
    for role_name, label in (
        ("limit", "limit's proxy (memory mode)"),
        ("proxy", "cluster proxy"),
        ("registry", "registry (ZooKeeper)"),
        ("storage", "storage (MariaDB)"),
        ("toxiproxy", "link (Toxiproxy)"),
    ):
        if cpu.get(role_name):
            rows.append([label, median(cpu[role_name])])
    summary: dict[str, Any] = {
        "cores": cores,
        "cpu_s_median": {k: median(v) for k, v in cpu.items() if v},
    }
    if cpu.get("limit"):
        # Even were every other container free and the cluster proxies no dearer than the
        # limit's, the cores must run this much proxy CPU before the topology answers.
        bound = nodes * median(cpu["limit"]) / cores
        summary["bound_s"] = round(bound, 3)
        summary["bound_over_limit"] = round(bound / limit_s, 2)
        rows.append(
            [
                f"bound: {nodes} x the limit's proxy CPU / {cores} cores (s)",
                f"{bound:.2f} = {bound / limit_s:.2f}x the limit"
                f" (harness: {harness_s / limit_s:.2f}x)",
            ]
        )
    write(
        "provision_cpu",
        {"summary": summary, "rounds": cpu},
        ["container", "CPU s until ready"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-compose", action="store_true", help="skip the compose column")
    args = parser.parse_args()
    client = connect()
    images = resolve_images(client, "local")
    spec = TopologySpec.create()
    compose = None if args.no_compose else compose_binary()
    # The harness seeds a cluster's namespace from the first of its kind: one unmeasured start
    # makes the seed, in a folder of this run's own.
    seeds = SeedStore(Path(tempfile.mkdtemp(prefix="harness-bench-seeds-")))
    Topology(spec, client=client, images=images, seeds=seeds).start().stop()
    figures: dict[str, list[float]] = {
        "harness": [],
        "unseeded": [],
        "limit": [],
        "cluster_proxy_boot": [],
        "cluster_proxy_alone": [],
        "serial": [],
        "compose": [],
    }
    cpu: dict[str, list[float]] = {}
    total_cpu: list[float] = []  # per round: CPU seconds of every container until ready
    for _ in range(args.rounds):
        seconds, topo = timed(lambda: Topology(spec, client=client, images=images, seeds=seeds))
        try:
            boot = max(proxy_boot(topo, n.name) for n in topo.nodes)
            used = role_cpu(topo)
            for role_name, values in used.items():
                cpu.setdefault(role_name, []).extend(values)
            total_cpu.append(sum(sum(v) for v in used.values()))
        finally:
            topo.stop()
        figures["harness"].append(seconds)
        figures["cluster_proxy_boot"].append(boot)
        seconds, topo = timed(lambda: Topology(spec, client=client, images=images))
        topo.stop()
        figures["unseeded"].append(seconds)
        limit, limit_cpu = memory_proxy_boot(client, images)
        figures["limit"].append(limit)
        cpu.setdefault("limit", []).extend(limit_cpu)
        figures["cluster_proxy_alone"].append(cluster_proxy_alone(client, images))
        seconds, topo = timed(lambda: SerialTopology(spec, client=client, images=images))
        topo.stop()
        figures["serial"].append(seconds)
        if compose is not None:
            figures["compose"].append(
                compose_up(Topology(spec, client=client, images=images), compose)
            )
        print({k: round(v[-1], 2) for k, v in figures.items() if v}, flush=True)
    report(figures, cpu, total_cpu)


def report(
    figures: dict[str, list[float]], cpu: dict[str, list[float]], total_cpu: list[float]
) -> None:
    """Write the side-by-side table (ratios of medians and per round) and the CPU table."""
    h = median(figures["harness"])
    # Each round runs every setup once, back to back, so a round's own ratio cancels most of
    # the machine's drift; the ratio of medians is kept as the headline figure.
    rows = [["harness (concurrent, 50-100 ms polling)", h, 1.0, "1.0"]]
    summary: dict[str, Any] = {
        "median_s": {"harness": h},
        "goal": "harness <= 1.2x the CPU bound and <= 0.5x compose",
    }
    for key, label in SETUPS:
        if not figures[key]:
            continue
        m = median(figures[key])
        per_round = [a / b for a, b in zip(figures["harness"], figures[key], strict=True)]
        summary["median_s"][key] = m
        summary[f"harness_over_{key}"] = round(h / m, 2)
        summary[f"harness_over_{key}_per_round"] = {
            "median": median(per_round),
            "min": round(min(per_round), 3),
            "max": round(max(per_round), 3),
        }
        rows.append(
            [
                label,
                m,
                round(h / m, 2),
                f"{median(per_round):.2f} ({min(per_round):.2f}-{max(per_round):.2f})",
            ]
        )
    if total_cpu:
        rows.append(cpu_bound_row(summary, h, median(figures["limit"]), total_cpu))
    write(
        "provision_compare",
        {"summary": summary, "rounds_s": figures, "total_cpu_s": total_cpu},
        ["setup", "median ready (s)", "harness / this", "per round: median (range)"],
        rows,
    )
    cpu_table(cpu, median(figures["limit"]), h)


if __name__ == "__main__":
    main()
