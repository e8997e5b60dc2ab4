"""Root conftest. The harness plugin itself is loaded through its pytest11 entry point, as in
any other repo; this only enables pytester for the plugin's own tests and keeps those tests on
one xdist worker."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

OWN_TESTS = Path(__file__).parent / "tests"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The harness's own tests act on the engine as a whole (leftover counts, reaping a killed
    # run, pruning images), so under `-n N --dist loadgroup` they run one after another on one
    # worker while the scenarios, each on its worker's own topology, spread over all of them.
    for item in items:
        if item.path.is_relative_to(OWN_TESTS):
            item.add_marker(pytest.mark.xdist_group("harness-own-tests"))
