"""Security of a running topology, inspected from Docker itself: nothing privileged, no Docker
socket inside, every published port on 127.0.0.1 only; passwords random per topology and
absent from every file the harness writes for a failure (logs, snapshots, registry dump);
the storage node started with the connection limit long runs need."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import LogicalDatabase, Topology
from harness.diagnostics import dump_state

pytestmark = pytest.mark.cluster


def test_no_privilege_no_socket_loopback_ports(topology: Topology) -> None:
    containers = topology.containers()
    assert len(containers) >= 2 * len(topology.nodes) + 2
    for c in containers:
        attrs = c.container.attrs
        host = attrs["HostConfig"]
        assert host["Privileged"] is False, c.name
        assert not host.get("CapAdd"), c.name
        for mount in attrs.get("Mounts", []):
            assert "docker.sock" not in str(mount.get("Source", "")), c.name
        for port, bindings in (attrs["NetworkSettings"]["Ports"] or {}).items():
            for b in bindings or []:
                assert b["HostIp"] == "127.0.0.1", f"{c.name} publishes {port} on {b['HostIp']}"


def test_passwords_are_random_per_topology(topology: Topology) -> None:
    other = Topology(topology.spec, client=topology.client, images=topology.images)
    try:
        assert {topology.password, topology.storage_password}.isdisjoint(
            {other.password, other.storage_password}
        )
        assert len(topology.password) >= 24
    finally:
        other.stop()  # started nothing: only its work folder goes


def test_failure_files_never_contain_a_password(
    topology: Topology, harness_db: LogicalDatabase, tmp_path: Path
) -> None:
    harness_db.register_storage_unit("ds_0")
    files = topology.collect_logs(tmp_path) + dump_state(topology, tmp_path)
    assert any(f.name == "registry.txt" for f in files)
    for f in files:
        text = f.read_text()
        assert topology.password not in text, f.name
        assert topology.storage_password not in text, f.name


def test_storage_takes_the_connections_long_runs_hold(topology: Topology) -> None:
    # Each node keeps a pool per storage unit (5.1.x keeps a dropped database's too): MariaDB's
    # default 151 ran out in a long chaos run. The limit reaches mariadbd through the image.
    with topology.storage[0].sql() as s:
        assert int(s.query("SELECT @@max_connections AS n")[0]["n"]) == 2000
