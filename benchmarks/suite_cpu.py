"""Where the main job's time goes, in CPU: run the scenario suite once (``.ci/scenarios``, 2
xdist workers) and account for the machine's CPU meanwhile.

- wall: the job's own wall time;
- host busy: CPU time every process on the machine used (``/proc/stat``: all but idle and
  I/O wait), and that over the capacity (wall x cores);
- containers: CPU time of every harness container (the Docker cgroups' total, which keeps
  what removed containers used), split by role from a sample every 0.5 s of each container's
  own cgroup (a restarted container's counter starts again; the split misses at most the last
  half second of each container, so its rows sum a little below the total);
- floor: host busy over the cores: the wall time the same work needs with every core busy
  all the time. No scheduling gets below it; only less work does.

    .venv/bin/python -m benchmarks.suite_cpu [pytest arguments for .ci/scenarios ...]

Run it alone on the machine: anything else running counts as the suite's host CPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.cgroups import ROOT as CGROUP_ROOT
from benchmarks.cgroups import docker_total_seconds
from benchmarks.output import write
from harness.docker_engine import connect
from harness.runtime import labels

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_S = 0.5


def host_busy_seconds(stat: str | None = None) -> float:
    """CPU seconds the machine spent busy since boot (/proc/stat's ``cpu`` line: user, nice,
    system, irq and softirq; not idle, I/O wait, or steal, the time the hypervisor ran others)."""
    line = (stat if stat is not None else Path("/proc/stat").read_text()).splitlines()[0]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in line.split()[1:8])
    # Guest time is counted in user already.
    busy = user + nice + system + irq + softirq
    return busy / os.sysconf("SC_CLK_TCK")


class RoleSampler:
    """Every 0.5 s, each running container's own CPU counter, banked per role."""

    def __init__(self) -> None:
        self._client: Any = connect()
        self._roles: dict[str, str] = {}  # container id -> role ("" if not harness's)
        self._last: dict[str, float] = {}
        self.banked: dict[str, float] = {}
        self.starts: dict[str, int] = {}  # role -> (re)starts seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="suite-cpu-sampler", daemon=True)

    def __enter__(self) -> RoleSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _role(self, cid: str) -> str:
        if cid not in self._roles:
            try:
                got = self._client.api.inspect_container(cid)["Config"]["Labels"] or {}
            except Exception:  # noqa: BLE001 - removed meanwhile: not counted
                got = {}
            self._roles[cid] = got.get(labels.ROLE, "") if got.get(labels.MANAGED) else ""
        return self._roles[cid]

    def _sample(self) -> None:
        folder = Path(CGROUP_ROOT) / "cpuacct" / "docker"
        for usage in folder.glob("*/cpuacct.usage"):
            cid = usage.parent.name
            try:
                seconds = int(usage.read_text()) / 1e9
            except (OSError, ValueError):
                continue
            role = self._role(cid)
            if not role:
                continue
            before = self._last.get(cid)
            if before is None or seconds < before:  # new, or started again
                self.starts[role] = self.starts.get(role, 0) + 1
                if before is not None:
                    self.banked[role] = self.banked.get(role, 0.0) + before
            self._last[cid] = seconds

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self._sample()

    def per_role(self) -> dict[str, float]:
        out = dict(self.banked)
        for cid, seconds in self._last.items():
            role = self._roles.get(cid, "")
            out[role] = out.get(role, 0.0) + seconds
        return {k: round(v, 1) for k, v in sorted(out.items(), key=lambda kv: -kv[1]) if k}


def main() -> None:
    if docker_total_seconds() is None:
        sys.exit("suite_cpu: needs cgroup v1 (cpuacct/docker); this machine's layout differs")
    cores = os.cpu_count() or 1
    host0, docker0 = host_busy_seconds(), docker_total_seconds() or 0.0
    started = time.monotonic()
    with RoleSampler() as sampler:
        rc = subprocess.call([str(ROOT / ".ci" / "scenarios"), *sys.argv[1:]], cwd=ROOT)
    wall = time.monotonic() - started
    host = host_busy_seconds() - host0
    containers = (docker_total_seconds() or 0.0) - docker0
    roles = sampler.per_role()
    figures = {
        "exit_code": rc,
        "cores": cores,
        "wall_s": round(wall, 1),
        "host_busy_cpu_s": round(host, 1),
        "utilisation": round(host / (wall * cores), 3),
        "containers_cpu_s": round(containers, 1),
        "outside_containers_cpu_s": round(host - containers, 1),
        "floor_s": round(host / cores, 1),
        "containers_floor_s": round(containers / cores, 1),
        "per_role_cpu_s": roles,
        "per_role_starts": dict(sampler.starts),
    }
    rows: list[list[Any]] = [
        ["wall (s)", figures["wall_s"]],
        [f"host busy CPU (s), {cores} cores", figures["host_busy_cpu_s"]],
        ["utilisation (busy / wall x cores)", figures["utilisation"]],
        ["containers' CPU (s)", figures["containers_cpu_s"]],
        ["everything else's CPU (s): pytest, Docker, kernel", figures["outside_containers_cpu_s"]],
        ["floor: host busy / cores (s)", figures["floor_s"]],
        ["floor of the containers alone (s)", figures["containers_floor_s"]],
        *(
            [f"{role} CPU (s), {sampler.starts.get(role, 0)} starts", s]
            for role, s in roles.items()
        ),
    ]
    write("suite_cpu", figures, ["figure", "value"], rows)
    sys.exit(rc)


if __name__ == "__main__":
    main()
