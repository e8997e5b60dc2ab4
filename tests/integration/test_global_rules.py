"""The convergence checker's global configuration against a real cluster (the default engine,
on ZooKeeper): a node cut from the registry while a global rule is altered, or a prop set, is
named, with the key and both values, and the check passes once it is back. And the check of
every database (no ``databases``) on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.convergence.api import assert_converged, wait_converged
from harness.convergence.snapshot import PARSE_TREE_CAPACITY as CAPACITY
from harness.convergence.snapshot import PROPS
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.spec import TopologySpec


@pytest.fixture(scope="module")
def cluster(docker_client: Any) -> Iterator[Topology]:
    spec = TopologySpec.create(nodes=2)
    with Topology(spec, client=docker_client, images=resolve_images(docker_client, "local")) as t:
        yield t


def _capacity(capacity: int) -> Any:
    return lambda snapshot: snapshot.as_dict().get(CAPACITY) == str(capacity)


def test_node_cut_while_a_global_rule_is_altered_is_named_then_converges(
    cluster: Topology,
) -> None:
    cut = cluster.nodes[1]
    with cluster.nodes[0].sql() as c:
        c.execute(cluster.dialect.alter_sql_parser_rule(4321))
    assert_converged(cluster, databases=[], global_rules=True, expect=_capacity(4321))

    cut.toxiproxy.set_enabled("registry", False)
    try:
        with cluster.nodes[0].sql() as c:
            c.execute(cluster.dialect.alter_sql_parser_rule(8765))
        result = wait_converged(
            cluster, databases=[], global_rules=True, timeout=3, expect=_capacity(8765)
        )
        assert not result.converged
        # The cut node keeps the old value; node-0 and the registry have the new one.
        assert cut.name in result.diff
        assert CAPACITY in result.diff
        assert "4321" in result.diff
        assert "8765" in result.diff
        # Opt-in: without global_rules the check reads no global keys.
        plain = wait_converged(cluster, databases=[], timeout=3)
        assert not any(k.startswith("global/") for k in plain.snapshot.as_dict())
    finally:
        cut.toxiproxy.set_enabled("registry", True)
    assert_converged(cluster, databases=[], global_rules=True, timeout=30, expect=_capacity(8765))


SQL_SHOW = f"{PROPS}/sql_show"


def _sql_show(value: str) -> Any:
    return lambda snapshot: snapshot.as_dict().get(SQL_SHOW) == value


def test_node_cut_while_a_prop_is_set_is_named_then_converges(cluster: Topology) -> None:
    cut = cluster.nodes[1]
    with cluster.nodes[0].sql() as c:
        c.execute(cluster.dialect.set_prop("sql_show", "false"))
    assert_converged(cluster, databases=[], global_rules=True, expect=_sql_show("false"))
    # Every prop a node lists is compared between nodes (more than the registry holds).
    props = [k for k in wait_converged(cluster, databases=[], global_rules=True).snapshot.as_dict()]
    assert len([k for k in props if k.startswith(PROPS + "/")]) > 10

    cut.toxiproxy.set_enabled("registry", False)
    try:
        with cluster.nodes[0].sql() as c:
            c.execute(cluster.dialect.set_prop("sql_show", "true"))
        result = wait_converged(
            cluster, databases=[], global_rules=True, timeout=3, expect=_sql_show("true")
        )
        assert not result.converged
        assert cut.name in result.diff
        assert SQL_SHOW in result.diff
        row = result.diff.split(SQL_SHOW, 1)[1].splitlines()[1:4]
        assert any("registry: true" in line for line in row), result.diff
        assert any(f"{cut.name}: false" in line for line in row), result.diff
    finally:
        cut.toxiproxy.set_enabled("registry", True)
    assert_converged(cluster, databases=[], global_rules=True, timeout=30, expect=_sql_show("true"))


def test_every_database_converges_on_a_healthy_cluster(cluster: Topology) -> None:
    # 5.5 keeps its system databases (information_schema, ...) in the registry too; the
    # registry side listed them while the nodes' side does not, so this never converged.
    result = assert_converged(cluster, timeout=15, global_rules=True)
    assert not any("information_schema" in k for k in result.snapshot.as_dict())
    assert result.registry is not None
    assert result.registry.error is None
