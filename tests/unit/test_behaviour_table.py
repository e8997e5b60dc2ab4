"""The behaviour table: several runs' reports merged into scenario x run, each cell a verdict."""

from __future__ import annotations

import json
from pathlib import Path

from harness.behaviour_table import build, markdown, page, write
from harness.cli import main


def report(folder: Path, engine: str, registry: str, tests: dict[str, tuple[str, str]]) -> Path:
    folder.mkdir(parents=True)
    path = folder / "report.json"
    body = {
        "run_id": f"run-{engine}",
        "started": 1_700_000_000.0,
        "tests": [
            {
                "nodeid": nodeid,
                "outcome": outcome,
                "reason": reason,
                "engine": engine,
                "mode": "cluster",
                "registry": registry,
            }
            for nodeid, (outcome, reason) in tests.items()
        ],
    }
    path.write_text(json.dumps(body))
    return path


def test_each_cell_says_pass_known_issue_unexpected_or_fixed(tmp_path: Path) -> None:
    old = report(
        tmp_path / "a",
        "5.1.0",
        "zookeeper",
        {
            "s.py::lost_change": ("xfailed", "DistSQL lost during an outage [proxy 5.1.0]"),
            "s.py::converges": ("passed", ""),
            "s.py::only_here": ("failed", ""),
        },
    )
    new = report(
        tmp_path / "b",
        "5.5.2",
        "zookeeper",
        {
            "s.py::lost_change": ("xpassed", "DistSQL lost during an outage [proxy 5.5.2]"),
            "s.py::converges": ("passed", ""),
            "s.py::race": ("passed", "known race, did not show this run: a race [proxy 5.5.2]"),
        },
    )
    columns = build([new, old])
    assert [c.label for c in columns] == ["5.1.0 cluster/zookeeper", "5.5.2 cluster/zookeeper"]
    md = markdown(columns, "commit abc, 2026-11-30")
    assert "commit abc, 2026-11-30" in md
    assert "| scenario | 5.1.0 cluster/zookeeper<br>run run-5.1.0, 2023-11-14 |" in md
    assert (
        "| `s.py::lost_change` | known issue: DistSQL lost during an outage | UNEXPECTEDLY FIXED |"
        in md
    )
    assert "| `s.py::only_here` | UNEXPECTED FAILURE | - |" in md
    assert "| `s.py::converges` | pass | pass |" in md
    # A race known on a release that did not show this run is a pass, not a verdict of fixed.
    assert "| `s.py::race` | - | pass (known race not met) |" in md
    html = page(columns, "p")
    assert 'class="fixed"' in html
    assert 'class="bad"' in html
    md_path, html_path = write([old, new], tmp_path / "out", "p")
    assert md_path.read_text() == markdown(columns, "p")
    assert html_path.is_file()


def test_cli_table_takes_run_folders_and_names_what_is_missing(tmp_path: Path) -> None:
    report(tmp_path / "run", "5.5.2", "etcd", {"s.py::t": ("passed", "")})
    assert main(["table", str(tmp_path / "run"), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "behaviour.md").is_file()
    assert main(["table", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
