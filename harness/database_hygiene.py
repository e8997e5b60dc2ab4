"""After a test: logical databases it made and left on a shared topology.

A test that runs ``CREATE DATABASE`` itself (not through ``LogicalDatabase``) and does not
drop it leaves it for every later test on the same topology, whose view of "every database"
then holds it. The plugin notes what each node serves before a test and drops what is new
after it, saying so, so tests stay independent of their order.
"""

from __future__ import annotations

from harness.clients.mysql import SqlError
from harness.runtime.nodes import ComputeNode
from harness.runtime.topology import Topology
from harness.timeline import Note
from harness.waiting import WaitTimeout, poll

__all__ = ["HarnessLeftoverWarning", "drop_new_databases", "node_databases", "served_databases"]

# A drop the test made just before it ended may still be reaching the other nodes.
SETTLE_S = 2.0


class HarnessLeftoverWarning(UserWarning):
    """A test left logical databases on a shared topology (harness dropped them after it).

    Example: ``pytest -W error::harness.HarnessLeftoverWarning`` makes such a test fail.
    """


def node_databases(topology: Topology, node: ComputeNode) -> list[str]:
    """The logical databases ``node`` serves (SqlError or OSError if it does not answer)."""
    with node.sql(read_timeout=10) as c:
        rows = c.query(topology.dialect.show_databases())
    return topology.dialect.user_databases([str(next(iter(r.values()))) for r in rows])


def served_databases(topology: Topology) -> set[str]:
    """The logical databases any answering node serves (one that does not answer is left
    out: a test may have stopped it, and the fault check reports that)."""
    names: set[str] = set()
    for node in topology.nodes:
        try:
            names |= set(node_databases(topology, node))
        except (SqlError, OSError):
            continue
    return names


def drop_new_databases(topology: Topology, before: set[str]) -> list[str]:
    """Drop every logical database served now and not in ``before``, on every node that
    serves it; return their names (empty when the test left none). A database
    ``LogicalDatabase`` dropped is dropped again but not returned: a node still serving it is
    the engine's doing (its drop did not reach that node), and the timeline says so. Nor is
    one ``LogicalDatabase`` made and never dropped (its set-up failed)."""

    seen: set[str] = set()

    def new() -> set[str] | None:
        nonlocal seen
        seen = served_databases(topology) - before
        return None if seen else seen

    try:
        poll(new, timeout=SETTLE_S, what="the test's own drops to settle", interval=0.1)
        return []
    except WaitTimeout:
        pass
    left = sorted(seen)
    # Made by harness for this test (LogicalDatabase) and never dropped: its set-up failed
    # before the test could drop it (an engine whose peers never got it): not the test's.
    unfinished = [n for n in left if n in topology.created_databases]
    for node in topology.nodes:
        try:
            with node.sql(read_timeout=30) as c:
                for name in left:
                    c.execute(topology.dialect.drop_database(name))
        except (SqlError, OSError):
            continue
    topology.created_databases.difference_update(left)
    missed = [n for n in left if n in topology.dropped_databases]
    if missed:
        topology.record(
            Note(f"database {', '.join(missed)} still served after its drop; dropped again")
        )
    if unfinished:
        topology.record(
            Note(
                f"database {', '.join(unfinished)} made for the test and not dropped (its "
                "set-up failed); dropped"
            )
        )
    return [n for n in left if n not in topology.dropped_databases and n not in unfinished]
