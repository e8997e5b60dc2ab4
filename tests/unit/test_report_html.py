"""The HTML report from a report.json body, without Docker or a browser."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from benchmarks.report_load import generated_body
from harness.redact import redact
from harness.report_html import (
    LatencyRow,
    latency_rows,
    percentile,
    render_html,
    timeline_svg,
    workers_line,
)
from harness.timeline import Change, Convergence, Fault, NodeChange, Record, encode


def event(at: float, record: Record) -> dict[str, Any]:
    """An event as report.json stores it."""
    return dataclasses.asdict(encode(record, at))


LATENCY = {"node": "node-2", "link": "registry", "fault": "latency"}
EVENTS = [
    event(1.0, Change(0, "register storage unit ds_0", "REGISTER ...")),
    event(1.2, Fault(7, "on", "node-2 latency(latency=500) on registry [both]", **LATENCY)),
    event(
        3.0,
        Convergence(
            converged=True,
            waited_ms=2000,
            latency_ms={"node-0": 0, "node-1": 900, "node-2": 1800},
            after_ms={"node-0": 0, "node-1": 900, "node-2": 1800},
        ),
    ),
    event(3.5, Fault(7, "off", "node-2 latency(latency=500) on registry [both]", **LATENCY)),
    event(4.0, NodeChange("node-1", "restarted")),
    event(4.5, NodeChange(None, "restarting all")),
]


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([7.0], 95) == 7


def test_timeline_shades_faults_and_places_each_node() -> None:
    svg = timeline_svg(EVENTS)
    assert svg.count('class="fault"') == 1
    assert "+1.20s to +3.50s" in svg
    assert svg.count('class="converged ok"') == 3
    assert "node-2 first seen 1800-1800 ms" in svg
    assert 'class="change"' in svg
    assert svg.count('class="nodeevent"') == 1
    assert ">restarting<" not in svg


def test_fault_left_on_is_shaded_to_the_end() -> None:
    svg = timeline_svg(EVENTS[:3])
    assert "(still on)" in svg


def test_latency_table_over_tests() -> None:
    def seen(by: int, first: bool = False) -> dict[str, Any]:
        return {"node": "node-1", "after_ms": 0, "by_ms": by, "first_read": first, "read_ms": 40}

    tests = [{"first_seen": [seen(100, True), seen(300)]}, {"first_seen": [seen(200)]}]
    assert latency_rows(tests) == [LatencyRow("node-1", 3, 1, 200, 300, 300, 40)]


def test_latency_table_reads_schema_1_reports() -> None:
    tests = [{"convergence_ms": {"node-1": [100, 300]}}, {"convergence_ms": {"node-1": [200]}}]
    assert latency_rows(tests) == [LatencyRow("node-1", 3, 0, 200, 300, 300, 0)]


def test_timeline_labels_faults_and_node_events_and_draws_intervals() -> None:
    cut = {"node": "node-2", "link": "registry", "fault": "cut"}
    events = [
        event(0.0, Change(0, "register storage unit ds_0", "REGISTER ...")),
        event(0.5, Fault(1, "on", "node-2 down() on registry [both]", **cut)),
        event(6.0, Fault(1, "off", "node-2 down() on registry [both]", **cut)),
        event(6.5, NodeChange("node-1", "paused")),
        event(
            8.0,
            Convergence(
                converged=True,
                waited_ms=1500,
                origin_lead_ms=6500,
                latency_ms={"node-0": 40, "node-2": 7400},
                after_ms={"node-0": 0, "node-2": 7300},
                first_read=["node-0"],
                read_ms=40,
            ),
        ),
    ]
    svg = timeline_svg(events)
    assert '<text class="faultlabel"' in svg
    assert ">node-2 registry cut<" in svg
    assert '<text class="nodelabel"' in svg
    assert ">paused<" in svg
    # Each node's interval is drawn: node-0's from the commit to the end of its first read.
    assert svg.count('class="interval"') == 2
    assert "node-0 first seen ≤ 40 ms" in svg
    assert "node-2 first seen 7300-7400 ms" in svg


def test_a_fault_label_that_does_not_fit_is_left_to_the_tooltip() -> None:
    cut = {"node": "node-2", "link": "registry", "fault": "cut"}
    events = [
        event(0.0, Change(0, "c", "c")),
        event(0.1, Fault(1, "on", "node-2 down() on registry [both]", **cut)),
        event(0.11, Fault(1, "off", "node-2 down() on registry [both]", **cut)),
        event(60.0, Change(0, "d", "d")),
    ]
    svg = timeline_svg(events)
    assert 'class="fault"' in svg
    assert "faultlabel" not in svg


def test_page_summary_legend_and_failures_first() -> None:
    body = {
        "run_id": "r2",
        "harness_version": "0.1.0",
        "started": 1_700_000_000.0,
        "finished": 1_700_000_093.5,
        "summary": {"passed": 2, "failed": 1, "xfailed": 1},
        "tests": [
            {
                "nodeid": "t::a",
                "outcome": "passed",
                "engine": "5.5.2",
                "mode": "cluster",
                "registry": "zookeeper",
                "nodes": 3,
                "events": [],
            },
            {
                "nodeid": "t::known",
                "outcome": "xfailed",
                "engine": "5.5.2",
                "mode": "cluster",
                "registry": "zookeeper",
                "nodes": 3,
                "events": [],
                "failure": "known",
            },
            {
                "nodeid": "t::bad",
                "outcome": "failed",
                "engine": "5.5.2",
                "mode": "cluster",
                "registry": "zookeeper",
                "nodes": 3,
                "events": [],
                "message": "ConvergenceTimeout: nodes did not converge\n    node-2: <absent>",
                "failure": "Traceback ...",
                "artifacts": "failures/t_bad-call",
            },
            {
                "nodeid": "t::c",
                "outcome": "passed",
                "engine": "5.5.2",
                "mode": "memory",
                "registry": "",
                "nodes": 1,
                "events": [],
            },
        ],
    }
    page = render_html(body)
    assert "<title>FAILED (1 failed, 2 passed, 1 xfailed) · harness run r2</title>" in page
    summary = page.split('id="summary"')[1].split("</section>")[0]
    assert "<dt>engine</dt><dd>5.5.2</dd>" in summary
    assert "cluster on zookeeper, 3 nodes (3 tests), memory, 1 node (1 tests)" in summary
    assert "<dt>harness</dt><dd>0.1.0</dd>" in summary
    assert "<dt>wall time</dt><dd>93.5 s</dd>" in summary
    assert 'id="legend"' in page
    for words in ("change committed", "fault on", "first seen", "wait timed out", "node event"):
        assert words in page.split('id="legend"')[1].split("</div>")[0]
    # Failures first, the diff inline above the timeline, the artifacts one click away.
    order = [page.index(f"t::{n}<") for n in ("bad", "a", "known", "c")]
    assert order == sorted(order)
    bad = page.split("t::bad<")[1].split("</section>")[0]
    assert bad.index('<pre class="diff">') < bad.index('href="failures/t_bad-call/"')
    assert "node-2: &lt;absent&gt;" in bad


def test_the_summary_says_how_busy_each_worker_was_and_when_it_was_done() -> None:
    """Where an xdist run's wall time went: a worker done long before the end sat idle."""
    t0 = 1_700_000_000.0

    def ran(worker: str, at: float, took: float) -> dict[str, object]:
        return {"nodeid": f"t::{worker}{at}", "outcome": "passed", "worker": worker,
                "started": t0 + at, "duration_s": took, "events": []}  # fmt: skip

    tests = [ran("gw1", 1, 50), ran("gw0", 1, 20), ran("gw0", 21, 39.6), ran("gw1", 51, 10)]
    body = {"run_id": "r", "started": t0, "finished": t0 + 63, "summary": {"passed": 4}}
    assert workers_line(body, tests) == (
        "gw0: 2 tests, 60 s busy, done at +61 s; gw1: 2 tests, 60 s busy, done at +61 s"
    )
    tests[-1]["duration_s"] = 1.0
    assert workers_line(body, tests).endswith("gw1: 2 tests, 51 s busy, done at +52 s")
    page = render_html({**body, "tests": tests})
    assert "<dt>workers</dt><dd>gw0: 2 tests" in page
    assert " · gw1</p>" in page
    # Without workers (one process, or a schema-2 report): no such line.
    assert workers_line(body, [{"nodeid": "t::a", "duration_s": 3}]) == ""
    assert "<dt>workers</dt>" not in render_html({**body, "tests": [{"nodeid": "t::a"}]})


def test_a_passing_run_says_so_in_its_title() -> None:
    page = render_html({"run_id": "r3", "summary": {"passed": 3, "xfailed": 1}, "tests": []})
    assert "<title>passed (3 passed, 1 xfailed) · harness run r3</title>" in page
    assert 'class="run good"' in page


def test_page_is_self_contained_and_escapes() -> None:
    body = {
        "run_id": "r1",
        "summary": {"passed": 1, "failed": 1},
        "tests": [
            {"nodeid": "t::ok", "outcome": "passed", "events": EVENTS, "convergence_ms": {}},
            {
                "nodeid": "t::bad<script>",
                "outcome": "failed",
                "events": [],
                "failure": "AssertionError: <b>",
                "artifacts": "failures/t_bad-call",
            },
        ],
    }
    page = render_html(body)
    assert "<script>document" not in page.split("</h1>")[0]
    assert "t::bad&lt;script&gt;" in page
    assert 'href="failures/t_bad-call/"' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ds_0:\n  password: s3cret\n  url: x", "ds_0:\n  password: ***\n  url: x"),
        ("PASSWORD=abc", "PASSWORD=***"),
        ("users:\n- root@%:s3cret\n", "users:\n- root@%:***\n"),
        ("ADD RESOURCE ds (HOST=h, PASSWORD='p,q\\'x')", "ADD RESOURCE ds (HOST=h, PASSWORD=***)"),
        # An empty value (5.5's H2 repository) is masked on its own line, not the next one.
        ("ds:\n  password:\n  username: sa\n", "ds:\n  password:***\n  username: sa\n"),
        ("props:\n  user_password: x\n", "props:\n  user_password: ***\n"),
    ],
)
def test_secrets_are_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


def test_a_200_scenario_page_has_every_test_failures_first() -> None:
    # The same generated run benchmarks.report_load times in Chromium.
    page = render_html(generated_body(200))
    assert page.count('<section class="test"') == 200
    first_passed = page.index('data-outcome="passed"><h2>')
    assert page.rindex('data-outcome="failed"><h2>') < first_passed
    assert "<title>FAILED (12 failed, 188 passed)" in page


def test_node_labels_do_not_overlap_and_stay_inside_the_plot() -> None:
    events = [
        event(0.0, Change(0, "c", "c")),
        event(1.0, NodeChange("node-1", "restarting")),
        event(1.01, NodeChange("node-1", "restarted")),  # would overlap: tooltip only
        event(10.0, NodeChange("node-1", "removed")),  # at the right edge: to the left
    ]
    svg = timeline_svg(events)
    assert svg.count('class="nodeevent"') == 3
    assert ">restarting<" in svg
    assert ">restarted<" not in svg
    assert 'text-anchor="end">removed<' in svg
