"""The plugin's own hooks, implemented as a consumer would: plain functions in a conftest."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import INI, foreign_leftovers


def test_conftest_functions_receive_every_topology_start_and_stop(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    calls = pytester.path / "hook-calls"
    pytester.makeini(INI)
    pytester.makeconftest(
        f"""
        def _record(what, topology):
            with open({str(calls)!r}, "a") as fh:
                fh.write(what + " " + topology.spec.mode + " " + str(len(topology.nodes)) + "\\n")

        def pytest_harness_topology_started(topology):
            _record("started", topology)

        def pytest_harness_topology_stopped(topology):
            _record("stopped", topology)
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.topology(mode="memory", nodes=1)
        def test_memory(topology):
            assert topology.nodes

        @pytest.mark.topology(mode="standalone", nodes=1)
        def test_standalone(topology):
            assert topology.nodes
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    # A topology goes as soon as no later test of the session needs it.
    assert calls.read_text().splitlines() == [
        "started memory 1",
        "stopped memory 1",
        "started standalone 1",
        "stopped standalone 1",
    ]
    assert foreign_leftovers(docker_client) == []
