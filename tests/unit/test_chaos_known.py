"""scenarios.known.chaos_known: which chaos failures each release's runs record and pass."""

from __future__ import annotations

from harness.chaos_signature import known_reason
from scenarios.known import CONFIG_MISSED_51, DROP_MISSED, chaos_known

RULE_AND_UNIT = [
    "a node is behind the registry on rule",
    "a node is behind the registry on storage unit",
]


def test_config_missed_after_a_cut_is_known_on_51_zookeeper_only() -> None:
    for version in ("5.1.0", "5.1.1"):
        assert known_reason(RULE_AND_UNIT, chaos_known(version, "zookeeper")) == CONFIG_MISSED_51
    assert known_reason(RULE_AND_UNIT, chaos_known("5.5.2", "zookeeper")) is None


def test_a_missed_database_stays_a_finding_on_51_zookeeper() -> None:
    # Only the config keys are explained there; a node without a whole database is not.
    missed = ["a node is behind the registry on database"]
    assert known_reason(missed, chaos_known("5.1.0", "zookeeper")) is None
    assert (
        known_reason(
            ["a node is ahead of the registry on database"], chaos_known("5.5.2", "zookeeper")
        )
        == DROP_MISSED
    )


def test_unknown_release_knows_nothing() -> None:
    assert chaos_known("9.9.9", "zookeeper") == {}
