"""scenarios.known.chaos_known: which chaos failures each release's runs record and pass."""

from __future__ import annotations

from harness.chaos import Database
from harness.chaos_signature import (
    ALTERED_THROUGH_CUT,
    CHANGED_THROUGH_CUT,
    KNOWN_BEFORE,
    NEW_AT_FAULT,
    UNANNOUNCED,
    known_reason,
)
from scenarios.known import (
    CONFIG_MISSED_51,
    CONFIG_OVERWRITTEN_51,
    CREATED_THROUGH_CUT_NODE_51,
    DATABASE_BEHIND_51,
    DISTSQL_LOST_IN_OUTAGE,
    DROP_MISSED,
    DROPPED_WHILE_CUT,
    RACY_REPLAY_ORDER,
    chaos_known,
)

NEW_RULE_AND_UNIT = [
    f"a node is behind the registry on rule {NEW_AT_FAULT}",
    f"a node is behind the registry on storage unit {NEW_AT_FAULT}",
]
RULE_OF_A_KNOWN_DATABASE = [f"a node is behind the registry on rule {KNOWN_BEFORE}"]


def test_config_missed_after_a_cut_is_known_on_51_zookeeper_only_by_its_cause() -> None:
    replay_order = str(RACY_REPLAY_ORDER.mark.args[0])
    for version in ("5.1.0", "5.1.1"):
        known = chaos_known(version, "zookeeper")
        assert known_reason(NEW_RULE_AND_UNIT, known) == CONFIG_MISSED_51
        assert known_reason(RULE_OF_A_KNOWN_DATABASE, known) == replay_order
        # The replay-order race leaves the storage unit applied: missing it is a finding.
        unit = [f"a node is behind the registry on storage unit {KNOWN_BEFORE}"]
        assert known_reason(unit, known) is None
        # A node that had no fault and still missed a rule: neither cause, a finding.
        assert known_reason(["a node is behind the registry on rule"], known) is None
    assert known_reason(NEW_RULE_AND_UNIT, chaos_known("5.5.2", "zookeeper")) is None


def test_a_missed_database_is_known_on_51_zookeeper_by_its_two_causes() -> None:
    # Kept a finding until two chaos runs showed its causes (a drop in an outage, a dropped event).
    missed = ["a node is behind the registry on database"]
    for version in ("5.1.0", "5.1.1"):
        assert known_reason(missed, chaos_known(version, "zookeeper")) == DATABASE_BEHIND_51
    assert known_reason(missed, chaos_known("5.5.2", "etcd")) is None
    # The dropped event's other face: the node lists the database and cannot serve it.
    half = [*missed, "a node lists a database it does not serve"]
    assert known_reason(half, chaos_known("5.1.1", "zookeeper")) == DATABASE_BEHIND_51
    assert known_reason(half, chaos_known("5.5.2", "zookeeper")) is None
    assert known_reason(["a node is unreadable"], chaos_known("5.1.1", "zookeeper")) is None
    assert (
        known_reason(
            ["a node is ahead of the registry on database"], chaos_known("5.5.2", "zookeeper")
        )
        == DROP_MISSED
    )


def test_a_unit_missed_in_a_database_created_through_a_cut_node_is_known_on_51_zookeeper() -> None:
    missed = [f"a node is behind the registry on storage unit {UNANNOUNCED}"]
    for version in ("5.1.0", "5.1.1"):
        reason = known_reason(missed, chaos_known(version, "zookeeper"))
        assert reason == CREATED_THROUGH_CUT_NODE_51
    assert known_reason(missed, chaos_known("5.5.2", "zookeeper")) is None


def test_a_global_rule_altered_through_a_cut_node_is_the_outage_behaviour_on_51_zookeeper() -> None:
    differ = [f"a node and the registry differ on global rule {ALTERED_THROUGH_CUT}"]
    outage = str(DISTSQL_LOST_IN_OUTAGE.mark.args[0])
    for version in ("5.1.0", "5.1.1"):
        assert known_reason(differ, chaos_known(version, "zookeeper")) == outage
        # Not altered through a cut node: a node left on another value is a finding.
        plain = ["a node and the registry differ on global rule"]
        assert known_reason(plain, chaos_known(version, "zookeeper")) is None
    assert known_reason(differ, chaos_known("5.5.2", "zookeeper")) is None


def test_a_global_rule_set_through_a_cut_node_and_lost_is_the_outage_behaviour_on_51() -> None:
    """Seed 29 on 5.1.1: an ALTER through a cut node answered OK, and after the heal every
    node (that one too) is on the value before it."""
    lost = [f"lost: global rule not the last value {ALTERED_THROUGH_CUT}"]
    outage = str(DISTSQL_LOST_IN_OUTAGE.mark.args[0])
    assert known_reason(lost, chaos_known("5.1.1", "zookeeper")) == outage
    # Set through a connected node and lost: a finding.
    assert (
        known_reason(["lost: global rule not the last value"], chaos_known("5.1.1", "zookeeper"))
        is None
    )
    assert known_reason(lost, chaos_known("5.5.2", "zookeeper")) is None


def test_unknown_release_knows_nothing() -> None:
    assert chaos_known("9.9.9", "zookeeper") == {}


def test_a_database_change_that_answered_ok_through_a_cut_node_and_was_lost_is_known() -> None:
    """On 5.1.x ZooKeeper the DistSQL-during-outage behaviour, whichever object; on 5.5.2 a
    drop through a cut node that dropped nothing (qualified or not, as before)."""
    outage = str(DISTSQL_LOST_IN_OUTAGE.mark.args[0])
    for what in ("storage unit missing", "rule still there", "database missing"):
        qualified = [f"lost: {what} {CHANGED_THROUGH_CUT}"]
        assert known_reason(qualified, chaos_known("5.1.1", "zookeeper")) == outage
    # Through a connected node: lost only as a peer's late empty default overwrites it.
    for what in ("rule still there", "database missing"):
        assert known_reason([f"lost: {what}"], chaos_known("5.1.1", "zookeeper")) is None
    dropped = str(DROPPED_WHILE_CUT.mark.args[0])
    on_55 = chaos_known("5.5.2", "zookeeper")
    for kept in ("lost: database still there", f"lost: database still there {CHANGED_THROUGH_CUT}"):
        assert known_reason([kept], on_55) == dropped
    assert known_reason([f"lost: storage unit missing {CHANGED_THROUGH_CUT}"], on_55) is None


def test_the_model_remembers_which_objects_last_answered_ok_through_a_cut_node() -> None:
    db = Database("chaos_0", "ds_chaos_0")
    db.changed("storage unit", True, through_cut=True)
    db.changed("rule", None, through_cut=True)  # no answer: nothing is known of it
    assert db.via_cut == {"storage unit"}
    db.changed("storage unit", True, through_cut=False)  # set again through a linked node
    assert db.via_cut == set()


def test_a_unit_or_rule_lost_through_a_connected_node_is_the_overwrite_on_51_zookeeper() -> None:
    """A 5.1.1 loop of create, cut a peer, register, create a rule: the registry ended with
    `rules: []` (or no storage unit) though both answered OK through a connected node."""
    for what in ("storage unit missing", "rule missing"):
        for version in ("5.1.0", "5.1.1"):
            reason = known_reason([f"lost: {what}"], chaos_known(version, "zookeeper"))
            assert reason == CONFIG_OVERWRITTEN_51
        assert known_reason([f"lost: {what}"], chaos_known("5.5.2", "zookeeper")) is None
        assert known_reason([f"lost: {what}"], chaos_known("5.1.1", "etcd")) is None
    # Its other face: a database dropped through a connected node, written back by the peer.
    back = ["lost: database still there"]
    assert known_reason(back, chaos_known("5.1.1", "zookeeper")) == CONFIG_OVERWRITTEN_51
    assert known_reason(back, chaos_known("5.1.1", "etcd")) is None
