"""Picking the steps a chaos run draws: its faults (ChaosSettings.faults) and its metadata
changes (ChaosSettings.changes); the settle step beside them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis.stateful import RULE_MARKER

from harness.chaos import (
    CHANGES,
    FAULTS,
    ChaosSettings,
    _never,
    chaos_machine,
    parse_changes,
    parse_faults,
)
from harness.errors import SpecError


def test_a_comma_separated_list_is_parsed_and_empty_means_all() -> None:
    assert parse_faults(" cut_registry, pause_node ,cut_registry") == ("cut_registry", "pause_node")
    assert parse_faults("") == ()


@pytest.mark.parametrize(
    ("picked", "bad", "allowed"),
    [
        ({"faults": ("cut_registry", "partition")}, "partition", FAULTS),
        ({"changes": ("create_database", "truncate")}, "truncate", CHANGES),
    ],
)
def test_an_unknown_step_names_itself_the_choices_and_the_fix(
    picked: dict[str, Any], bad: str, allowed: tuple[str, ...]
) -> None:
    with pytest.raises(SpecError) as err:
        ChaosSettings(**picked)
    message = str(err.value)
    assert f"'{bad}'" in message
    assert all(name in message for name in allowed)
    assert f"drop {bad}" in message


def _machine(settings: ChaosSettings) -> Any:
    node = SimpleNamespace(index=0)
    spec = SimpleNamespace(
        registry="zookeeper", mode="cluster", props={}, describe=lambda: "cluster/zookeeper x1"
    )
    topology: Any = SimpleNamespace(nodes=[node], spec=spec, images=SimpleNamespace(proxy="p"))
    return chaos_machine(topology, settings)


def _rules(machine: Any) -> dict[str, Any]:
    """The machine's rules by step name (Hypothesis marks each rule's method so)."""
    marked = {name: getattr(getattr(machine, name), RULE_MARKER, None) for name in dir(machine)}
    return {name: rule for name, rule in marked.items() if rule is not None}


def _blocked(machine: Any) -> set[str]:
    return {name for name, rule in _rules(machine).items() if _never in rule.preconditions}


def test_only_the_picked_fault_steps_can_be_drawn() -> None:
    picked = ("cut_registry", "registry_outage")
    assert _blocked(_machine(ChaosSettings(faults=picked))) == set(FAULTS) - set(picked)


def test_every_fault_step_can_be_drawn_by_default_and_faults_names_the_machines_steps() -> None:
    machine = _machine(ChaosSettings())
    assert _blocked(machine) == set()
    assert set(FAULTS) <= set(_rules(machine))


def test_only_the_picked_change_steps_can_be_drawn_and_the_faults_stay() -> None:
    picked = ("create_database", "set_up_sharding")
    machine = _machine(ChaosSettings(changes=picked))
    assert _blocked(machine) == set(CHANGES) - set(picked)
    both = _machine(ChaosSettings(changes=picked, faults=("cut_registry",)))
    assert _blocked(both) == (set(CHANGES) - set(picked)) | (set(FAULTS) - {"cut_registry"})


def test_every_change_step_can_be_drawn_by_default_and_changes_names_the_machines_steps() -> None:
    assert set(CHANGES) <= set(_rules(_machine(ChaosSettings())))
    assert set(CHANGES).isdisjoint(FAULTS)
    assert parse_changes("") == ()
    assert parse_changes("alter_global_rule") == ("alter_global_rule",)


def test_database_steps_without_create_database_are_refused_with_the_fix() -> None:
    """Every step but the global rule's acts on a database the schedule created: without
    create_database none could ever be drawn."""
    with pytest.raises(SpecError) as err:
        parse_changes("register_unit,create_rule")
    message = str(err.value)
    assert "--harness-chaos-changes" in message
    assert "add create_database" in message
    assert "--harness-chaos-changes=create_database,register_unit,create_rule" in message


def test_settle_is_the_one_step_beside_changes_and_faults_and_no_pick_blocks_it() -> None:
    machine = _machine(ChaosSettings(changes=("create_database",), faults=("cut_registry",)))
    rules = _rules(machine)
    assert set(rules) - set(CHANGES) - set(FAULTS) == {"settle"}
    assert "settle" not in _blocked(machine)


DB = {"chaos_0_1": object()}
CREATED = [SimpleNamespace(method="create_database")]


@pytest.mark.parametrize(
    ("dbs", "quiet", "outage", "steps", "drawn"),
    [
        (DB, [0, 2], False, CREATED, True),
        ({}, [0, 2], False, [], False),  # nothing to settle on
        (DB, [], False, CREATED, False),  # every node has a fault on it
        (DB, [0, 2], True, CREATED, False),  # no node can agree with the registry
        (DB, [0, 2], False, [*CREATED, SimpleNamespace(method="settle")], False),  # settled
    ],
)
def test_settle_is_drawn_only_with_a_database_and_a_node_no_fault_is_on_and_not_twice(
    dbs: dict[str, object], quiet: list[int], outage: bool, steps: list[object], drawn: bool
) -> None:
    (allowed,) = _rules(_machine(ChaosSettings()))["settle"].preconditions
    state = SimpleNamespace(dbs=dbs, _quiet=lambda: quiet, _outage=lambda: outage, steps=steps)
    assert allowed(state) is drawn


def test_settle_is_no_step_where_nodes_share_no_metadata() -> None:
    node = SimpleNamespace(index=0)
    spec = SimpleNamespace(registry=None, mode="memory", props={}, describe=lambda: "memory x1")
    topology: Any = SimpleNamespace(nodes=[node], spec=spec, images=SimpleNamespace(proxy="p"))
    rules = _rules(chaos_machine(topology, ChaosSettings()))
    assert "settle" not in rules
    assert "create_database" in rules
