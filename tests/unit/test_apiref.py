"""The README's API reference is generated from the docstrings, and every public name has one
with an example."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import harness
from harness.apiref import BEGIN, END, documentation, members, render, rewrite

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_reference_matches_the_docstrings() -> None:
    text = README.read_text()
    assert BEGIN in text
    assert END in text
    assert rewrite(text) == text, "run: .venv/bin/python -m harness.apiref --write README.md"


@pytest.mark.parametrize("name", harness.__all__)
def test_every_public_name_has_a_docstring_with_an_example(name: str) -> None:
    doc = documentation(name)
    assert doc, f"{name} has no docstring"
    assert "Example" in doc, f"{name}'s docstring has no example"
    assert f"**`{name}" in render()


@pytest.mark.parametrize(
    "name", [n for n in harness.__all__ if inspect.isclass(getattr(harness, n))]
)
def test_every_public_member_has_a_docstring(name: str) -> None:
    cls = getattr(harness, name)
    if issubclass(cls, BaseException):
        return
    undocumented = [attr for attr, func, _ in members(cls) if not inspect.getdoc(func)]
    assert undocumented == [], f"{name}: {undocumented}"


def test_rewrite_replaces_only_the_block() -> None:
    text = f"before\n{BEGIN}\nstale\n{END}\nafter\n"
    out = rewrite(text)
    assert out.startswith("before\n")
    assert out.endswith("\nafter\n")
    assert "stale" not in out
