"""What a consumer repository writes: a change through one node, checked on every node, under
a fault from the catalog."""

from __future__ import annotations

import pytest
import testcontainers.core.config as testcontainers_settings

from harness import (
    Faults,
    LogicalDatabase,
    Topology,
    assert_converged,
    assert_membership,
    latency,
)

pytestmark = pytest.mark.cluster


def test_storage_unit_and_rule_reach_every_node(
    topology: Topology, harness_db: LogicalDatabase
) -> None:
    harness_db.register_storage_unit("ds_0")
    harness_db.create_sharding_table_rule("t_order", ("ds_0",))
    result = assert_converged(
        topology,
        databases=[harness_db.name],
        expect=harness_db.has("storage_unit/ds_0", "sharding_table_rule/t_order"),
    )
    assert set(result.latency) == {n.name for n in topology.nodes}
    assert_membership(topology)


def test_change_under_registry_latency(
    topology: Topology, faults: Faults, harness_db: LogicalDatabase
) -> None:
    with faults.link([n.index for n in topology.nodes], latency(200, 50)):
        harness_db.register_storage_unit("ds_0")
        assert_converged(
            topology, databases=[harness_db.name], expect=harness_db.has("storage_unit/ds_0")
        )


def test_own_testcontainers_keep_their_ryuk() -> None:
    # The plugin is loaded by now (entry point): it must not have switched Ryuk off for this
    # repository's own testcontainers (4.4 has a module constant, later ones a config object).
    config = getattr(testcontainers_settings, "testcontainers_config", None)
    disabled = config.ryuk_disabled if config is not None else testcontainers_settings.RYUK_DISABLED
    assert disabled is False
