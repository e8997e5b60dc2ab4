"""Images: the warm check (every image present, nothing rebuilt; goal under 5 s), and with
--cold a forced rebuild of every role, side by side.

    .venv/bin/python -m benchmarks.images [--cold]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.output import write
from harness.docker_engine import connect
from harness.images.builder import ImageBuilder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="also rebuild every image")
    args = parser.parse_args()
    builder = ImageBuilder(connect())
    rows: list[list[object]] = []
    figures: dict[str, object] = {}
    if args.cold:
        t0 = time.monotonic()
        results = builder.build(force=True)
        figures["cold_s"] = round(time.monotonic() - t0, 1)
        figures["cold_per_role_s"] = {r.role: round(r.seconds, 1) for r in results}
        rows.append(["cold build, every role", figures["cold_s"]])
    t0 = time.monotonic()
    results = builder.build()
    figures["warm_s"] = round(time.monotonic() - t0, 2)
    assert not any(r.built for r in results), "warm check rebuilt something"
    rows.append(["warm check, nothing changed", figures["warm_s"]])
    write("images", figures, ["what", "seconds"], rows)


if __name__ == "__main__":
    main()
