"""Randomised fault schedules (harness.chaos): metadata changes through any node, interleaved
with registry cuts and slow links, nodes isolated until the registry drops them, paused,
killed and stopped nodes, a node joining and registry outages, each healing within a few
steps; then every node must agree with the registry, every change that returned success must
be everywhere, and membership must match the live nodes.

Deselected by default (their own time budget): ``pytest -m chaos scenarios`` or
``--harness-chaos``; ``--harness-chaos-examples/-steps/-budget/-seed`` tune a run, and a
failure prints its seed and its minimal schedule as a scenario to paste here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = [pytest.mark.chaos, pytest.mark.cluster, pytest.mark.fault]

# A short session/lease time: an isolated node is dropped by the registry within seconds, so
# a schedule reaches session expiry and re-registration in a few steps.
TTL = {"timeToLiveSeconds": 10}


@pytest.mark.topology(registry="zookeeper", props=TTL)
def test_random_schedules_on_zookeeper(chaos: Callable[[], int]) -> None:
    assert chaos() >= 1


@pytest.mark.topology(registry="etcd", props=TTL)
def test_random_schedules_on_etcd(chaos: Callable[[], int]) -> None:
    assert chaos() >= 1
