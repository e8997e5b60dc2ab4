"""The package's layers, as the README's module map draws them: a module imports only from its
own layer or the ones below, and nothing imports the plugin or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "harness"

# Lowest first. A module's layer is that of its longest matching prefix.
LAYERS: dict[str, int] = {
    "harness.errors": 0,
    "harness.version": 0,
    "harness.timeline": 0,
    "harness.waiting": 0,
    "harness.redact": 0,
    "harness.termination": 0,
    "harness.spec": 1,
    "harness.resources": 1,
    "harness.settings": 1,
    "harness.dialect": 2,
    "harness.images": 2,
    "harness.clients": 2,
    "harness.docker_engine": 2,
    "harness.runtime": 3,
    "harness.convergence": 4,
    "harness.faults": 4,
    "harness.logical_database": 5,
    "harness.topology_pool": 5,
    "harness.diagnostics": 5,
    "harness.database_hygiene": 5,
    "harness.detached": 5,
    "harness.reuse": 5,
    "harness.chaos": 5,
    "harness.chaos_signature": 5,
    "harness.chaos_examples": 5,
    "harness.report_html": 6,
    "harness.reporting": 6,
    "harness.progress": 6,
    "harness.behaviour_table": 6,
    "harness.apiref": 7,
    "harness.hooks": 7,
    "harness": 7,  # the public API (harness/__init__.py)
    "harness.plugin": 8,
    "harness.cli": 8,
    "harness.__main__": 9,
}
TOP = ("harness.plugin", "harness.cli")


def layer(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise AssertionError(f"{module} has no layer: add it to LAYERS and to the README's map")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harness"):
            if node.module == "harness":  # `from harness import hooks` is the module hooks
                found |= {f"harness.{a.name}" for a in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("harness")}
    return found


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_go_down_the_layers(module: str, path: Path) -> None:
    own = layer(module)
    upward = sorted(dep for dep in imports(path) if layer(dep) > own)
    assert upward == [], f"{module} (layer {own}) imports from above: {upward}"
    if module not in TOP and module != "harness.__main__":
        assert not [d for d in imports(path) if d in TOP], f"{module} imports the plugin or CLI"


def test_the_checker_can_fail() -> None:
    assert layer("harness.runtime.topology") < layer("harness.faults.controller")
    assert layer("harness.plugin") > layer("harness")
