"""The HTML report from a report.json body, without Docker or a browser."""

from __future__ import annotations

from typing import Any

import pytest

from harness.redact import redact
from harness.report_html import latency_rows, percentile, render_html, timeline_svg


def event(at: float, kind: str, detail: str, **data: Any) -> dict[str, Any]:
    return {"at": at, "kind": kind, "detail": detail, "data": data}


EVENTS = [
    event(1.0, "change", "node-0: register storage unit ds_0"),
    event(
        1.2, "fault", "on: node-2 latency(latency=500) on registry [both]", fault_id=7, state="on"
    ),
    event(
        3.0,
        "convergence",
        "converged",
        converged=True,
        waited_ms=2000,
        latency_ms={"node-0": 0, "node-1": 900, "node-2": 1800},
    ),
    event(
        3.5, "fault", "off: node-2 latency(latency=500) on registry [both]", fault_id=7, state="off"
    ),
    event(4.0, "node", "node-1 restarted"),
    event(4.5, "node", "restarting all nodes"),
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
    assert "node-2 converged after 1800 ms" in svg
    assert 'class="change"' in svg
    assert svg.count('class="nodeevent"') == 1
    assert ">restarting<" not in svg


def test_fault_left_on_is_shaded_to_the_end() -> None:
    svg = timeline_svg(EVENTS[:3])
    assert "(still on)" in svg


def test_latency_table_over_tests() -> None:
    tests = [{"convergence_ms": {"node-1": [100, 300]}}, {"convergence_ms": {"node-1": [200]}}]
    assert latency_rows(tests) == [("node-1", 3, 200, 300, 300)]


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
