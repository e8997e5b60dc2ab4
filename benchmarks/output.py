"""Benchmark output: one JSON file and one Markdown table per benchmark, under reports/bench/."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

OUT = Path("reports/bench")


def write(name: str, figures: dict[str, Any], header: Sequence[str], rows: list[list[Any]]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2))
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]
    (OUT / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


def median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 3)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, -(-95 * len(ordered) // 100) - 1)], 3)
