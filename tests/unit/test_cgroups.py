"""The benchmarks' cgroup counters, on both cgroup versions' file layouts."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.cgroups import cpu_seconds, docker_total_seconds, peak_bytes
from benchmarks.suite_cpu import host_busy_seconds

CID = "0123abcd"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v1_counters(tmp_path: Path) -> None:
    _write(tmp_path, f"cpuacct/docker/{CID}ef/cpuacct.usage", "1250000000\n")
    _write(tmp_path, f"memory/docker/{CID}ef/memory.max_usage_in_bytes", "1048576\n")
    assert cpu_seconds(CID, str(tmp_path)) == 1.25
    assert peak_bytes(CID, str(tmp_path)) == 1048576


def test_cgroup_v2_counters_systemd_driver(tmp_path: Path) -> None:
    scope = f"system.slice/docker-{CID}ef.scope"
    _write(tmp_path, f"{scope}/cpu.stat", "usage_usec 750000\nuser_usec 500000\n")
    _write(tmp_path, f"{scope}/memory.peak", "2048\n")
    assert cpu_seconds(CID, str(tmp_path)) == 0.75
    assert peak_bytes(CID, str(tmp_path)) == 2048


def test_unknown_container_has_no_counters(tmp_path: Path) -> None:
    _write(tmp_path, "docker/other/cpu.stat", "usage_usec 1\n")
    assert cpu_seconds(CID, str(tmp_path)) is None
    assert peak_bytes(CID, str(tmp_path)) is None


def test_host_busy_leaves_out_idle_iowait_steal_and_guest_time() -> None:
    ticks = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal guest guest_nice
    fields = [3, 0, 1, 50, 7, 0, 1, 4, 9, 0]
    stat = "cpu  " + " ".join(str(ticks * f) for f in fields) + "\ncpu0 1\n"
    assert host_busy_seconds(stat) == 5.0


def test_docker_total_reads_the_docker_group_where_it_exists(tmp_path: Path) -> None:
    assert docker_total_seconds(str(tmp_path)) is None
    _write(tmp_path, "cpuacct/docker/cpuacct.usage", "2500000000\n")
    assert docker_total_seconds(str(tmp_path)) == 2.5
