"""The run report as one self-contained HTML page (inline CSS, SVG and a few lines of JS; no
network). From the top: a summary a person can screenshot (outcome, engine, topology, harness
version, wall time), a legend, the per-node latency table with its resolution, then every
test, failures first, each with its diff, its artifacts link and its timeline (faults shaded
and labelled, changes, node events labelled, each node's first-seen interval).
Input: report.json's body (schema in the README)."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["LatencyRow", "latency_rows", "percentile", "render_html", "timeline_svg"]

WIDTH = 960
LEFT = 120
RIGHT = 20
ROW = 22
TOP = 24
CHAR_PX = 6  # width of one label character at 10 px


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


def _fault_spans(
    events: list[dict[str, Any]], end: float
) -> list[tuple[float, float, dict[str, Any]]]:
    """(start, end, the fault's fields) per fault, paired by ``fault_id``."""
    opened: dict[object, tuple[float, dict[str, Any]]] = {}
    spans: list[tuple[float, float, dict[str, Any]]] = []
    for e in events:
        data = e.get("data") or {}
        if data.get("type") != "Fault":
            continue
        if data.get("state") == "on":
            opened[data["fault_id"]] = (e["at"], data)
        elif data["fault_id"] in opened:
            start, fault = opened.pop(data["fault_id"])
            spans.append((start, e["at"], fault))
    spans.extend((start, end, {**fault, "still_on": True}) for start, fault in opened.values())
    return spans


def _fault_label(fault: dict[str, Any]) -> str:
    """``node-2 registry cut``, ``node-1 pause``, ``registry outage``: from the fields."""
    parts = [fault.get("node"), fault.get("link"), fault.get("fault")]
    return " ".join(str(p) for p in parts if p) or str(fault.get("what", ""))


def _node_of(event: dict[str, Any]) -> str | None:
    """The node a node event is about, if it names one."""
    data = event.get("data") or {}
    return data.get("node") if data.get("type") == "NodeChange" else None


class _RowLabels:
    """Node-event labels beside their marks: right of the mark, or left of it at the plot's
    right edge; a label that would overlap the previous one on its row is left to the
    tooltip."""

    def __init__(self, right: float) -> None:
        self._right = right
        self._taken: dict[str, float] = {}  # row -> where its last label ends

    def place(self, row: str, at: float, y: float, text: str) -> str:
        width = len(text) * CHAR_PX
        start, anchor = at + 7, "start"
        if start + width > self._right:
            start, anchor = at - 7 - width, "end"
        if not text or start < self._taken.get(row, -1.0) + 4:
            return ""
        self._taken[row] = start + width
        x = start if anchor == "start" else at - 7
        return (
            f'<text class="nodelabel" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">'
            f"{_esc(text)}</text>"
        )


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
    for start, end, fault in _fault_spans(events, t1):
        what = str(fault.get("what", "")) + (" (still on)" if fault.get("still_on") else "")
        width = max(x(end) - x(start), 2)
        parts.append(
            f'<rect class="fault" x="{x(start):.1f}" y="{TOP}" '
            f'width="{width:.1f}" height="{ROW * len(rows)}">'
            f"<title>{_esc(what)}: +{start:.2f}s to +{end:.2f}s</title></rect>"
        )
        label = _fault_label(fault)
        if len(label) * CHAR_PX <= width - 4:  # only where it fits
            parts.append(
                f'<text class="faultlabel" x="{x(start) + 3:.1f}" y="{TOP + 10}">'
                f"{_esc(label)}</text>"
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
    labels = _RowLabels(WIDTH - RIGHT)
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
            parts.append(labels.place(row, x(e["at"]), y(row) - 3, str(data.get("action", ""))))
        elif e["kind"] == "convergence" and "latency_ms" in data:
            # The origin: the change's commit, else the wait's start.
            lead_ms = data.get("waited_ms", 0) + data.get("origin_lead_ms", 0)
            origin = e["at"] - lead_ms / 1000
            ok = "ok" if data.get("converged") else "bad"
            first_read = set(data.get("first_read", ()))
            for node, ms in data["latency_ms"].items():
                after = 0 if node in first_read else data.get("after_ms", {}).get(node, ms)
                seen = f"≤ {ms} ms" if node in first_read else f"{after}-{ms} ms"
                if after < ms:
                    parts.append(
                        f'<line class="interval" x1="{x(origin + after / 1000):.1f}" '
                        f'x2="{x(origin + ms / 1000):.1f}" y1="{y(node):.1f}" '
                        f'y2="{y(node):.1f}"/>'
                    )
                parts.append(
                    f'<circle class="converged {ok}" cx="{x(origin + ms / 1000):.1f}" '
                    f'cy="{y(node):.1f}" r="4"><title>{_esc(node)} first seen {seen} after '
                    f"+{origin:.2f}s (reads {data.get('read_ms', 0)} ms a round)</title></circle>"
                )
            if not data.get("converged"):
                parts.append(
                    f'<text class="miss" x="{x(e["at"]):.1f}" y="{y("changes") + 5:.1f}">✕'
                    f"<title>{_esc(title)}</title></text>"
                )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class LatencyRow:
    """One node's figures over a run, in ms: upper bounds of the first-seen intervals."""

    node: str
    samples: int
    at_first_read: int
    p50: float
    p95: float
    top: float
    read_ms: float  # median cost of one round of reads: the figures' resolution


def latency_rows(tests: Iterable[dict[str, Any]]) -> list[LatencyRow]:
    """Per node over every convergence of the run; p50/p95 over the intervals' upper bounds."""
    per_node: dict[str, list[dict[str, Any]]] = {}
    for t in tests:
        seen = t.get("first_seen")
        if seen is None:  # schema 1: upper bounds only
            seen = [
                {"node": n, "by_ms": ms, "first_read": False, "read_ms": 0}
                for n, values in (t.get("convergence_ms") or {}).items()
                for ms in values
            ]
        for s in seen:
            per_node.setdefault(s["node"], []).append(s)
    rows = []
    for node, seen in sorted(per_node.items(), key=lambda kv: (len(kv[0]), kv[0])):
        by = [float(s["by_ms"]) for s in seen]
        rows.append(
            LatencyRow(
                node,
                len(by),
                sum(1 for s in seen if s.get("first_read")),
                percentile(by, 50),
                percentile(by, 95),
                max(by),
                percentile([float(s.get("read_ms", 0)) for s in seen], 50),
            )
        )
    return rows


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:0}h3{font-size:14px;margin:18px 0 6px}
.run{border:1px solid #ccc;border-radius:6px;padding:10px 14px;margin:10px 0}
.run.bad{border-color:#d93025;background:#fff6f5}.run.good{border-color:#1e8e3e;background:#f5fbf6}
.run dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0 0}
.run dt{color:#555}.run dd{margin:0}
.test{border:1px solid #ddd;border-radius:6px;padding:10px 12px;margin:12px 0}
.test[data-outcome=failed],.test[data-outcome=error]{border:2px solid #d93025}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;margin-right:8px}
.passed{background:#d7f5dd}.failed,.error{background:#fbd5d5}.xfailed,.skipped{background:#eee}
.xpassed{background:#fde7b0}.muted{color:#777}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:3px 10px}td.num{text-align:right}
pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:300px}pre.diff{background:#fff6f5}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;margin:6px 0}
.legend span{display:inline-flex;align-items:center;gap:5px}
svg .fault{fill:#f2b8b5;opacity:.45}svg .grid{stroke:#eee}svg .row{stroke:#ccc}
svg .axis{font-size:10px;fill:#888;text-anchor:middle}svg .label{font-size:11px;text-anchor:end}
svg .faultlabel{font-size:10px;fill:#a8322c}svg .nodelabel{font-size:10px;fill:#555}
svg .change{fill:#3367d6}svg .nodeevent{fill:#888}svg .converged.ok{fill:#1e8e3e}
svg .interval{stroke:#1e8e3e;stroke-width:2;opacity:.5}
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
// When the page finished loading, in ms since navigation: what benchmarks.report_load reads.
window.addEventListener('load', function () {
  document.body.dataset.loadedMs = String(Math.round(performance.now()));
});
"""

# Legend entries: the same shapes and classes the timelines draw.
LEGEND = (
    ('<rect class="change" x="5" y="1" width="4" height="14"/>', "change committed (DistSQL)"),
    ('<rect class="fault" x="0" y="0" width="14" height="16"/>', "fault on (label: what)"),
    (
        '<line class="interval" x1="1" x2="11" y1="8" y2="8"/>'
        '<circle class="converged ok" cx="11" cy="8" r="4"/>',
        "node first seen with the final state (bar: the interval its reads allow)",
    ),
    ('<circle class="converged bad" cx="7" cy="8" r="4"/>', "node seen, but the wait failed"),
    ('<text class="miss" x="7" y="13">✕</text>', "wait timed out"),
    (
        '<rect class="nodeevent" x="3" y="4" width="8" height="8" transform="rotate(45 7 8)"/>',
        "node event (paused, killed, added, removed, restarted)",
    ),
)

FAILING = ("failed", "error", "xpassed")


def _legend() -> str:
    items = "".join(
        f'<span><svg width="16" height="16" viewBox="0 0 16 16">{shape}</svg>{_esc(text)}</span>'
        for shape, text in LEGEND
    )
    return f'<div class="legend" id="legend">{items}</div>'


def _distinct(tests: list[dict[str, Any]], describe: Callable[[dict[str, Any]], str]) -> str:
    counts: dict[str, int] = {}
    for t in tests:
        key = describe(t)
        if key:
            counts[key] = counts.get(key, 0) + 1
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{k} ({n} tests)" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def _topology_of(t: dict[str, Any]) -> str:
    if not t.get("mode"):
        return str(t.get("spec", ""))
    registry = f" on {t['registry']}" if t.get("registry") else ""
    nodes = t.get("nodes", 0)
    return f"{t['mode']}{registry}, {nodes} node{'s' if nodes != 1 else ''}"


def _outcome_line(summary: dict[str, int]) -> tuple[bool, str]:
    bad = sum(summary.get(o, 0) for o in FAILING)
    # Failing outcomes first, then by count.
    ordered = sorted(summary.items(), key=lambda kv: (kv[0] not in FAILING, -kv[1], kv[0]))
    counts = ", ".join(f"{n} {o}" for o, n in ordered)
    return bad == 0, f"{'passed' if bad == 0 else 'FAILED'} ({counts})"


def workers_line(body: dict[str, Any], tests: list[dict[str, Any]]) -> str:
    """Per xdist worker: its tests, the seconds they took and when its last one ended (from
    the run's start), e.g. ``gw0: 24 tests, 262 s busy, done at +281 s``; a worker done
    long before the run's end was idle meanwhile. Empty without workers (or schema < 3)."""
    start = float(body.get("started") or 0.0)
    by: dict[str, list[dict[str, Any]]] = {}
    for t in tests:
        if t.get("worker") and t.get("started"):
            by.setdefault(str(t["worker"]), []).append(t)
    parts = []
    for worker, mine in sorted(by.items()):
        busy = sum(float(t.get("duration_s", 0.0)) for t in mine)
        done = max(float(t["started"]) + float(t.get("duration_s", 0.0)) for t in mine) - start
        parts.append(f"{worker}: {len(mine)} tests, {busy:.0f} s busy, done at +{done:.0f} s")
    return "; ".join(parts)


def _summary_block(body: dict[str, Any], tests: list[dict[str, Any]]) -> list[str]:
    summary: dict[str, int] = body.get("summary", {})
    good, line = _outcome_line(summary)
    wall = float(body.get("finished", 0)) - float(body.get("started", 0))
    started = body.get("started")
    when = (
        datetime.fromtimestamp(float(started), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        if started
        else "?"
    )
    facts: list[tuple[str, str]] = [
        ("outcome", line),
        ("engine", _distinct(tests, lambda t: str(t.get("engine", ""))) or "unknown"),
        ("topology", _distinct(tests, _topology_of)),
        ("harness", str(body.get("harness_version", "?"))),
        ("wall time", f"{wall:.1f} s" if wall > 0 else "?"),
        ("started", when),
    ]
    if workers := workers_line(body, tests):
        facts.append(("workers", workers))
    out = [
        f'<section class="run {"good" if good else "bad"}" id="summary">'
        f"<h1>harness run {_esc(body.get('run_id', ''))}: {_esc(line)}</h1><dl>"
    ]
    out += [f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in facts]
    out.append("</dl><p>")
    for outcome, count in sorted(summary.items()):
        out.append(
            f'<label><input type="checkbox" checked data-outcome="{_esc(outcome)}"> '
            f'<span class="badge {_esc(outcome)}">{_esc(outcome)} {count}</span></label>'
        )
    out.append("</p></section>")
    return out


def _latency_block(tests: list[dict[str, Any]]) -> list[str]:
    out = ["<h3>Convergence latency per node</h3>"]
    rows = latency_rows(tests)
    if not rows:
        return [*out, '<p class="muted">no convergence measured</p>']
    out.append(
        '<p class="muted">From the change&#39;s commit (else the wait&#39;s start) to the end '
        "of the "
        "read that first showed the node's final state: the upper bound of the interval its "
        "reads allow. A node whose first read already showed it counts as &le; that read. "
        "p50/p95/max are over those upper bounds, in ms; the read cost per round is their "
        "resolution.</p>"
        "<table><tr><th>node</th><th>samples</th><th>seen at first read</th><th>p50 &le;</th>"
        "<th>p95 &le;</th><th>max &le;</th><th>read cost / round</th></tr>"
    )
    for r in rows:
        out.append(
            f"<tr><td>{_esc(r.node)}</td><td class='num'>{r.samples}</td>"
            f"<td class='num'>{r.at_first_read}</td><td class='num'>{r.p50:.0f}</td>"
            f"<td class='num'>{r.p95:.0f}</td><td class='num'>{r.top:.0f}</td>"
            f"<td class='num'>{r.read_ms:.0f}</td></tr>"
        )
    out.append("</table>")
    return out


def _ran_on(t: dict[str, Any]) -> str:
    return f" · {_esc(t['worker'])}" if t.get("worker") else ""


def _test_section(t: dict[str, Any]) -> list[str]:
    outcome = _esc(t.get("outcome", ""))
    out = [
        f'<section class="test" data-outcome="{outcome}"><h2>'
        f'<span class="badge {outcome}">{outcome}</span>{_esc(t["nodeid"])}</h2>'
        f'<p class="muted">{t.get("duration_s", 0):.1f}s · {_esc(t.get("spec", ""))} · '
        f"{_esc(t.get('engine', ''))} · {_esc(t.get('topology', ''))}{_ran_on(t)}</p>"
    ]
    failing = t.get("outcome") in FAILING
    if failing and (t.get("message") or t.get("failure")):
        out.append(f'<pre class="diff">{_esc(t.get("message") or t.get("failure"))}</pre>')
    if t.get("artifacts"):
        link = f'<a href="{_esc(t["artifacts"])}/">logs, snapshots and registry dump</a>'
        out.append(f"<p>{link}</p>")
    out.append(timeline_svg(t.get("events") or []))
    if t.get("failure"):
        summary = "traceback" if failing else "reason"
        out.append(
            f"<details><summary>{summary}</summary><pre>{_esc(t['failure'])}</pre></details>"
        )
    out.append("</section>")
    return out


def render_html(body: dict[str, Any]) -> str:
    tests: list[dict[str, Any]] = body.get("tests", [])
    _, line = _outcome_line(body.get("summary", {}))
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_esc(line)} · harness run {_esc(body.get('run_id', ''))}</title>"
        f"<style>{CSS}</style></head><body>",
        *_summary_block(body, tests),
        _legend(),
        *_latency_block(tests),
        "<h3>Tests</h3>",
    ]
    # Failures first, each group in run order.
    ordered = [t for t in tests if t.get("outcome") in FAILING]
    ordered += [t for t in tests if t.get("outcome") not in FAILING]
    for t in ordered:
        out += _test_section(t)
    out.append(f"<script>{JS}</script></body></html>")
    return "".join(out)
