"""Randomised fault schedules (harness.chaos): metadata changes through any node, interleaved
with registry cuts and slow links, nodes isolated until the registry drops them, paused,
killed and stopped nodes, a node joining and registry outages, each healing within a few
steps; then every node must agree with the registry, every change that returned success must
be everywhere, and membership must match the live nodes.

Deselected by default (their own time budget): ``pytest -m chaos scenarios`` or
``--harness-chaos``; ``--harness-chaos-examples/-steps/-budget/-seed`` tune a run, and a
failure prints its seed and its minimal schedule as a scenario to paste here. Failures of the
behaviour known on the release (scenarios.known.chaos_known) are recorded as warnings and the
run keeps looking."""

from __future__ import annotations

import pytest

from harness.chaos import ChaosRunner
from scenarios.known import chaos_known

pytestmark = [pytest.mark.chaos, pytest.mark.cluster, pytest.mark.fault]

# A short session/lease time: an isolated node is dropped by the registry within seconds, so
# a schedule reaches session expiry and re-registration in a few steps.
TTL = {"timeToLiveSeconds": 10}


@pytest.mark.topology(registry="zookeeper", props=TTL)
def test_random_schedules_on_zookeeper(chaos: ChaosRunner, proxy_version: str) -> None:
    assert chaos(known=chaos_known(proxy_version, "zookeeper")) >= 1


@pytest.mark.topology(registry="etcd", props=TTL)
def test_random_schedules_on_etcd(chaos: ChaosRunner, proxy_version: str) -> None:
    assert chaos(known=chaos_known(proxy_version, "etcd")) >= 1
