"""One behaviour table from several runs' reports (the CI matrix's cells: mode x registry x
engine release): a row per scenario, a column per run, each cell one of

- ``pass``;
- ``known issue`` (an expected failure on that release, with its reason);
- ``UNEXPECTED FAILURE``;
- ``UNEXPECTEDLY FIXED`` (a known issue that did not happen);
- ``-`` (not run in that cell).

``harness table reports/*/report.json`` writes ``behaviour.md`` and ``behaviour.html``.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.reporting import RACE_NOT_MET

__all__ = ["Column", "build", "markdown", "page", "write"]

VERDICTS = {
    "passed": "pass",
    "xfailed": "known issue",
    "failed": "UNEXPECTED FAILURE",
    "error": "UNEXPECTED FAILURE",
    "xpassed": "UNEXPECTEDLY FIXED",
    "skipped": "skipped",
}
RACE_UNMET = "pass (known race not met)"
# A known issue's reason ends with the release it was expected on: "... [proxy 5.5.2]".
RELEASE_SUFFIX = re.compile(r"\s*\[proxy [^\]]*\]$")


@dataclass(frozen=True)
class Column:
    """One run: its label (engine, mode, registry), where it came from, its verdicts."""

    label: str
    source: str
    cells: dict[str, tuple[str, str]]  # nodeid -> (verdict, reason)
    run: str = ""  # the run's id and date


def _label(tests: list[dict[str, Any]]) -> str:
    """The run's cell: its engine release and its most common topology."""
    engines = Counter(str(t.get("engine", "")) for t in tests)
    kinds = Counter(
        f"{t.get('mode', '')}{'/' + t['registry'] if t.get('registry') else ''}" for t in tests
    )
    engine = engines.most_common(1)[0][0] if engines else "?"
    return f"{engine or '?'} {kinds.most_common(1)[0][0] if kinds else '?'}"


def column(path: Path) -> Column:
    body = json.loads(path.read_text())
    tests: list[dict[str, Any]] = body.get("tests", [])
    cells = {}
    for t in tests:
        verdict = VERDICTS.get(str(t.get("outcome")), str(t.get("outcome")))
        reason = RELEASE_SUFFIX.sub("", str(t.get("reason", "")).split("\n", 1)[0])
        if verdict == "pass" and reason.startswith(RACE_NOT_MET):
            verdict = RACE_UNMET
        cells[str(t["nodeid"])] = (verdict, reason)
    started = body.get("started")
    when = f", {datetime.fromtimestamp(float(started), tz=UTC):%Y-%m-%d}" if started else ""
    return Column(_label(tests), str(path), cells, f"run {body.get('run_id', '?')}{when}")


def build(paths: list[Path]) -> list[Column]:
    """The runs' columns, in a stable order (by label); equal labels get a number."""
    columns = sorted((column(p) for p in paths), key=lambda c: c.label)
    seen: Counter[str] = Counter(c.label for c in columns)
    count: Counter[str] = Counter()
    out = []
    for c in columns:
        if seen[c.label] > 1:
            count[c.label] += 1
            out.append(Column(f"{c.label} #{count[c.label]}", c.source, c.cells, c.run))
        else:
            out.append(c)
    return out


def _rows(columns: list[Column]) -> list[str]:
    return sorted({nodeid for c in columns for nodeid in c.cells})


def _short(reason: str, limit: int = 90) -> str:
    """A reason's first clause, for a table cell (the HTML page keeps the whole reason)."""
    # "ShardingSphere 5.1.x on etcd: peers never ... . Why ..." -> "peers never ..."
    body = re.sub(r"^ShardingSphere [^:]*:\s*", "", reason)
    first = re.split(r"(?<=\.)\s", body, maxsplit=1)[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def markdown(columns: list[Column], provenance: str) -> str:
    lines = [
        f"Behaviour per release ({provenance}). Cells: pass, known issue (reason), "
        f"{RACE_UNMET}, UNEXPECTED FAILURE, UNEXPECTEDLY FIXED, - (not run).",
        "",
        "| scenario | "
        + " | ".join(f"{c.label}<br>{c.run}" if c.run else c.label for c in columns)
        + " |",
        "|---|" + "---|" * len(columns),
    ]
    for nodeid in _rows(columns):
        cells = []
        for c in columns:
            verdict, reason = c.cells.get(nodeid, ("-", ""))
            text = (
                f"{verdict}: {_short(reason)}" if reason and verdict == "known issue" else verdict
            )
            cells.append(text.replace("|", "\\|"))
        lines.append(f"| `{nodeid}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


CSS = (
    "body{font:13px/1.4 system-ui,sans-serif;margin:20px}table{border-collapse:collapse}"
    "td,th{border:1px solid #ddd;padding:3px 8px;vertical-align:top}"
    ".pass{background:#d7f5dd}.known{background:#eee}.bad{background:#fbd5d5}"
    ".fixed{background:#fde7b0}code{font-size:12px}"
)
CLASSES = {
    "pass": "pass",
    RACE_UNMET: "pass",
    "known issue": "known",
    "UNEXPECTED FAILURE": "bad",
    "UNEXPECTEDLY FIXED": "fixed",
}


def page(columns: list[Column], provenance: str) -> str:
    head = "".join(
        f"<th>{html.escape(c.label)}<br><small>{html.escape(c.run)}</small></th>" for c in columns
    )
    rows = []
    for nodeid in _rows(columns):
        cells = []
        for c in columns:
            verdict, reason = c.cells.get(nodeid, ("-", ""))
            title = f' title="{html.escape(reason, quote=True)}"' if reason else ""
            text = html.escape(verdict) + (
                f"<br><small>{html.escape(reason)}</small>" if verdict == "known issue" else ""
            )
            cells.append(f'<td class="{CLASSES.get(verdict, "")}"{title}>{text}</td>')
        rows.append(f"<tr><td><code>{html.escape(nodeid)}</code></td>{''.join(cells)}</tr>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>harness behaviour table</title><style>{CSS}</style></head><body>"
        f"<h1>Behaviour per release</h1><p>{html.escape(provenance)}</p>"
        f"<table><tr><th>scenario</th>{head}</tr>{''.join(rows)}</table></body></html>"
    )


def write(paths: list[Path], out: Path, provenance: str) -> tuple[Path, Path]:
    """Write ``behaviour.md`` and ``behaviour.html`` under ``out``; return their paths."""
    columns = build(paths)
    out.mkdir(parents=True, exist_ok=True)
    md, page_path = out / "behaviour.md", out / "behaviour.html"
    md.write_text(markdown(columns, provenance))
    page_path.write_text(page(columns, provenance))
    return md, page_path
