"""report.json against its documented JSON Schema (harness/report.schema.json)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import jsonschema
import pytest

from harness.reporting import RunReport, load_schema
from harness.spec import TopologySpec
from harness.timeline import Change, Convergence, Fault, NodeChange, encode


class FakeTopology:
    def __init__(self) -> None:
        self.name = "harness-r1-abcd"
        self.spec = TopologySpec.create(registry="etcd", nodes=2)
        self.events: list[Any] = []
        self.script = [
            encode(Change(0, "register storage unit ds_0", "REGISTER ..."), 1.0),
            encode(
                Fault(1, "on", "node-1 down() on registry [both]", "node-1", "registry", "cut"), 1.1
            ),
            encode(
                Fault(1, "off", "node-1 down() on registry [both]", "node-1", "registry", "cut"),
                2.0,
            ),
            encode(NodeChange("node-1", "paused"), 2.1),
            encode(
                Convergence(
                    True,
                    900,
                    {"node-0": 40, "node-1": 700},
                    {"node-0": 0, "node-1": 600},
                    ["node-0"],
                    40,
                    10,
                ),
                3.0,
            ),
        ]


def report(nodeid: str, when: str, failed: bool = False, **extra: object) -> Any:
    return SimpleNamespace(
        nodeid=nodeid,
        when=when,
        duration=0.5,
        failed=failed,
        passed=not failed,
        skipped=False,
        **extra,
        longreprtext="AssertionError: x" if failed else "",
        longrepr=SimpleNamespace(reprcrash=SimpleNamespace(message="AssertionError: x")),
    )


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Any]:
    run = RunReport(tmp_path, "r1")
    topo = FakeTopology()
    for nodeid, failed in (("t.py::ok", False), ("t.py::bad", True)):
        run.mark_start(nodeid, cast(Any, topo), "5.5.2")
        topo.events.extend(topo.script)  # what the test's topology records meanwhile
        run.add(report(nodeid, "call", failed))
        run.add(report(nodeid, "teardown"))
    path = run.write()
    assert path is not None
    return cast(dict[str, Any], json.loads(path.read_text()))


def test_a_written_report_matches_its_schema(written: dict[str, Any]) -> None:
    jsonschema.validate(written, load_schema())
    assert written["summary"] == {"passed": 1, "failed": 1}
    bad = next(t for t in written["tests"] if t["nodeid"] == "t.py::bad")
    assert bad["message"] == "AssertionError: x"
    assert bad["engine"] == "5.5.2"


def test_each_test_says_when_it_started_and_which_worker_ran_it(tmp_path: Path) -> None:
    """The earliest phase's start (setup's), and the xdist worker whose part it came from."""
    run = RunReport(tmp_path, "r1", part="gw1")
    run.mark_start("t.py::w", cast(Any, FakeTopology()), "5.5.2")
    for when, start in (("setup", 100.0), ("call", 104.0), ("teardown", 109.0)):
        run.add(report("t.py::w", when, start=start, stop=start + 0.5))
    [record] = [asdict(r) for r in run.records.values()]
    assert (record["started"], record["worker"]) == (100.0, "gw1")
    one = RunReport(tmp_path, "r2")  # no xdist
    one.add(report("t.py::v", "call", start=7.0))
    assert (one.records["t.py::v"].started, one.records["t.py::v"].worker) == (7.0, "")


def test_a_racy_known_issue_that_did_not_show_is_a_pass_that_says_so(tmp_path: Path) -> None:
    run = RunReport(tmp_path, "r1")
    run.mark_start("t.py::race", cast(Any, FakeTopology()), "5.5.2")
    run.add(report("t.py::race", "call", wasxfail="a race [proxy 5.5.2]"))
    run.add(report("t.py::race", "teardown"))
    path = run.write()
    assert path is not None
    body = json.loads(path.read_text())
    jsonschema.validate(body, load_schema())
    [record] = body["tests"]
    assert record["outcome"] == "passed"
    assert record["reason"] == "known race, did not show this run: a race [proxy 5.5.2]"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema",), 2),
        (("tests", 0, "outcome"), "fine"),
        (("tests", 0, "events", 0, "data", "type"), "Gossip"),
    ],
)
def test_the_schema_rejects_what_it_does_not_document(
    written: dict[str, Any], path: tuple[Any, ...], value: object
) -> None:
    target: Any = written
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(written, load_schema())


@pytest.mark.parametrize("name", ["first_seen", "started", "worker"])
def test_a_missing_field_is_rejected(written: dict[str, Any], name: str) -> None:
    del written["tests"][0][name]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(written, load_schema())
