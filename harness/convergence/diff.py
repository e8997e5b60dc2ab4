"""Readable differences between snapshots: which nodes differ, at which key, each value."""

from __future__ import annotations

from collections.abc import Sequence

from harness.convergence.snapshot import Snapshot

__all__ = ["diff_snapshots", "render_diff"]

MISSING = "<absent>"


def diff_snapshots(snapshots: Sequence[Snapshot]) -> dict[str, dict[str, str]]:
    """``{key: {source: value}}`` for every key whose value is not the same on all sources."""
    readable = [s for s in snapshots if s.error is None]
    keys: set[str] = set()
    views = {s.source: s.as_dict() for s in readable}
    for view in views.values():
        keys.update(view)
    out: dict[str, dict[str, str]] = {}
    for key in sorted(keys):
        values = {src: view.get(key, MISSING) for src, view in views.items()}
        if len(set(values.values())) > 1:
            out[key] = values
    return out


def render_diff(snapshots: Sequence[Snapshot], limit: int = 40) -> str:
    lines: list[str] = []
    for s in snapshots:
        if s.error is not None:
            lines.append(f"  {s.source}: unreadable ({s.error})")
    diff = diff_snapshots(snapshots)
    for i, (key, values) in enumerate(diff.items()):
        if i == limit:
            lines.append(f"  ... and {len(diff) - limit} more differing keys")
            break
        lines.append(f"  {key}")
        for src, value in values.items():
            lines.append(f"      {src:>12}: {value}")
    return "\n".join(lines) if lines else "  (no differences)"
