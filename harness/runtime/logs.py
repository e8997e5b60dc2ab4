"""Container logs of a topology, saved for a failure's artifacts."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harness.runtime.containers import RunningContainer

__all__ = ["collect_logs"]


def collect_logs(containers: Iterable[RunningContainer], prefix: str, dest: Path) -> list[Path]:
    """Write each container's log to ``dest/<role>-<name without prefix>.log``; return them."""
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    for c in containers:
        path = dest / f"{c.spec.role}-{c.name.removeprefix(prefix + '-')}.log"
        path.write_text(c.logs())
        files.append(path)
    return files
