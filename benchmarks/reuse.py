"""Getting a ready topology three ways, side by side in one run (medians of the rounds):

- fresh: provisioning the default 3-node ZooKeeper cluster;
- reuse: attaching to the topology a previous session kept (``--harness-reuse``), with every
  check a kept topology passes first (``harness/reuse.py``);
- up + attach: ``harness up`` once, then attaching to it (``--harness-attach=NAME``).

Also a one-test pytest session's wall time (interpreter start to exit), fresh and reused.

    .venv/bin/python -m benchmarks.reuse [--rounds N]

Goal: attach at most 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.output import median, write
from harness import detached
from harness.docker_engine import connect
from harness.reuse import remove_kept
from harness.spec import TopologySpec
from harness.topology_pool import TopologyPool

TEST = "def test_one(topology, harness_db):\n    pass\n"
INI = "[pytest]\nharness_image_source = local\n"


def timed_get(pool: TopologyPool, spec: TopologySpec) -> float:
    t0 = time.monotonic()
    pool.get(spec)
    return time.monotonic() - t0


def sessions(rounds: int, reuse: bool) -> list[float]:
    """Wall seconds of one-test pytest sessions (the first of a reused series keeps)."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pytest.ini").write_text(INI)
        Path(tmp, "test_one.py").write_text(TEST)
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"]
        if reuse:
            argv.append("--harness-reuse")
            subprocess.run(argv, cwd=tmp, check=True, capture_output=True)  # keeps one
        out = []
        for _ in range(rounds):
            t0 = time.monotonic()
            subprocess.run(argv, cwd=tmp, check=True, capture_output=True)
            out.append(time.monotonic() - t0)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    client = connect()
    spec = TopologySpec.create()
    figures: dict[str, list[float]] = {"fresh": [], "reuse": [], "up": [], "attach_up": []}
    with tempfile.TemporaryDirectory() as reuse_dir:
        os.environ["HARNESS_REUSE_DIR"] = reuse_dir
        keeper = TopologyPool("local", reuse=True)
        keeper.get(spec)
        keeper.close()  # kept
        for _ in range(args.rounds):
            pool = TopologyPool("local")
            figures["fresh"].append(timed_get(pool, spec))
            pool.close()
            pool = TopologyPool("local", reuse=True)
            figures["reuse"].append(timed_get(pool, spec))
            pool.close()
        t0 = time.monotonic()
        state = detached.up(client, spec, "local")
        figures["up"].append(time.monotonic() - t0)
        try:
            for _ in range(args.rounds):
                pool = TopologyPool("local", attach=state.name)
                figures["attach_up"].append(timed_get(pool, spec))
                pool.close()
        finally:
            detached.down(client, state.name)
        figures["session_fresh"] = sessions(args.rounds, reuse=False)
        figures["session_reused"] = sessions(args.rounds, reuse=True)
        remove_kept(client)
    rows = [
        ["fresh: provision the default cluster", median(figures["fresh"])],
        ["reuse: attach to a kept one, checks included", median(figures["reuse"])],
        ["harness up (once)", median(figures["up"])],
        ["attach to the harness up one, checks included", median(figures["attach_up"])],
        ["one-test pytest session, fresh (wall)", median(figures["session_fresh"])],
        ["one-test pytest session, reused (wall)", median(figures["session_reused"])],
    ]
    write("reuse", figures, ["how", "median (s)"], rows)


if __name__ == "__main__":
    main()
