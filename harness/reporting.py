"""Run report: per test its outcome, the topology timeline slice and convergence latencies,
written as ``reports/<run>/report.json`` and ``reports/<run>/index.html`` (self-contained),
with ``reports/latest`` pointing at the newest run. The JSON schema is in the README."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.report_html import render_html
from harness.runtime.topology import Topology
from harness.timeline import Event
from harness.version import __version__

__all__ = ["RACE_NOT_MET", "SCHEMA_FILE", "RunReport", "TestRecord", "load_schema"]

SCHEMA_VERSION = 3
# The JSON Schema of report.json (documented field by field in the README).
SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


def load_schema() -> dict[str, Any]:
    """report.json's JSON Schema, for validating a report (any draft 2020-12 validator)."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


# The reason of a non-strict known issue (a race) that passed: the behaviour table reads it.
RACE_NOT_MET = "known race, did not show this run"


@dataclass
class TestRecord:
    nodeid: str
    outcome: str = "passed"
    duration_s: float = 0.0
    topology: str = ""
    spec: str = ""
    mode: str = ""
    registry: str = ""
    nodes: int = 0
    engine: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    convergence_ms: dict[str, list[int]] = field(default_factory=dict)
    # Every node's first-seen interval of every wait: {node, after_ms, by_ms, first_read, read_ms}.
    first_seen: list[dict[str, Any]] = field(default_factory=list)
    failure: str = ""
    message: str = ""
    reason: str = ""  # a known issue's (xfail) or a skip's reason
    artifacts: str = ""
    # When its setup began (Unix time) and the xdist worker that ran it ("": none): where a
    # run's wall time went, worker by worker.
    started: float = 0.0
    worker: str = ""


class RunReport:
    """Collects test records for one pytest session and writes them once at the end."""

    def __init__(self, root: Path, run_id: str, part: str | None = None) -> None:
        self.root = root
        self.run_id = run_id
        # Under pytest-xdist each worker writes its records as a part; the controller merges.
        self.part = part
        self.started = time.time()
        self.records: dict[str, TestRecord] = {}
        self._marks: dict[str, tuple[Topology, int]] = {}

    def mark_start(self, nodeid: str, topology: Topology, engine: str = "") -> None:
        """A test starts on ``topology``, which runs proxy release ``engine``."""
        self._marks[nodeid] = (topology, len(topology.events))
        self.records.setdefault(nodeid, TestRecord(nodeid)).engine = engine

    def events_of(self, nodeid: str) -> list[Event]:
        """The timeline slice of a running test (from its topology fixture on)."""
        mark = self._marks.get(nodeid)
        return mark[0].events[mark[1] :] if mark else []

    def set_artifacts(self, nodeid: str, folder: Path) -> None:
        """Where a failed test's logs, snapshots and registry dump are (relative link)."""
        rec = self.records.setdefault(nodeid, TestRecord(nodeid))
        rec.artifacts = folder.relative_to(self.folder).as_posix()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Hook: registered as a plugin object, so it sees every phase's report."""
        self.add(report)

    def add(self, report: pytest.TestReport) -> None:
        rec = self.records.setdefault(report.nodeid, TestRecord(report.nodeid))
        rec.duration_s += report.duration
        start = float(getattr(report, "start", 0.0) or 0.0)
        if start and (not rec.started or start < rec.started):
            rec.started = start
        rec.worker = self.part or ""
        if report.failed:
            rec.outcome = "failed" if report.when == "call" else "error"
            rec.failure = str(report.longreprtext)[-4000:]
            if rec.failure.startswith("[XPASS(strict)]"):  # a known issue that did not happen
                rec.outcome = "xpassed"
                rec.reason = rec.failure.removeprefix("[XPASS(strict)]").strip()
            # The exception's own text: for a convergence failure, explain()'s diff.
            crash = getattr(report.longrepr, "reprcrash", None)
            rec.message = str(getattr(crash, "message", ""))[-4000:]
        elif report.passed and report.when == "call" and hasattr(report, "wasxfail"):
            # A non-strict known issue (a race) that did not happen this time: a pass that
            # says so, not a verdict that the release is fixed.
            rec.reason = f"{RACE_NOT_MET}: {report.wasxfail}"
        elif report.skipped and rec.outcome == "passed":
            rec.outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
            rec.reason = str(getattr(report, "wasxfail", "")) or _skip_reason(report)
        if report.when == "teardown":
            self._attach_timeline(rec)

    def _attach_timeline(self, rec: TestRecord) -> None:
        mark = self._marks.pop(rec.nodeid, None)
        if mark is None:
            return
        topo, start = mark
        rec.topology = topo.name
        rec.spec = topo.spec.describe()
        rec.mode, rec.registry, rec.nodes = (
            topo.spec.mode,
            topo.spec.registry or "",
            topo.spec.nodes,
        )
        events: list[Event] = topo.events[start:]
        rec.events = [asdict(e) for e in events]
        for e in events:
            first_read = set(e.data.get("first_read", ()))
            for node, ms in e.data.get("latency_ms", {}).items():
                rec.convergence_ms.setdefault(node, []).append(ms)
                rec.first_seen.append(
                    {
                        "node": node,
                        "after_ms": e.data.get("after_ms", {}).get(node, 0),
                        "by_ms": ms,
                        "first_read": node in first_read,
                        "read_ms": e.data.get("read_ms", 0),
                    }
                )

    @property
    def folder(self) -> Path:
        return self.root / self.run_id

    def write(self) -> Path | None:
        """A worker writes ``parts/<worker>.json``; otherwise write report.json (merging any
        workers' parts), index.html and ``latest``. Nothing when no test used a topology."""
        records = [asdict(r) for r in self.records.values() if r.topology]
        parts = self.folder / "parts"
        if self.part is not None:
            if records:
                parts.mkdir(parents=True, exist_ok=True)
                (parts / f"{self.part}.json").write_text(json.dumps(records))
            return None
        if parts.is_dir():  # xdist: the workers' records, not the reports forwarded to us
            records = [r for p in sorted(parts.glob("*.json")) for r in json.loads(p.read_text())]
        if not records:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "report.json"
        body = {
            "schema": SCHEMA_VERSION,
            "run_id": self.run_id,
            "harness_version": __version__,
            "started": self.started,
            "finished": time.time(),
            "summary": _summary(records),
            "tests": records,
        }
        path.write_text(json.dumps(body, indent=2, sort_keys=True))
        (self.folder / "index.html").write_text(render_html(body))
        latest = self.root / "latest"
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(self.run_id)
        return path


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""


def _summary(records: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in records:
        out[r["outcome"]] = out.get(r["outcome"], 0) + 1
    return out
