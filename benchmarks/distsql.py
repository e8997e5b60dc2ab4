"""How long each DistSQL statement takes to return, per engine release, side by side: the
statement alone (from sending it through node 0 to its OK), not its propagation (that is
benchmarks.latency). A 2-node cluster on ZooKeeper per release, one after another.

    .venv/bin/python -m benchmarks.distsql [--rounds N] [--releases 5.1.0,5.1.1,5.5.2]

Why it matters: a scenario's cost, and a user's deployment script's, is mostly these
statements; 5.5.2 sleeps 3 s in every rule statement in cluster mode (README, "Where a suite
run's time goes").
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from benchmarks.output import median, write
from harness.clients.mysql import SqlClient
from harness.database_hygiene import node_databases
from harness.docker_engine import connect
from harness.logical_database import LogicalDatabase
from harness.runtime.image_set import resolve_images
from harness.runtime.topology import Topology
from harness.runtime.wiring import storage_address
from harness.spec import TopologySpec
from harness.waiting import poll

STATEMENTS = (
    "CREATE DATABASE",
    "register storage unit",
    "CREATE SHARDING TABLE RULE",
    "ALTER SHARDING TABLE RULE",
    "DROP SHARDING TABLE RULE",
    "ALTER SQL_PARSER RULE (global)",
    "DROP DATABASE",
)


def _timed(conn: SqlClient, statement: str) -> float:
    start = time.perf_counter()
    conn.execute(statement)
    return time.perf_counter() - start


def _served(check: Callable[[], bool], what: str) -> None:
    poll(lambda: True if check() else None, timeout=30, what=f"node 0 to serve {what}")


def measure(topo: Topology, rounds: int) -> dict[str, list[float]]:
    """``{statement: [seconds, ...]}``, one sample per round, all through node 0."""
    out: dict[str, list[float]] = {s: [] for s in STATEMENTS}
    for i in range(rounds):
        for statement, seconds in _round(topo, i).items():
            out[statement].append(seconds)
    return out


def _round(topo: Topology, i: int) -> dict[str, float]:
    d = topo.dialect
    node = topo.node(0)
    took: dict[str, float] = {}
    # The physical database and the logical one, as a scenario's would be; the logical one is
    # dropped here and created again by the timed statement.
    db = LogicalDatabase.create(topo, f"distsql {i}")
    with node.sql(read_timeout=120) as c:
        c.execute(d.drop_database(db.name))
        _served(lambda: db.name not in node_databases(topo, node), "the drop")
        took["CREATE DATABASE"] = _timed(c, d.create_database(db.name))
    # 5.5 applies a node's own change through the registry: the next statement waits
    # (untimed) until node 0 serves this one.
    _served(lambda: db.name in node_databases(topo, node), "the database")
    host, port = storage_address(0)
    admin = topo.storage[0].admin
    unit = d.register_storage_unit(
        "ds_0", host=host, port=port, db=db.physical, user=admin.user, password=admin.password
    )
    rule = d.create_sharding_table_rule("t_order", ["ds_0"], "order_id", 4)
    with node.sql(db.name, read_timeout=120) as c:
        took["register storage unit"] = _timed(c, unit)
        _served(lambda: bool(c.query(d.show_storage_units(db.name))), "the storage unit")
        took["CREATE SHARDING TABLE RULE"] = _timed(c, rule)
        eight = d.create_sharding_table_rule("t_order", ["ds_0"], "order_id", 8)
        altered = eight.replace("CREATE SHARDING", "ALTER SHARDING", 1)
        took["ALTER SHARDING TABLE RULE"] = _timed(c, altered)
        took["DROP SHARDING TABLE RULE"] = _timed(c, "DROP SHARDING TABLE RULE t_order")
        took["ALTER SQL_PARSER RULE (global)"] = _timed(c, d.alter_sql_parser_rule(128 + i))
    with node.sql(read_timeout=120) as c:
        took["DROP DATABASE"] = _timed(c, d.drop_database(db.name))
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--releases", default="5.1.0,5.1.1,5.5.2")
    args = parser.parse_args()
    releases = [r.strip() for r in args.releases.split(",") if r.strip()]
    client = connect()
    samples: dict[str, dict[str, list[float]]] = {}
    for release in releases:
        image = f"apache/shardingsphere-proxy:{release}"
        spec = TopologySpec.create(nodes=2, proxy_image=image)
        images = resolve_images(client, "local", image)
        with Topology(spec, client=client, images=images) as topo:
            samples[release] = measure(topo, args.rounds)
    rows = [
        [statement, *(f"{median(samples[r][statement]):.3f}" for r in releases)]
        for statement in STATEMENTS
    ]
    write(
        "distsql",
        {"rounds": args.rounds, "seconds": samples},
        ["statement (median s, through node 0)", *releases],
        rows,
    )


if __name__ == "__main__":
    main()
