"""Integration fixtures: a real Docker engine and the locally built images."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from harness.docker_engine import connect
from harness.images.builder import ImageBuilder
from harness.runtime import labels
from harness.runtime.reaper import reap


@pytest.fixture(scope="session")
def docker_client() -> Any:
    return connect()


@pytest.fixture(scope="session")
def builder(docker_client: Any) -> ImageBuilder:
    return ImageBuilder(docker_client)


@pytest.fixture
def run_identity(docker_client: Any) -> Iterator[labels.RunIdentity]:
    """A run id for resources a test starts by hand; reaped after the test."""
    run = labels.RunIdentity(f"it-{os.urandom(4).hex()}", os.getpid(), socket.gethostname())
    yield run
    reap(docker_client, run_id=run.run_id)


def leftovers(client: Any, **label_values: str) -> list[str]:
    """Names of harness-labelled containers, networks and volumes matching the labels."""
    wanted = [f"{labels.MANAGED}=true"] + [
        f"{labels.LABEL_PREFIX}.{k.replace('_', '-')}={v}" for k, v in label_values.items()
    ]
    filters = {"label": wanted}
    names = [c.name for c in client.containers.list(all=True, ignore_removed=True, filters=filters)]
    names += [n.name for n in client.networks.list(filters=filters)]
    names += [v.name for v in client.volumes.list(filters=filters)]
    return names
