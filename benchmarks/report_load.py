"""How long the HTML report takes to load in headless Chromium, for generated runs of 50, 200
and 500 scenarios side by side (goal: a 200-scenario run under one second).

    .venv/bin/python -m benchmarks.report_load [--rounds N]

Each generated test looks like a busy real one: 12 changes, a registry cut every third, a
3-node convergence after each. The figure is the page's own ``load`` event time
(``performance.now()`` at load, ms since navigation: parsing, styles and the script), read back
from the DOM; the median of the rounds, beside the page size.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.output import median, write
from harness.report_html import render_html
from harness.timeline import Change, Convergence, Fault, Record, encode

SIZES = (50, 200, 500)
LOADED = re.compile(r'data-loaded-ms="(\d+)"')


CUT = ("node-2", "registry", "cut")


def _event(at: float, record: Record) -> dict[str, Any]:
    return dataclasses.asdict(encode(record, at))


def generated_body(tests: int, seed: int = 1) -> dict[str, Any]:
    """A report.json body of ``tests`` busy tests, one in 17 failed."""
    rng = random.Random(seed)
    records = []
    for i in range(tests):
        events: list[dict[str, Any]] = []
        t = 0.0
        for k in range(12):
            t += rng.uniform(0.1, 1.5)
            events.append(_event(t, Change(0, f"register storage unit ds_{k}", "REGISTER ...")))
            if k % 3 == 0:
                for state, at in (("on", t + 0.1), ("off", t + 1.1)):
                    fault = Fault(k, state, "node-2 down() on registry [both]", *CUT)  # type: ignore[arg-type]
                    events.append(_event(at, fault))
            convergence = Convergence(
                converged=True,
                waited_ms=1400,
                origin_lead_ms=100,
                latency_ms={"node-0": 40, "node-1": 300, "node-2": 1300},
                after_ms={"node-0": 0, "node-1": 250, "node-2": 1200},
                first_read=["node-0"],
                read_ms=40,
            )
            events.append(_event(t + 1.5, convergence))
            t += 1.6
        failed = i % 17 == 0
        records.append(
            {
                "nodeid": f"scenarios/test_generated.py::test_{i}",
                "outcome": "failed" if failed else "passed",
                "duration_s": t,
                "spec": "cluster/zookeeper x3",
                "mode": "cluster",
                "registry": "zookeeper",
                "nodes": 3,
                "engine": "5.5.2",
                "topology": "harness-generated-1",
                "events": events,
                "first_seen": [
                    {
                        "node": n,
                        "after_ms": 0,
                        "by_ms": 40 + 100 * j,
                        "first_read": j == 0,
                        "read_ms": 40,
                    }
                    for j, n in enumerate(("node-0", "node-1", "node-2"))
                ],
                "failure": "Traceback (most recent call last):\n" * 40 if failed else "",
                "message": "ConvergenceTimeout: nodes did not converge" if failed else "",
            }
        )
    failures = sum(1 for r in records if r["outcome"] == "failed")
    return {
        "schema": 2,
        "run_id": f"generated-{tests}",
        "harness_version": "0.1.0",
        "started": 0.0,
        "finished": 600.0,
        "summary": {"passed": tests - failures, "failed": failures},
        "tests": records,
    }


def load_ms(page: Path) -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is missing. Fix: run `harness setup --browser`")
    out = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = LOADED.search(out)
    if found is None:
        raise SystemExit(f"{page}: the page did not record its load time")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            page = Path(tmp) / f"report-{size}.html"
            page.write_text(render_html(generated_body(size)))
            samples = [float(load_ms(page)) for _ in range(args.rounds)]
            kib = page.stat().st_size // 1024
            figures[str(size)] = {"load_ms": samples, "page_kib": kib}
            rows.append([size, kib, median(samples), max(samples)])
    write(
        "report_load",
        figures,
        ["scenarios", "page (KiB)", "load p50 (ms)", "load max (ms)"],
        rows,
    )


if __name__ == "__main__":
    main()
