"""Headless Chromium (Debian's) as a test instrument: load a page from disk, return its DOM
after scripts ran, every console message, and a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",  # runs as root in CI
    "--disable-gpu",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=3000",
]


@dataclass(frozen=True)
class Loaded:
    dom: str
    console: list[str]
    screenshot: Path


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise AssertionError(
            "chromium is missing. Fix: run `harness setup --browser` (what .ci/test does)"
        )
    return path


def load(page: Path, screenshot: Path) -> Loaded:
    url = page.resolve().as_uri()
    dom = subprocess.run(
        [chromium(), *FLAGS, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    subprocess.run(
        [chromium(), *FLAGS, "--window-size=1280,1600", f"--screenshot={screenshot}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    return Loaded(dom.stdout, console, screenshot)
