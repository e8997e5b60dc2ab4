"""The hygiene check: a test that leaves a fault behind errors, naming what it left; the
shared topology is repaired for the next test; the `faults` fixture heals whatever a test
did. Runs a real pytest subprocess against a real (one-node cluster) topology."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import INI, foreign_leftovers


def test_leftover_toxic_and_paused_node_fail_the_test_by_name(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        from harness import latency
        from harness.clients.toxiproxy import Toxic
        from harness.faults.hygiene import leftovers

        def test_leaves_a_toxic(topology):
            topology.node(0).toxiproxy.add_toxic(
                "registry", Toxic("forgotten", "latency", attributes={"latency": 5})
            )

        def test_leaves_a_paused_node(topology):
            topology.node(0).proxy.pause()  # behind the faults controller's back

        def test_faults_fixture_heals_what_the_test_left_on(topology, faults):
            faults.apply(0, latency(50))
            faults.pause(0)

        def test_next_test_finds_it_clean(topology):
            assert leftovers(topology) == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)
    out = result.stdout.str()
    assert "harness hygiene" in out
    assert "node-0: toxic 'forgotten' (latency, downstream) on link registry" in out
    assert "node-0: proxy container is paused" in out
    assert foreign_leftovers(docker_client) == []
