"""Locate and render the data templates in ``fixtures/`` (shipped as ``harness/_fixtures``)."""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

from harness.errors import SpecError

__all__ = ["fixtures_dir", "render_template"]


def fixtures_dir() -> Path:
    packaged = Path(str(resources.files("harness"))) / "_fixtures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "fixtures"


def render_template(relative: str, values: dict[str, str], root: Path | None = None) -> str:
    """Render ``fixtures/<relative>`` with ``${name}`` placeholders."""
    base = root or fixtures_dir()
    path = base / relative
    if not path.is_file():
        raise SpecError(
            "template",
            str(path),
            f"an existing file under {base}",
            f"reinstall harness, or point templates_dir at a folder holding {relative}",
        )
    try:
        return string.Template(path.read_text()).substitute(values)
    except KeyError as exc:
        raise SpecError(
            "template placeholder",
            exc.args[0],
            ", ".join(sorted(values)),
            f"fix ${{{exc.args[0]}}} in {path}",
        ) from None
