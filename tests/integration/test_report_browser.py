"""The HTML report of a real run, in a real browser: it loads offline, its script runs, the
timeline renders with the run's faults and convergence points, and the console stays empty.
The screenshot is kept under reports/artifacts/ as a test artifact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from harness.reporting import load_schema
from tests.integration.browser import load
from tests.integration.helpers import INI

ARTIFACTS = Path(__file__).resolve().parents[2] / "reports" / "artifacts"


def test_console_errors_are_caught(tmp_path: Path) -> None:
    """The instrument can fail: a page that throws is reported."""
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><body><script>throw new Error('boom')</script></body>")
    loaded = load(page, tmp_path / "broken.png")
    assert any("Uncaught Error: boom" in line for line in loaded.console)


def test_report_of_a_real_run_renders_without_console_errors(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        from harness import assert_converged, latency

        def test_change_under_latency(topology, faults, harness_db):
            with faults.link(0, latency(100)):
                harness_db.register_storage_unit("ds_0")
                assert_converged(topology, databases=[harness_db.name])

        def test_fails(topology, harness_db):
            assert harness_db.name == "not this"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml")
    result.assert_outcomes(passed=1, failed=1)
    # JUnit XML carries the per-node convergence and the faults as properties.
    junit = (pytester.path / "junit.xml").read_text()
    assert 'name="harness.convergence_ms.node-0"' in junit
    assert 'name="harness.faults" value="node-0 latency(latency=100,jitter=0)' in junit
    page = (pytester.path / "reports" / "latest" / "index.html").resolve()
    # The real run's report.json is what its schema documents.
    jsonschema.validate(json.loads(page.with_name("report.json").read_text()), load_schema())
    assert f"harness report: {page}" in result.stdout.str()
    loaded = load(page, tmp_path / "report.png")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(loaded.screenshot, ARTIFACTS / "report.png")
    assert loaded.console == []
    assert 'data-ready="1"' in loaded.dom
    assert loaded.dom.count('<svg class="timeline"') == 2
    assert 'class="fault"' in loaded.dom
    assert 'class="converged ok"' in loaded.dom
    assert "test_fails" in loaded.dom
    assert 'href="failures/' in loaded.dom
    # Read at a glance: the outcome in the title and the summary, one legend, failures first
    # with their diff above their timeline.
    assert "<title>FAILED (1 failed, 1 passed) · harness run" in loaded.dom
    assert 'id="summary"' in loaded.dom
    assert "<dt>engine</dt><dd>5.5.2</dd>" in loaded.dom
    assert "cluster on zookeeper, 1 node" in loaded.dom
    legend = loaded.dom.split('id="legend"')[1].split("</div>")[0]
    for words in ("change committed", "fault on", "first seen", "wait timed out", "node event"):
        assert words in legend
    assert loaded.dom.index("test_fails<") < loaded.dom.index("test_change_under_latency<")
    failed = loaded.dom.split("test_fails<")[1].split("</section>")[0]
    assert failed.index('<pre class="diff">') < failed.index('<svg class="timeline"')
    assert "AssertionError" in failed.split('<pre class="diff">')[1]
    assert "read cost / round" in loaded.dom
    assert loaded.screenshot.stat().st_size > 20_000
