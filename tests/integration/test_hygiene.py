"""The hygiene check: a test that leaves a fault behind errors, naming what it left; the
shared topology is repaired for the next test; the `faults` fixture heals whatever a test
did. Runs a real pytest subprocess against a real (one-node cluster) topology."""

from __future__ import annotations

import json
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


def test_a_database_left_by_a_test_is_dropped_with_a_warning(
    pytester: pytest.Pytester, docker_client: Any
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        from harness import LogicalDatabase
        from harness.waiting import poll

        def names(topology):
            with topology.node(0).sql() as c:
                rows = c.query(topology.dialect.show_databases())
            return {str(next(iter(r.values()))) for r in rows}

        def test_leaves_a_database(topology):
            with topology.node(0).sql() as c:
                c.execute(topology.dialect.create_database("forgotten_db"))

        def test_drops_its_own(topology):
            with topology.node(0).sql() as c:
                c.execute(topology.dialect.create_database("tidy_db"))
            # Served before it is dropped (5.5 applies even its own node's DDL from the
            # registry); the drop may still be settling when the test ends.
            poll(lambda: True if "tidy_db" in names(topology) else None, timeout=10, what="tidy_db")
            with topology.node(0).sql() as c:
                c.execute(topology.dialect.drop_database("tidy_db"))
            # Dropped: a node 5.5.2's DROP DATABASE race keeps it on (one did, under load)
            # is the engine's doing, as the README says.
            topology.dropped_databases.add("tidy_db")

        def test_engine_keeps_a_dropped_one(topology):
            db = LogicalDatabase.create(topology, "dropped, then served again")
            db.drop()
            poll(lambda: None if db.name in names(topology) else True, timeout=10, what="gone")
            # As if the drop had not reached this node: the engine's doing, not the test's.
            with topology.node(0).sql() as c:
                c.execute(topology.dialect.create_database(db.name))
            poll(lambda: True if db.name in names(topology) else None, timeout=10, what="served")

        def test_harness_db_set_up_failed(topology):
            # As LogicalDatabase.create leaves it when its set-up fails after the CREATE (a
            # release whose peers never get it): harness's, not the test's.
            with topology.node(0).sql() as c:
                c.execute(topology.dialect.create_database("half_made"))
            topology.created_databases.add("half_made")

        def test_next_test_does_not_see_it(topology):
            assert "forgotten_db" not in names(topology)
            assert "half_made" not in names(topology)
            assert not any(n.startswith("t_") for n in names(topology))
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rw")
    result.assert_outcomes(passed=5, warnings=1)
    report = json.loads(next(pytester.path.glob("reports/*/report.json")).read_text())
    notes = [e["detail"] for t in report["tests"] for e in t["events"]]
    assert any("still served after its drop; dropped again" in n for n in notes), notes
    assert any("half_made made for the test and not dropped" in n for n in notes), notes
    out = result.stdout.str()
    assert "HarnessLeftoverWarning" in out
    assert "test_leaves_a_database left database forgotten_db (dropped)" in out
    assert "tidy_db" not in out
    assert "half_made" not in out
    assert foreign_leftovers(docker_client) == []
