"""Every option, ini key, marker and fixture takes effect, seen from a consumer's test run
(a subprocess: the entry point loads the plugin) against real topologies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import foreign_leftovers

CHECKS = """
import pytest
from harness import Faults, LogicalDatabase, Topology

def test_options_set_the_default(topology, harness_settings):
    assert harness_settings.mode == "memory"
    assert topology.spec.mode == "memory"
    assert topology.spec.registry is None
    assert len(topology.nodes) == 2

@pytest.mark.topology(nodes=1)
def test_marker_overrides_nodes(topology):
    assert (topology.spec.mode, len(topology.nodes)) == ("memory", 1)

@pytest.mark.standalone
@pytest.mark.topology(nodes=1)
def test_mode_marker(topology):
    assert topology.spec.mode == "standalone"

@pytest.mark.cluster
@pytest.mark.topology(registry="etcd", nodes=1, namespace="ns_x", props={"timeToLiveSeconds": 7})
def test_cluster_marker_arguments(topology, harness_db):
    assert (topology.spec.registry, topology.spec.namespace) == ("etcd", "ns_x")
    assert topology.spec.props["timeToLiveSeconds"] == 7
    reader = topology.registry_reader()
    try:
        assert reader.children("ns_x/metadata")
    finally:
        reader.close()

@pytest.mark.topology(nodes=1)
def test_fixtures(topology, harness_db, faults, harness_pool):
    assert isinstance(harness_db, LogicalDatabase)
    assert isinstance(faults, Faults)
    assert isinstance(topology, Topology)
    with topology.nodes[0].sql() as c:
        names = {next(iter(r.values())) for r in c.query("SHOW DATABASES")}
    assert harness_db.name in names
    assert harness_pool.get(topology.spec) is topology
"""


def test_options_markers_and_fixtures_take_effect(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    pytester.makeini("[pytest]\nharness_image_source = local\n")
    pytester.makepyfile(CHECKS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--harness-mode=memory", "--harness-nodes=2"
    )
    result.assert_outcomes(passed=5)
    assert foreign_leftovers(docker_client) == []


def test_ini_keys_take_effect(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nharness_image_source = local\nharness_mode = memory\nharness_nodes = 1\n"
        "harness_report_dir = out\n"
    )
    pytester.makepyfile(
        """
        def test_ini(topology, harness_settings):
            assert (topology.spec.mode, len(topology.nodes)) == ("memory", 1)
            assert harness_settings.report_dir.name == "out"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert (pytester.path / "out" / "latest" / "report.json").is_file()


def test_cluster_marker_selects_cluster_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.cluster
        def test_c():
            pass

        @pytest.mark.memory
        def test_m():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "cluster", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    assert "test_c PASSED" in result.stdout.str()


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (
            "harness-local/no-such-proxy:5.1.0",
            ["*proxy image='harness-local/no-such-proxy:5.1.0'*nothing is pulled*"],
        ),
        # An official name of a release harness cannot build lists the ones it can.
        (
            "apache/shardingsphere-proxy:5.1.2",
            ["*nothing is pulled*builds apache/shardingsphere-proxy 5.1.0, 5.1.1, 5.5.2 locally*"],
        ),
    ],
)
def test_missing_proxy_image_is_one_clear_error_and_nothing_is_pulled(
    pytester: pytest.Pytester, docker_client: Any, image: str, expected: list[str]
) -> None:
    pytester.makeini("[pytest]\nharness_image_source = local\n")
    pytester.makepyfile("def test_x(topology):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--harness-proxy-image={image}"
    )
    # At collection, before any container: a usage error.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(expected)
    assert foreign_leftovers(docker_client) == []
