"""Every benchmark, one after another: `.venv/bin/python -m benchmarks` (after `.ci/bootstrap`).
Each writes reports/bench/<name>.json and <name>.md."""

from __future__ import annotations

import sys

from benchmarks import (
    distsql,
    images,
    latency,
    overhead,
    provision,
    provision_compare,
    report_load,
    reuse,
)


def main() -> None:
    for module in (
        images,
        provision_compare,
        provision,
        overhead,
        latency,
        distsql,
        report_load,
        reuse,
    ):
        print(f"== benchmarks.{module.__name__.rsplit('.', 1)[1]}", flush=True)
        sys.argv = [module.__name__]
        module.main()


if __name__ == "__main__":
    main()
