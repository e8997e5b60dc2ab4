"""The Toxiproxy client against a real Toxiproxy server (the locally built image)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.clients.toxiproxy import Toxic, ToxiproxyClient
from harness.errors import FaultError
from harness.images.builder import ImageBuilder
from harness.runtime import labels
from harness.runtime.containers import ContainerSpec, RunningContainer
from harness.waiting import poll


@pytest.fixture
def toxi(
    docker_client: Any, builder: ImageBuilder, run_identity: labels.RunIdentity
) -> Iterator[tuple[ToxiproxyClient, RunningContainer]]:
    net = f"harness-{run_identity.run_id}"
    docker_client.networks.create(net, labels=run_identity.labels(net, "network"))
    c = RunningContainer(
        ContainerSpec(
            name=f"{net}-toxiproxy",
            image=builder.tag("toxiproxy"),
            role="toxiproxy",
            labels=run_identity.labels(net, "toxiproxy"),
            network=net,
            publish=(8474, 9000),
        ),
        docker_client,
    ).start()
    client = ToxiproxyClient(f"http://127.0.0.1:{c.host_port(8474)}")
    poll(client.version, timeout=20, what="toxiproxy api", retry_on=(FaultError,))
    yield client, c
    client.close()


def test_proxy_lifecycle_and_toxics(toxi: tuple[ToxiproxyClient, RunningContainer]) -> None:
    client, container = toxi
    # A proxy in front of the server's own API, so traffic through it is observable.
    created = client.create("api", "0.0.0.0:9000", "127.0.0.1:8474")
    assert created.enabled
    through = f"http://127.0.0.1:{container.host_port(9000)}/version"
    assert httpx.get(through, timeout=2).status_code == 200

    latency = client.add_toxic("api", Toxic("lag", "latency", attributes={"latency": 100}))
    assert latency.attributes["latency"] == 100
    updated = client.update_toxic("api", "lag", attributes={"latency": 250, "jitter": 10})
    assert updated.attributes == {"latency": 250, "jitter": 10}
    assert [t.name for t in client.toxics("api")] == ["lag"]
    client.remove_toxic("api", "lag")
    assert client.toxics("api") == []

    client.set_enabled("api", False)
    assert not client.proxy("api").enabled
    with pytest.raises(httpx.TransportError):
        httpx.get(through, timeout=2)
    client.reset()
    assert client.proxy("api").enabled
    assert httpx.get(through, timeout=2).status_code == 200

    client.delete("api")
    assert "api" not in client.proxies()


def test_server_errors_name_the_proxy_and_message(
    toxi: tuple[ToxiproxyClient, RunningContainer],
) -> None:
    client, _ = toxi
    with pytest.raises(FaultError, match=r"'nope'.*404.*proxy not found"):
        client.add_toxic("nope", Toxic("t", "latency", attributes={"latency": 1}))
    client.create("dup", "127.0.0.1:9001", "127.0.0.1:8474")
    with pytest.raises(FaultError, match=r"create proxy 'dup'.*409"):
        client.create("dup", "127.0.0.1:9001", "127.0.0.1:8474")
    with pytest.raises(FaultError, match=r"400.*invalid toxic type"):
        client.add_toxic("dup", Toxic("t", "no-such-toxic"))


def test_unreachable_server_is_a_fault_error() -> None:
    client = ToxiproxyClient("http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(FaultError, match="Fix: check the Toxiproxy container"):
        client.version()
