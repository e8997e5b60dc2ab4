"""Failure signatures of chaos examples: one per kind of difference, whichever node or database
it hit, and the known-behaviour match that lets a run keep looking."""

from __future__ import annotations

from typing import Any

from harness.chaos_signature import (
    KNOWN_BEFORE,
    MEMBERSHIP,
    NEW_AT_FAULT,
    divergence,
    hunted,
    known_reason,
    lost,
)
from harness.convergence.loop import ConvergenceResult
from harness.convergence.snapshot import Snapshot

UNIT = {"ds_0": {"url": "jdbc:mysql://storage-0:3306/ds", "username": "root"}}
RULE = {"SHARDING": {"tables": {"t_order": {"actualDataNodes": "ds_0.t_order_${0..3}"}}}}


def node(source: str, **dbs: dict[str, Any] | None) -> Snapshot:
    tree: dict[str, Any] = {}
    for name, config in dbs.items():
        if config is None:
            tree[name] = {"exists": "no"}
        else:
            tree[name] = {"exists": "yes", "config": config, "sharding_table_rule": {}}
    return Snapshot.of(source, {"database": tree})


def result(*snapshots: Snapshot, registry: Snapshot | None = None) -> ConvergenceResult:
    return ConvergenceResult(
        converged=False, waited=1.0, rounds=3, latency={}, snapshots=snapshots, registry=registry
    )


def registry(**dbs: dict[str, Any] | None) -> Snapshot:
    return node("registry", **dbs)


def test_a_node_that_missed_a_rule_is_behind_the_registry_on_the_rule() -> None:
    full = {"storage_unit": UNIT, "rule": RULE}
    without_rule = {"storage_unit": UNIT, "rule": {}}
    got = divergence(
        result(
            node("node-0", chaos_0=full),
            node("node-1", chaos_0=without_rule),
            registry=registry(chaos_0=full),
        )
    )
    assert got == ["a node is behind the registry on rule"]


def test_a_missed_rule_says_whether_the_node_knew_the_database_when_its_fault_began() -> None:
    full = {"storage_unit": UNIT, "rule": RULE}
    without_rule = {"storage_unit": UNIT, "rule": {}}
    missed = result(
        node("node-0", old=full, new=full),
        node("node-1", old=without_rule, new=without_rule),
        registry=registry(old=full, new=full),
    )
    assert divergence(missed, {"node-1": {"old"}}) == [
        f"a node is behind the registry on rule {KNOWN_BEFORE}",
        f"a node is behind the registry on rule {NEW_AT_FAULT}",
    ]
    # A node that had no fault, or a run that does not say, keeps the plain signature.
    assert (
        divergence(missed, {"node-0": {"old"}})
        == divergence(missed)
        == ["a node is behind the registry on rule"]
    )


def test_a_change_never_persisted_puts_a_node_ahead_whatever_the_database() -> None:
    one = divergence(
        result(
            node("node-0", chaos_0={"storage_unit": UNIT, "rule": {}}),
            node("node-1", chaos_0={"storage_unit": {}, "rule": {}}),
            registry=registry(chaos_0={"storage_unit": {}, "rule": {}}),
        )
    )
    other = divergence(
        result(
            node("node-2", chaos_3={"storage_unit": UNIT, "rule": {}}),
            registry=registry(chaos_3={"storage_unit": {}, "rule": {}}),
        )
    )
    assert one == other == ["a node is ahead of the registry on storage unit"]


def test_a_whole_database_missed_is_one_part_not_one_per_object() -> None:
    full = {"storage_unit": UNIT, "rule": RULE}
    got = divergence(
        result(
            node("node-0", chaos_0=full),
            node("node-1", chaos_0=None),
            registry=registry(chaos_0=full),
        )
    )
    assert got == ["a node is behind the registry on database"]


def test_different_values_and_no_registry() -> None:
    other_unit = {"ds_0": {"url": "jdbc:mysql://storage-0:3306/other", "username": "root"}}
    differ = divergence(
        result(
            node("node-0", db={"storage_unit": other_unit, "rule": {}}),
            registry=registry(db={"storage_unit": UNIT, "rule": {}}),
        )
    )
    assert differ == ["a node and the registry differ on storage unit"]
    memory = divergence(result(node("node-0", db={"storage_unit": UNIT, "rule": {}}), node("n1")))
    assert memory == ["nodes disagree on database"]
    rules = divergence(result(node("node-0", db={"rule": RULE}), node("node-1", db={"rule": {}})))
    assert rules == ["nodes disagree on rule"]
    unreadable = divergence(result(node("node-0"), Snapshot.unreadable("node-1", "refused")))
    assert unreadable == ["a node is unreadable"]
    # Listed, then "Unknown database" when read: what the snapshot meets only on a listed one.
    error = "OperationalError: (1049, \"Unknown database 'chaos_0_75'\")"
    half = divergence(result(node("node-0"), Snapshot.unreadable("node-1", error)))
    assert half == ["a node lists a database it does not serve"]


def test_known_only_when_every_part_is_known() -> None:
    known = {
        "a node is ahead of the registry on *": "5.1.x persists nothing during an outage",
        MEMBERSHIP: "5.1.0 never re-registers",
    }
    ahead = ["a node is ahead of the registry on rule"]
    assert known_reason(ahead, known) == "5.1.x persists nothing during an outage"
    both = [*ahead, MEMBERSHIP]
    assert (
        known_reason(both, known)
        == "5.1.x persists nothing during an outage; 5.1.0 never re-registers"
    )
    assert known_reason([*ahead, "a node is behind the registry on rule"], known) is None
    assert known_reason([lost("database", "still there")], known) is None
    assert known_reason([lost("database", "still there")], {"lost: *": "r"}) == "r"


def test_hunted_when_any_part_matches_a_pattern() -> None:
    behind = "a node is behind the registry on rule (of a database it served before its fault)"
    assert hunted([MEMBERSHIP, behind], ["a node is behind the registry on rule*"])
    assert not hunted([MEMBERSHIP], ["a node is behind the registry on rule*"])
    assert not hunted([behind], [])


def test_a_node_on_an_older_global_rule_differs_from_the_registry_on_the_global_rule() -> None:
    def with_parser(source: str, capacity: str) -> Snapshot:
        cache = {"parse_tree_cache": {"initial_capacity": capacity}}
        return Snapshot.of(source, {"database": {}, "global": {"sql_parser": cache}})

    got = divergence(
        result(
            with_parser("node-0", "1203"),
            with_parser("node-1", "1102"),
            registry=with_parser("registry", "1203"),
        )
    )
    assert got == ["a node and the registry differ on global rule"]
    # 5.1.1, chaos seed 22: node-0 altered it while cut (answered OK, kept it, never persisted).
    through_cut = divergence(
        result(
            with_parser("node-0", "5507"),
            with_parser("node-1", "5505"),
            registry=with_parser("registry", "5505"),
        ),
        global_through_cut=True,
    )
    assert through_cut == [
        "a node and the registry differ on global rule "
        "(altered through a node cut from the registry)"
    ]
    # Without a registry (or where it agrees), the nodes' own disagreement is named.
    assert divergence(result(with_parser("node-0", "1203"), with_parser("node-1", "1102"))) == [
        "nodes disagree on global rule"
    ]


def test_props_compare_with_the_registry_where_it_holds_them() -> None:
    def with_props(source: str, **props: str) -> Snapshot:
        return Snapshot.of(source, {"database": {}, "global": {"props": props}})

    # A node lists every prop; the registry holds those set: the rest is no difference.
    agree = divergence(
        result(
            with_props("node-0", sql_show="true", sql_simple="false"),
            with_props("node-1", sql_show="true", sql_simple="true"),
            registry=with_props("registry", sql_show="true"),
        )
    )
    assert agree == ["nodes disagree on prop"]
    differ = divergence(
        result(
            with_props("node-0", sql_show="false", sql_simple="false"),
            registry=with_props("registry", sql_show="true"),
        )
    )
    assert differ == ["a node and the registry differ on prop"]


def test_a_unit_missed_in_a_database_created_through_a_cut_node_says_so() -> None:
    # 5.1.1, chaos seed 21: chaos_0 created through node-2 while it was cut (kept there only),
    # then a storage unit registered through it once healed; its peers serve chaos_0 without it.
    with_unit = {"storage_unit": UNIT, "rule": {}}
    without: dict[str, Any] = {"storage_unit": {}, "rule": {}}
    missed = result(
        node("node-0", chaos_0=without),
        node("node-2", chaos_0=with_unit),
        registry=registry(chaos_0=with_unit),
    )
    assert divergence(missed, {}, ["chaos_0"]) == [
        "a node is behind the registry on storage unit "
        "(of a database created through a node cut from the registry)"
    ]
    assert divergence(missed, {}, ["chaos_1"]) == ["a node is behind the registry on storage unit"]
