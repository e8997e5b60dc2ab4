"""A failing build step names the role and step and shows the tail of its output."""

from __future__ import annotations

import pytest

from harness.errors import ImageBuildError
from harness.images.steps import require_tool, run_step


def test_failing_step_names_step_and_shows_tail() -> None:
    script = "for i in $(seq 1 100); do echo line-$i; done; echo boom >&2; exit 3"
    with pytest.raises(ImageBuildError) as err:
        run_step("mariadb", "apt-get install", ["sh", "-c", script])
    message = str(err.value)
    assert "role 'mariadb', step 'apt-get install'" in message
    assert "exited 3" in message
    assert "boom" in message
    assert "line-100" in message
    assert "line-1\n" not in message  # only the tail


def test_missing_tool_says_how_to_get_it() -> None:
    with pytest.raises(ImageBuildError, match="Fix: apt-get install nothing-here"):
        require_tool("no-such-tool-xyz", "base", "apt-get install nothing-here")
