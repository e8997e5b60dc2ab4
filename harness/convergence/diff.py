"""Readable differences between snapshots: which nodes differ, at which key, each value."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def render_diff(
    snapshots: Sequence[Snapshot],
    reference: Snapshot | None = None,
    comparable: Callable[[str], bool] = lambda _k: True,
    limit: int = 40,
) -> str:
    """Every differing key with each node's value, and the registry's where it has one."""
    lines: list[str] = []
    for s in (*snapshots, *((reference,) if reference is not None else ())):
        if s.error is not None:
            lines.append(f"  {s.source}: unreadable ({s.error})")
    diff = diff_snapshots(snapshots)
    views = {s.source: s.as_dict() for s in snapshots if s.error is None}
    if reference is not None and reference.error is None:
        ref_view = views[reference.source] = reference.as_dict()
        against = diff_snapshots([*(s.restrict(comparable) for s in snapshots), reference])
        for key, values in against.items():
            diff.setdefault(key, dict(values))[reference.source] = ref_view.get(key, MISSING)
        for key, values in diff.items():
            if comparable(key):
                values.setdefault(reference.source, ref_view.get(key, MISSING))
    rows = _collapse(diff, views)
    for i, (key, values) in enumerate(rows):
        if i == limit:
            lines.append(f"  ... and {len(rows) - limit} more differing keys")
            break
        lines.append(f"  {key}")
        for src, value in values.items():
            lines.append(f"      {src:>12}: {value}")
    return "\n".join(lines) if lines else "  (no differences)"


def _missing_under(view: dict[str, str], prefix: str) -> bool:
    return not any(k == prefix or k.startswith(prefix + "/") for k in view)


def _collapse(
    diff: dict[str, dict[str, str]], views: dict[str, dict[str, str]]
) -> list[tuple[str, dict[str, str]]]:
    """Diff rows with whole missing subtrees folded into one row: a rule absent on one node
    reads as ``.../sharding_table_rule/t_order/*`` once, not as one row per column."""
    groups: dict[tuple[str, frozenset[str]], list[str]] = {}
    for key in sorted(diff):
        values = diff[key]
        missing = frozenset(src for src, v in values.items() if v == MISSING)
        present = {v for v in values.values() if v != MISSING}
        top = key
        if missing and len(present) == 1:
            parts = key.split("/")
            for depth in range(3, len(parts) + 1):
                prefix = "/".join(parts[:depth])
                if all(_missing_under(views.get(src, {}), prefix) for src in missing):
                    top = prefix
                    break
        groups.setdefault((top, missing), []).append(key)
    rows: list[tuple[str, dict[str, str]]] = []
    for (top, missing), keys in groups.items():
        if len(keys) == 1:
            rows.append((keys[0], diff[keys[0]]))
            continue
        # Label the fold with the keys' deepest common path (the rule, not all rules).
        split = [k.split("/") for k in keys]
        common = next(
            (i for i, parts in enumerate(zip(*split, strict=False)) if len(set(parts)) > 1),
            min(len(p) for p in split),
        )
        label = "/".join(split[0][: max(common, len(top.split("/")))])
        summary = f"<{len(keys)} keys>"
        sources = diff[keys[0]]
        rows.append(
            (f"{label}/*", {src: MISSING if src in missing else summary for src in sources})
        )
    return sorted(rows)
