"""harness on a Docker engine other than the default one: a second dockerd, started here on its
own socket, loopback TCP port, data root and bridge, reached through DOCKER_HOST.

Containers publish on the engine's 127.0.0.1, which is this process's own loopback when the
engine runs on this machine (any socket or loopback address); a remote engine is refused before
anything is contacted (tests/unit/test_engine_location.py, tests/plugin/test_options.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import pytest

from harness.clients.toxiproxy import ToxiproxyClient
from harness.docker_engine import connect
from harness.errors import EngineError, FaultError
from harness.images.builder import ImageBuilder
from harness.runtime import labels
from harness.runtime.containers import ContainerSpec, RunningContainer
from harness.runtime.reaper import reap
from harness.waiting import poll


@dataclass
class SecondEngine:
    socket_url: str
    tcp_url: str
    data_root: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


@pytest.fixture(scope="module")
def second_engine(
    tmp_path_factory: pytest.TempPathFactory, docker_client: Any, builder: ImageBuilder
) -> Iterator[SecondEngine]:
    if os.geteuid() != 0 or shutil.which("dockerd") is None:
        pytest.fail("a second dockerd needs root and dockerd (installed by .ci/bootstrap)")
    # Short paths: a unix socket path must fit in 108 bytes.
    base = Path(tempfile.mkdtemp(prefix="harness-d2-", dir="/tmp"))
    bridge = f"hd2{os.urandom(3).hex()}"
    _run("ip", "link", "add", "name", bridge, "type", "bridge")
    _run("ip", "addr", "add", "10.213.7.1/24", "dev", bridge)
    _run("ip", "link", "set", bridge, "up")
    port = _free_port()
    log = (tmp_path_factory.mktemp("d2") / "dockerd.log").open("wb")
    proc = subprocess.Popen(
        [
            "dockerd",
            f"--data-root={base}/root",
            f"--exec-root={base}/exec",
            f"--pidfile={base}/pid",
            f"--host=unix://{base}/docker.sock",
            f"--host=tcp://127.0.0.1:{port}",
            f"--bridge={bridge}",
            # The default engine owns the host's firewall rules; this one must not touch them.
            "--iptables=false",
            "--ip6tables=false",
            "--ip-masq=false",
            "--storage-driver=overlay2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    engine = SecondEngine(f"unix://{base}/docker.sock", f"tcp://127.0.0.1:{port}", base / "root")
    try:
        client = poll(
            lambda: docker.DockerClient(base_url=engine.socket_url).ping() and True,
            timeout=60,
            what="the second dockerd",
            retry_on=(docker.errors.DockerException, OSError),
        )
        assert client
        second = docker.DockerClient(base_url=engine.socket_url)
        # The one image the test needs, copied from the default engine (no registry here).
        second.images.load(
            b"".join(docker_client.images.get(builder.tag("toxiproxy")).save(named=True))
        )
        second.close()
        yield engine
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        subprocess.run(["ip", "link", "delete", bridge], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("address", ["socket_url", "tcp_url"])
def test_harness_runs_containers_on_a_second_local_engine(
    second_engine: SecondEngine,
    address: str,
    builder: ImageBuilder,
    docker_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = getattr(second_engine, address)
    monkeypatch.setenv("DOCKER_HOST", url)
    client = connect()
    assert client.info()["DockerRootDir"] == str(second_engine.data_root)
    run = labels.RunIdentity(f"it-{os.urandom(4).hex()}", os.getpid(), socket.gethostname())
    name = f"harness-{run.run_id}-toxiproxy"
    container = RunningContainer(
        ContainerSpec(
            name=name,
            image=builder.tag("toxiproxy"),
            role="toxiproxy",
            labels=run.labels(name, "toxiproxy"),
            publish=(8474,),
        ),
        client,
    ).start()
    try:
        bindings = container.container.attrs["HostConfig"]["PortBindings"]["8474/tcp"]
        assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
        api = ToxiproxyClient(f"http://127.0.0.1:{container.host_port(8474)}")
        assert poll(api.version, timeout=20, what="toxiproxy api", retry_on=(FaultError,))
        api.close()
        # Nothing of it on the default engine.
        assert docker_client.containers.list(all=True, filters={"name": name}) == []
    finally:
        removed = reap(client, run_id=run.run_id)
    assert removed.containers == [name]
    assert client.containers.list(all=True, filters=run.filter()) == []
    client.close()


def test_remote_engine_is_refused_before_it_is_contacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://docker-ci.invalid:2375")
    monkeypatch.delenv("HARNESS_ENGINE_IS_LOCAL", raising=False)
    contacted: list[object] = []

    def no_network(*args: object, **_: object) -> None:
        contacted.append(args)
        raise OSError("the refusal must not touch the network")

    # Refused from the address alone: no name lookup, no connection.
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(EngineError, match="an engine on this machine"):
        connect()
    assert contacted == []
