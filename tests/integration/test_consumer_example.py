"""harness as another repository sees it: its wheel and examples/consumer installed into a
fresh virtualenv at the lowest versions harness supports (lowest.txt), the consumer's tests
run there (the plugin loaded by its entry point) against a real topology, its own
testcontainers settings untouched, its mypy --strict clean over harness's types, and nothing
left behind."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.integration.helpers import foreign_leftovers

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, f"{argv} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def test_consumer_repo_passes_with_the_installed_wheel(tmp_path: Path, docker_client: Any) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)], ROOT)
    wheels = list(dist.glob("pytest_harness-*.whl"))
    assert len(wheels) == 1
    consumer = tmp_path / "consumer"
    shutil.copytree(ROOT / "examples" / "consumer", consumer)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    lowest = Path(__file__).with_name("lowest.txt")
    run(
        [*pip, "--disable-pip-version-check", "-c", str(lowest), str(wheels[0]), str(consumer)],
        tmp_path,
    )
    # Installed at the lowest supported versions, whatever the resolver prefers.
    freeze = run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], tmp_path).stdout
    for pin in lowest.read_text().split():
        if "==" in pin:
            name = pin.split("==")[0].lower()
            assert any(line.lower() == pin.lower() for line in freeze.splitlines()), (name, freeze)
    result = run(
        [
            str(
                venv / "bin" / "pytest",
            ),
            "-p",
            "no:cacheprovider",
        ],
        consumer,
    )
    assert "3 passed" in result.stdout
    assert "harness report:" in result.stdout
    # The plugin came from the wheel, not from this checkout.
    where = run(
        [str(venv / "bin" / "python"), "-c", "import harness; print(harness.__file__)"], tmp_path
    )
    assert str(venv) in where.stdout
    assert foreign_leftovers(docker_client) == []
    # harness ships py.typed: a consumer's strict mypy sees its types, not Any.
    run([*pip, "--disable-pip-version-check", "mypy"], tmp_path)
    typed = run(
        [str(venv / "bin" / "mypy"), "--strict", "--warn-unused-ignores", "tests"], consumer
    )
    assert "Success" in typed.stdout
    revealed = consumer / "reveal.py"
    revealed.write_text("from harness import latency\nreveal_type(latency)\n")
    shown = subprocess.run(
        [str(venv / "bin" / "mypy"), "--strict", str(revealed)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "def (" in shown, shown
