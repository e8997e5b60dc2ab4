"""Hooks harness adds to pytest (registered with ``pytest_addhooks``). Named ``pytest_*``
because pytest takes a conftest function as a hook implementation only under that prefix
(otherwise it needs ``@pytest.hookimpl``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from harness.runtime.topology import Topology

hookspec = pluggy.HookspecMarker("pytest")


@hookspec
def pytest_harness_topology_started(topology: Topology) -> None:
    """A topology is up and every node answers."""


@hookspec
def pytest_harness_topology_stopped(topology: Topology) -> None:
    """A topology and everything it started has been removed."""
