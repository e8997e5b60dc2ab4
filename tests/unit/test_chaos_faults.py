"""Picking the fault steps a chaos run draws (ChaosSettings.faults)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis.stateful import RULE_MARKER

from harness.chaos import FAULTS, ChaosSettings, _never, chaos_machine, parse_faults
from harness.errors import SpecError


def test_a_comma_separated_list_is_parsed_and_empty_means_all() -> None:
    assert parse_faults(" cut_registry, pause_node ,cut_registry") == ("cut_registry", "pause_node")
    assert parse_faults("") == ()


def test_an_unknown_fault_step_names_itself_the_choices_and_the_fix() -> None:
    with pytest.raises(SpecError) as err:
        ChaosSettings(faults=("cut_registry", "partition"))
    message = str(err.value)
    assert "'partition'" in message
    assert all(name in message for name in FAULTS)
    assert "drop partition" in message


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
