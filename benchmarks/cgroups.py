"""A container's own counters, read from its cgroup (v1 or v2, cgroupfs or systemd driver):
the kernel's accounting, so nothing samples or polls."""

from __future__ import annotations

from glob import glob
from pathlib import Path

__all__ = ["cpu_seconds", "docker_total_seconds", "peak_bytes"]

ROOT = "/sys/fs/cgroup"


def _first(patterns: tuple[str, ...]) -> Path | None:
    for pattern in patterns:
        for path in glob(pattern):
            return Path(path)
    return None


def peak_bytes(container_id: str, root: str = ROOT) -> int | None:
    """The memory high-water mark of a container since it started."""
    path = _first(
        (
            f"{root}/memory/docker/{container_id}*/memory.max_usage_in_bytes",
            f"{root}/system.slice/docker-{container_id}*.scope/memory.peak",
            f"{root}/docker/{container_id}*/memory.peak",
        )
    )
    return None if path is None else int(path.read_text().strip())


def cpu_seconds(container_id: str, root: str = ROOT) -> float | None:
    """CPU time every process of a container has used since it started (user + system)."""
    v1 = _first((f"{root}/cpuacct/docker/{container_id}*/cpuacct.usage",))
    if v1 is not None:
        return int(v1.read_text().strip()) / 1e9
    v2 = _first(
        (
            f"{root}/system.slice/docker-{container_id}*.scope/cpu.stat",
            f"{root}/docker/{container_id}*/cpu.stat",
        )
    )
    if v2 is None:
        return None
    for line in v2.read_text().splitlines():
        key, _, value = line.partition(" ")
        if key == "usage_usec":
            return int(value) / 1e6
    return None


def docker_total_seconds(root: str = ROOT) -> float | None:
    """CPU seconds every Docker container used (cgroup v1's ``docker`` group keeps what
    removed containers used); None where the layout is not cgroup v1 cgroupfs."""
    path = Path(root) / "cpuacct" / "docker" / "cpuacct.usage"
    return int(path.read_text()) / 1e9 if path.exists() else None
