"""The soak command's JUnit reading."""

from __future__ import annotations

from pathlib import Path

from benchmarks.soak import outcomes

XML = """<?xml version="1.0"?><testsuites><testsuite>
<testcase classname="scenarios.test_a" name="test_ok"/>
<testcase classname="scenarios.test_a" name="test_bad"><failure message="x"/></testcase>
<testcase classname="scenarios.test_a" name="test_err"><error message="x"/></testcase>
<testcase classname="scenarios.test_a" name="test_known">
<skipped type="pytest.xfail" message="r"/></testcase>
<testcase classname="scenarios.test_a" name="test_skip">
<skipped type="pytest.skip" message="r"/></testcase>
</testsuite></testsuites>"""


def test_outcomes_per_testcase(tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    path.write_text(XML)
    assert outcomes(path) == {
        "scenarios.test_a::test_ok": "passed",
        "scenarios.test_a::test_bad": "failed",
        "scenarios.test_a::test_err": "failed",
        "scenarios.test_a::test_known": "xfailed",
        "scenarios.test_a::test_skip": "skipped",
    }
