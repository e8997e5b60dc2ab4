"""The run report as one self-contained HTML page (inline CSS, SVG and a few lines of JS; no
network): per test its outcome and a timeline (faults shaded, changes, each node's
convergence point), and a per-node latency table with p50/p95. Input: report.json's body."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["percentile", "render_html"]

WIDTH = 960
LEFT = 120
RIGHT = 20
ROW = 22
TOP = 24
NODE_NAME = re.compile(r"^node-\d+$")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _nice_step(span: float) -> float:
    raw = span / 8 if span > 0 else 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _fault_spans(events: list[dict[str, Any]], end: float) -> list[tuple[float, float, str]]:
    opened: dict[object, tuple[float, str]] = {}
    spans: list[tuple[float, float, str]] = []
    for e in events:
        data = e.get("data") or {}
        if e["kind"] != "fault" or "fault_id" not in data:
            continue
        what = str(e["detail"]).removeprefix("on: ").removeprefix("off: ")
        if data.get("state") == "on":
            opened[data["fault_id"]] = (e["at"], what)
        elif data["fault_id"] in opened:
            start, what = opened.pop(data["fault_id"])
            spans.append((start, e["at"], what))
    spans.extend((start, end, what + " (still on)") for start, what in opened.values())
    return spans


def _node_of(event: dict[str, Any]) -> str | None:
    """The node a ``node`` event is about (``node-2 paused``), if it names one."""
    if event["kind"] != "node":
        return None
    first = str(event["detail"]).split(" ", 1)[0]
    return first if NODE_NAME.match(first) else None


def timeline_svg(events: list[dict[str, Any]]) -> str:
    """One SVG: a row for changes, one per node; faults shaded across all rows."""
    if not events:
        return '<p class="muted">no events</p>'
    nodes = sorted(
        {n for e in events for n in (e.get("data") or {}).get("latency_ms", {})}
        | {n for e in events if (n := _node_of(e)) is not None},
        key=lambda n: (len(n), n),
    )
    rows = ["changes", *nodes]
    t0 = float(min(e["at"] for e in events))
    t1 = float(max(e["at"] for e in events))
    span = max(t1 - t0, 0.5)
    plot = WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(rows) + 8

    def x(t: float) -> float:
        return LEFT + (t - t0) / span * plot

    def y(row: str) -> float:
        return TOP + ROW * rows.index(row) + ROW / 2

    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img">'
    ]
    for start, end, what in _fault_spans(events, t1):
        parts.append(
            f'<rect class="fault" x="{x(start):.1f}" y="{TOP}" '
            f'width="{max(x(end) - x(start), 2):.1f}" height="{ROW * len(rows)}">'
            f"<title>{_esc(what)}: +{start:.2f}s to +{end:.2f}s</title></rect>"
        )
    step = _nice_step(span)
    tick = math.ceil(t0 / step) * step
    while tick <= t0 + span:
        parts.append(
            f'<line class="grid" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{TOP}" '
            f'y2="{height - 8}"/><text class="axis" x="{x(tick):.1f}" y="{TOP - 8}">'
            f"{tick:.1f}s</text>"
        )
        tick += step
    for row in rows:
        parts.append(
            f'<text class="label" x="{LEFT - 8}" y="{y(row) + 4:.1f}">{_esc(row)}</text>'
            f'<line class="row" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(row):.1f}" '
            f'y2="{y(row):.1f}"/>'
        )
    for e in events:
        data = e.get("data") or {}
        title = f"+{e['at']:.2f}s {e['kind']}: {e['detail']}"
        if e["kind"] == "change":
            parts.append(
                f'<rect class="change" x="{x(e["at"]) - 2:.1f}" y="{y("changes") - 7:.1f}" '
                f'width="4" height="14"><title>{_esc(title)}</title></rect>'
            )
        elif (row := _node_of(e)) is not None:
            parts.append(
                f'<rect class="nodeevent" x="{x(e["at"]) - 4:.1f}" y="{y(row) - 4:.1f}" '
                f'width="8" height="8" transform="rotate(45 {x(e["at"]):.1f} {y(row):.1f})">'
                f"<title>{_esc(title)}</title></rect>"
            )
        elif e["kind"] == "convergence" and "latency_ms" in data:
            started = e["at"] - data.get("waited_ms", 0) / 1000
            ok = "ok" if data.get("converged") else "bad"
            for node, ms in data["latency_ms"].items():
                parts.append(
                    f'<circle class="converged {ok}" cx="{x(started + ms / 1000):.1f}" '
                    f'cy="{y(node):.1f}" r="4"><title>{_esc(node)} converged after {ms} ms '
                    f"(wait from +{started:.2f}s)</title></circle>"
                )
            if not data.get("converged"):
                parts.append(
                    f'<text class="miss" x="{x(e["at"]):.1f}" y="{y("changes") + 5:.1f}">✕'
                    f"<title>{_esc(title)}</title></text>"
                )
    parts.append("</svg>")
    return "".join(parts)


def latency_rows(tests: Iterable[dict[str, Any]]) -> list[tuple[str, int, float, float, float]]:
    """(node, samples, p50, p95, max) in ms over every convergence of the run."""
    per_node: dict[str, list[float]] = {}
    for t in tests:
        for node, values in (t.get("convergence_ms") or {}).items():
            per_node.setdefault(node, []).extend(values)
    return [
        (node, len(v), percentile(v, 50), percentile(v, 95), max(v))
        for node, v in sorted(per_node.items(), key=lambda kv: (len(kv[0]), kv[0]))
        if v
    ]


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:15px;margin:0}
.test{border:1px solid #ddd;border-radius:6px;padding:10px 12px;margin:12px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;margin-right:8px}
.passed{background:#d7f5dd}.failed,.error{background:#fbd5d5}.xfailed,.skipped{background:#eee}
.muted{color:#777}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 10px}
td.num{text-align:right}pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:300px}
svg .fault{fill:#f2b8b5;opacity:.45}svg .grid{stroke:#eee}svg .row{stroke:#ccc}
svg .axis{font-size:10px;fill:#888;text-anchor:middle}svg .label{font-size:11px;text-anchor:end}
svg .change{fill:#3367d6}svg .nodeevent{fill:#888}svg .converged.ok{fill:#1e8e3e}
svg .converged.bad{fill:#d93025}svg .miss{fill:#d93025;font-size:12px;text-anchor:middle}
"""

JS = """
document.querySelectorAll('input[data-outcome]').forEach(function (box) {
  box.addEventListener('change', function () {
    document.querySelectorAll('.test[data-outcome="' + box.dataset.outcome + '"]')
      .forEach(function (el) { el.hidden = !box.checked; });
  });
});
document.body.dataset.ready = '1';
"""


def render_html(body: dict[str, Any]) -> str:
    tests: list[dict[str, Any]] = body.get("tests", [])
    summary = body.get("summary", {})
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>harness run {_esc(body.get('run_id', ''))}</title><style>{CSS}</style></head>",
        f"<body><h1>harness run {_esc(body.get('run_id', ''))}</h1><p>",
    ]
    for outcome, count in sorted(summary.items()):
        out.append(
            f'<label><input type="checkbox" checked data-outcome="{_esc(outcome)}"> '
            f'<span class="badge {_esc(outcome)}">{_esc(outcome)} {count}</span></label>'
        )
    out.append("</p><h2>Convergence latency per node (ms)</h2>")
    rows = latency_rows(tests)
    if rows:
        out.append(
            "<table><tr><th>node</th><th>samples</th><th>p50</th><th>p95</th><th>max</th></tr>"
        )
        for node, n, p50, p95, top in rows:
            out.append(
                f"<tr><td>{_esc(node)}</td><td class='num'>{n}</td><td class='num'>{p50:.0f}"
                f"</td><td class='num'>{p95:.0f}</td><td class='num'>{top:.0f}</td></tr>"
            )
        out.append("</table>")
    else:
        out.append('<p class="muted">no convergence measured</p>')
    for t in tests:
        outcome = _esc(t.get("outcome", ""))
        out.append(
            f'<section class="test" data-outcome="{outcome}"><h2><span class="badge {outcome}">'
            f"{outcome}</span>{_esc(t['nodeid'])}</h2>"
            f'<p class="muted">{t.get("duration_s", 0):.1f}s · {_esc(t.get("spec", ""))} · '
            f"{_esc(t.get('topology', ''))}</p>"
        )
        out.append(timeline_svg(t.get("events") or []))
        if t.get("artifacts"):
            out.append(
                f'<p><a href="{_esc(t["artifacts"])}/">logs, snapshots and registry dump</a></p>'
            )
        if t.get("failure"):
            out.append(f"<pre>{_esc(t['failure'])}</pre>")
        out.append("</section>")
    out.append(f"<script>{JS}</script></body></html>")
    return "".join(out)
