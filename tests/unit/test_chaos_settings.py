"""A chaos run's numbers (ChaosSettings): a bad one is refused, naming its option and a fix,
before any container starts."""

from __future__ import annotations

from typing import Any

import pytest

from harness.chaos import ChaosSettings
from harness.errors import SpecError


@pytest.mark.parametrize(
    ("field", "value", "option", "fix"),
    [
        ("examples", 0, "--harness-chaos-examples", "--harness-chaos-examples=5"),
        ("steps", -1, "--harness-chaos-steps", "--harness-chaos-steps=10"),
        ("budget_s", 0.0, "--harness-chaos-budget", "--harness-chaos-budget=600"),
        ("converge_s", -5.0, "--harness-chaos-converge", "--harness-chaos-converge=60"),
        ("statement_s", 0, "--harness-chaos-statement", "--harness-chaos-statement=20"),
    ],
)
def test_a_number_that_is_not_positive_is_refused_with_its_option(
    field: str, value: Any, option: str, fix: str
) -> None:
    with pytest.raises(SpecError) as err:
        ChaosSettings(**{field: value})
    message = str(err.value)
    assert message.startswith(f"invalid {option} ({field})={value!r}: allowed a positive")
    assert message.endswith(f"Fix: pass e.g. {fix}")


def test_the_defaults_and_small_positive_numbers_are_fine() -> None:
    assert ChaosSettings().converge_s == 60.0
    quick = ChaosSettings(examples=1, steps=1, budget_s=0.5, converge_s=0.1, statement_s=0.1)
    assert (quick.examples, quick.converge_s) == (1, 0.1)
