"""scenarios.replay_order against what Java's ConcurrentHashMap does: the expected orders
below were printed by a JVM (Java 17) iterating a map of the same paths at each size."""

from __future__ import annotations

import pytest

from scenarios.replay_order import TABLE_SIZES, rule_first_token, rules_first

# name: rules first at 16, 32, 64 bins (5, 15 and 35 paths in the JVM's map)
JAVA = {
    "chaos_0": (False, False, False),
    "chaos_1": (True, True, True),
    "chaos_2": (False, False, False),
    "chaos_3": (True, True, False),
    "t_1a2b3c4d": (False, False, False),
    "t_00ff00ff": (False, True, True),
    "foo": (False, True, True),
    "bar": (True, True, True),
}


@pytest.mark.parametrize("name", sorted(JAVA))
def test_order_matches_the_jvm(name: str) -> None:
    assert tuple(rules_first(name, size) for size in TABLE_SIZES) == JAVA[name]


def test_picked_token_puts_rules_first_at_every_size() -> None:
    token = rule_first_token()
    assert len(token) == 8
    assert all(rules_first(f"t_{token}", size) for size in TABLE_SIZES)
