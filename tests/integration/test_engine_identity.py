"""Engines recognised by what they are: a re-tagged local build runs the suite under any name,
an image without harness's label is told by its jars, and an image nothing tells is a usage
error that names the override, before any container starts."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pytest

from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.images.identify import engine_version_of_image
from harness.images.prune import remove_tags
from tests.integration.helpers import INI, containers_created_here, foreign_leftovers

CLUSTER_SCENARIO = """
from harness import assert_converged

def test_rule_reaches_every_node(topology, harness_db):
    harness_db.register_storage_unit("ds_0")
    harness_db.create_sharding_table_rule("t_order", ("ds_0",))
    assert_converged(
        topology, databases=[harness_db.name], expect=harness_db.has("sharding_table_rule/t_order")
    )
"""


@pytest.fixture
def tags(docker_client: Any) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    remove_tags(docker_client, made)


def _tag(client: Any, source: str, ref: str, made: list[str]) -> str:
    repository, _, tag = ref.rpartition(":")
    client.images.get(source).tag(repository, tag)
    made.append(ref)
    return ref


def test_a_retagged_local_build_runs_a_cluster_scenario(
    pytester: pytest.Pytester, docker_client: Any, builder: ImageBuilder, tags: list[str]
) -> None:
    ref = _tag(docker_client, builder.tag("shardingsphere-proxy"), "mycorp/proxy:latest", tags)
    pytester.makeini("[pytest]\nharness_image_source = local\nharness_nodes = 2\n")
    pytester.makepyfile(CLUSTER_SCENARIO)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--harness-proxy-image={ref}")
    result.assert_outcomes(passed=1)
    assert foreign_leftovers(docker_client) == []


def test_an_image_without_the_label_is_told_by_its_jars(
    docker_client: Any, builder: ImageBuilder, tags: list[str]
) -> None:
    # As a DBPlusEngine or hand-made image would be: same layout, no harness label.
    image, _ = docker_client.images.build(
        fileobj=io.BytesIO(
            f"FROM {builder.tag('shardingsphere-proxy')}\n"
            f'LABEL {catalog.ENGINE_VERSION_LABEL}=""\n'.encode()
        ),
        tag="sphereex/dbplusengine-proxy:1.3.0",
        rm=True,
    )
    tags.append("sphereex/dbplusengine-proxy:1.3.0")
    assert not image.labels.get(catalog.ENGINE_VERSION_LABEL)
    assert engine_version_of_image(docker_client, "sphereex/dbplusengine-proxy:1.3.0") == (
        catalog.DEFAULT_PROXY_VERSION
    )


def test_an_image_nothing_tells_is_a_usage_error_naming_the_override(
    pytester: pytest.Pytester, docker_client: Any, builder: ImageBuilder, tags: list[str]
) -> None:
    # Any image with no proxy inside: its release cannot be told.
    ref = _tag(docker_client, builder.tag("toxiproxy"), "mycorp/mystery:1", tags)
    since = int(time.time())
    pytester.makeini(INI)
    pytester.makepyfile("def test_x(topology):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--harness-proxy-image={ref}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "proxy image='mycorp/mystery:1'" in err
    assert "Fix: pass --harness-proxy-dialect=5.1 | 5.1.1 | 5.5" in err
    assert containers_created_here(docker_client, since) == []
