"""Canonical snapshots, diffs and the convergence wait, without Docker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest

from harness.convergence.api import node_view
from harness.convergence.diff import diff_snapshots, render_diff
from harness.convergence.loop import converge, raise_unless
from harness.convergence.snapshot import Snapshot, flatten
from harness.errors import ConvergenceTimeout
from tests.unit.fakes import FakeClock

Tree = dict[str, Any]
RULE: Tree = {"database": {"db": {"sharding_table_rule": {"t_order": {"type": "hash_mod"}}}}}
EMPTY: Tree = {"database": {"db": {"sharding_table_rule": {}}}}


def snap(source: str, tree: Tree) -> Snapshot:
    return Snapshot.of(source, tree)


def scripted(
    fake: FakeClock, timeline: dict[str, Callable[[float], Tree]]
) -> Callable[[], Sequence[Snapshot]]:
    """Each node's tree as a function of fake time."""
    return lambda: [snap(name, fn(fake.t)) for name, fn in timeline.items()]


def test_flatten_is_sorted_and_stringly() -> None:
    assert flatten({"b": {"y": 2, "x": None}, "a": {}}) == {
        "b/x": "",
        "b/y": "2",
    }


def test_snapshot_equality_ignores_source_and_order() -> None:
    a = Snapshot.of("n0", {"x": {"b": 1, "a": 2}})
    b = Snapshot.of("n1", {"x": {"a": 2, "b": 1}})
    assert a.same_as(b)
    assert not a.same_as(Snapshot.unreadable("n2", "down"))


def test_diff_names_key_and_each_value() -> None:
    diff = diff_snapshots([snap("node-0", RULE), snap("node-1", EMPTY)])
    key = "database/db/sharding_table_rule/t_order/type"
    assert diff == {key: {"node-0": "hash_mod", "node-1": "<absent>"}}
    text = render_diff([snap("node-0", RULE), snap("node-1", EMPTY)])
    assert key in text
    assert "node-1: <absent>" in text


def test_converges_after_the_slow_node_catches_up_and_records_latency() -> None:
    fake = FakeClock()
    read = scripted(
        fake,
        {
            "node-0": lambda _t: RULE,
            "node-1": lambda t: RULE if t >= 0.2 else EMPTY,
            "node-2": lambda t: RULE if t >= 0.6 else EMPTY,
        },
    )
    result = converge(read, timeout=5, stable=0.3, clock=fake.clock)
    assert result.converged
    assert result.latency["node-0"] == 0.0
    assert result.latency["node-1"] == pytest.approx(0.2, abs=0.051)
    assert result.latency["node-2"] == pytest.approx(0.6, abs=0.051)
    assert result.waited >= 0.6 + 0.3


def test_requires_a_stable_window() -> None:
    fake = FakeClock()
    # node-1 flaps back once before settling: the window restarts.
    read = scripted(
        fake,
        {
            "node-0": lambda _t: RULE,
            "node-1": lambda t: RULE if t < 0.1 or t >= 1.0 else EMPTY,
        },
    )
    result = converge(read, timeout=5, stable=0.3, clock=fake.clock)
    assert result.converged
    assert result.waited >= 1.3


def test_times_out_with_a_diff_naming_the_node_and_key() -> None:
    fake = FakeClock()
    read = scripted(fake, {"node-0": lambda _t: RULE, "node-2": lambda _t: EMPTY})
    result = converge(read, timeout=2, clock=fake.clock)
    assert not result.converged
    assert fake.t == pytest.approx(2.0)
    with pytest.raises(ConvergenceTimeout) as err:
        raise_unless(result)
    message = str(err.value)
    assert "node-2" in message
    assert "sharding_table_rule/t_order" in message
    assert "2.00s" in message


def test_expectation_keeps_waiting_when_nodes_agree_on_the_old_state() -> None:
    fake = FakeClock()
    read = scripted(fake, {"node-0": lambda _t: EMPTY, "node-1": lambda _t: EMPTY})
    result = converge(read, timeout=1, clock=fake.clock, expect=lambda s: s.has("database/db/x"))
    assert not result.converged
    assert "expected change is not there" in result.explain()


def test_unreadable_node_never_converges() -> None:
    fake = FakeClock()
    read = lambda: [snap("node-0", RULE), Snapshot.unreadable("node-1", "refused")]  # noqa: E731
    result = converge(read, timeout=1, clock=fake.clock)
    assert not result.converged
    assert "node-1: unreadable (refused)" in result.diff


def test_detection_resolution_is_the_poll_interval() -> None:
    fake = FakeClock()
    read = scripted(
        fake, {"node-0": lambda _t: RULE, "node-1": lambda t: RULE if t >= 0.33 else EMPTY}
    )
    result = converge(read, timeout=5, interval=0.05, clock=fake.clock)
    assert 0.33 <= result.latency["node-1"] <= 0.33 + 0.05


def test_a_lasting_wait_polls_less_and_still_sees_a_late_change_within_a_fifth() -> None:
    never = scripted(fake := FakeClock(), {"node-0": lambda _t: RULE, "node-1": lambda _t: EMPTY})
    steady = converge(never, timeout=10, clock=fake.clock)
    fake = FakeClock()
    never = scripted(fake, {"node-0": lambda _t: RULE, "node-1": lambda _t: EMPTY})
    backing_off = converge(never, timeout=10, clock=fake.clock, max_interval=0.5)
    assert not steady.converged
    assert not backing_off.converged
    assert steady.rounds > 190
    assert backing_off.rounds < 45  # 50 ms for the first quarter second, then 0.5 s at most
    assert max(fake.sleeps) == pytest.approx(0.5)
    # A node that catches up late is seen within a fifth of its lateness (plus one interval).
    fake = FakeClock()
    late = scripted(
        fake, {"node-0": lambda _t: RULE, "node-1": lambda t: RULE if t >= 2.0 else EMPTY}
    )
    result = converge(late, timeout=10, clock=fake.clock, max_interval=0.5)
    assert result.converged
    assert 2.0 <= result.latency["node-1"] <= 2.0 + 0.2 * 2.0 + 0.05
    # Any change brings the pace back: the stable window after it is read at about 50 ms.
    assert max(fake.sleeps[-4:]) < 0.1


def test_registry_is_a_reference_on_comparable_keys_only() -> None:
    fake = FakeClock()
    cfg = {"database": {"db": {"config": {"rule": {"SHARDING": {"t": "x"}}}}}}
    node_only = {"database": {"db": {"config": {"rule": {"SHARDING": {"t": "x"}}}, "extra": "1"}}}
    read = scripted(fake, {"node-0": lambda _t: node_only, "node-1": lambda _t: node_only})
    # The registry lags: it holds the rule only from t=0.4.
    result = converge(
        read,
        timeout=5,
        clock=fake.clock,
        reference=lambda: snap("registry", cfg if fake.t >= 0.4 else EMPTY),
        comparable=lambda k: "/config/" in k,
    )
    assert result.converged
    assert result.waited >= 0.4 + 0.3
    assert result.registry is not None
    assert result.registry.same_as(snap("x", cfg))


def test_node_agreeing_with_peers_but_not_registry_fails_with_registry_column() -> None:
    fake = FakeClock()
    rule = {"database": {"db": {"config": {"rule": {"SHARDING": {"t": "old"}}}}}}
    newer = {"database": {"db": {"config": {"rule": {"SHARDING": {"t": "new"}}}}}}
    read = scripted(fake, {"node-0": lambda _t: rule, "node-1": lambda _t: rule})
    result = converge(read, timeout=1, clock=fake.clock, reference=lambda: snap("registry", newer))
    assert not result.converged
    text = result.diff
    assert "database/db/config/rule/SHARDING/t" in text
    assert "registry: new" in text
    assert "node-0: old" in text


def test_missing_subtree_is_one_row() -> None:
    wide = {"database": {"db": {"sharding_table_rule": {"t_order": {c: c for c in "abcdef"}}}}}
    other = {"database": {"db": {"sharding_table_rule": {"t_user": {"a": "a"}}}}}
    text = render_diff([snap("node-0", wide), snap("node-1", wide), snap("node-2", other)])
    bare = render_diff([snap("node-0", wide), snap("node-2", EMPTY)])
    assert "database/db/sharding_table_rule/t_order/*" in bare
    assert "database/db/sharding_table_rule/t_order/*" in text
    assert "node-2: <absent>" in text
    assert "node-0: <6 keys>" in text
    assert "database/db/sharding_table_rule/t_user/a" in text
    assert text.count("\n") < 10


def test_different_values_are_not_collapsed() -> None:
    a = {"database": {"db": {"rule": {"x": "1", "y": "1"}}}}
    b = {"database": {"db": {"rule": {"x": "2", "y": "2"}}}}
    text = render_diff([snap("node-0", a), snap("node-1", b)])
    assert "database/db/rule/x" in text
    assert "database/db/rule/y" in text


def test_explain_of_a_converged_result_says_so() -> None:
    fake = FakeClock()
    result = converge(scripted(fake, {"node-0": lambda _t: RULE}), timeout=1, clock=fake.clock)
    assert result.explain().startswith("nodes converged after")


def test_first_seen_is_the_interval_the_reads_allow() -> None:
    fake = FakeClock()
    inner = scripted(
        fake,
        {"node-0": lambda _t: RULE, "node-1": lambda t: RULE if t >= 10.5 else EMPTY},
    )

    def slow_read() -> Sequence[Snapshot]:
        snaps = inner()
        fake.t += 0.02  # each round of reads costs 20 ms
        return snaps

    # The change was committed 0.1 s before the wait started.
    fake.t = 10.0
    result = converge(slow_read, timeout=5, stable=0.3, interval=0.05, clock=fake.clock, origin=9.9)
    assert result.converged
    assert result.read_cost == pytest.approx(0.02)
    assert result.origin_lead == pytest.approx(0.1)
    first, late = result.first_seen["node-0"], result.first_seen["node-1"]
    # Already there at the first read: only "no later than the end of that read" is known.
    assert first.at_first_read
    assert first.after == 0.0
    assert first.by == pytest.approx(0.12)
    assert first.describe() == "≤ 120 ms"
    assert result.latency["node-0"] == first.by
    # node-1 turned at wait time 0.5 s (0.6 s after the commit): between the read before,
    # which missed it, and the end of the read that saw it; one round (70 ms) wide at most.
    assert not late.at_first_read
    assert late.after < 0.6 <= late.by
    assert late.by - late.after <= 0.02 + 0.05 + 0.02 + 1e-9
    assert late.describe() == f"{late.after * 1000:.0f}-{late.by * 1000:.0f} ms"
    assert "rounds of 20 ms" in result.explain()


def test_latency_counts_from_the_wait_without_an_origin() -> None:
    fake = FakeClock()
    read = scripted(fake, {"node-0": lambda _t: RULE})
    result = converge(read, timeout=5, stable=0.1, clock=fake.clock)
    assert result.origin_lead == 0.0
    assert result.first_seen["node-0"].describe() == "≤ 0 ms"


def test_node_view_of_a_node_that_cannot_be_read_is_unreadable_not_an_error() -> None:
    class Refusing:
        name = "node-1"

        def sql(self, **_: Any) -> Any:
            raise ConnectionRefusedError("connection refused")

    class Topo:
        def node(self, index: int) -> Refusing:
            return Refusing()

    view = node_view(cast(Any, Topo()), 1, ["db"])
    assert view.error is not None
    assert "connection refused" in view.error
    assert not view.serves("db")
