"""Soak: run the scenario suite N times in a row and count outcomes per scenario.

    .venv/bin/python -m benchmarks.soak [--runs N] [-- PYTEST_ARGS...]

Each run is a separate pytest process writing JUnit XML; the figures go to
reports/bench/soak.json and soak.md (per scenario: runs, passed, failed, xfailed, skipped).
A scenario that is not always the same is what this is for: the table lists it first.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

OUT = Path("reports/bench")


def outcomes(junit: Path) -> dict[str, str]:
    """``{classname::name: outcome}`` from one JUnit XML file."""
    out: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own file
        name = f"{case.get('classname')}::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "xfailed" if "xfail" in (child.get("type") or "") else "skipped"
        out[name] = outcome
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("pytest_args", nargs="*", default=["-m", "cluster", "scenarios"])
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    per_test: dict[str, Counter[str]] = defaultdict(Counter)
    durations: list[float] = []
    for i in range(args.runs):
        junit = OUT / f"soak-{i}.xml"
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                *args.pytest_args,
                f"--junitxml={junit}",
            ],
            check=False,
        )
        durations.append(time.monotonic() - started)
        for name, outcome in outcomes(junit).items():
            per_test[name][outcome] += 1
        print(f"soak: run {i + 1}/{args.runs} done in {durations[-1]:.0f}s", flush=True)
    rows = sorted(per_test.items(), key=lambda kv: (len(kv[1]) == 1, kv[0]))
    (OUT / "soak.json").write_text(
        json.dumps(
            {"runs": args.runs, "durations_s": durations, "tests": {k: dict(v) for k, v in rows}},
            indent=2,
        )
    )
    lines = ["| scenario | passed | failed | xfailed | skipped |", "|---|---|---|---|---|"]
    for name, counts in rows:
        lines.append(
            f"| {name} | {counts['passed']} | {counts['failed']} | {counts['xfailed']} | "
            f"{counts['skipped']} |"
        )
    (OUT / "soak.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
