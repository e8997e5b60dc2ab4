"""A container's pause: asked again while runc's freezer refuses, for a bounded time."""

from __future__ import annotations

from typing import Any

import docker.errors
import pytest

from harness.errors import FaultError
from harness.runtime.containers import ContainerSpec, RunningContainer
from tests.unit.fakes import FakeClock

REFUSED = "Cannot pause container 123: OCI runtime pause failed: unable to freeze: unknown"


class Refusing:
    """A docker-py container whose first ``refusals`` pauses fail with ``message``."""

    def __init__(self, refusals: int, message: str = REFUSED) -> None:
        self.refusals = refusals
        self.message = message
        self.pauses = 0

    def pause(self) -> None:
        self.pauses += 1
        if self.pauses <= self.refusals:
            raise docker.errors.APIError(self.message)


def _running(container: Any) -> RunningContainer:
    running = RunningContainer(ContainerSpec("node-2", "proxy:x", "proxy", {}), client=None)
    running._container = container
    return running


def test_a_pause_the_freezer_refused_is_asked_again() -> None:
    container = Refusing(refusals=2)
    _running(container).pause(clock=FakeClock().clock)
    assert container.pauses == 3


def test_another_docker_error_is_not_retried() -> None:
    container = Refusing(refusals=1, message="Container 123 is not running")
    with pytest.raises(docker.errors.APIError, match="not running"):
        _running(container).pause(clock=FakeClock().clock)
    assert container.pauses == 1


def test_a_freezer_that_keeps_refusing_ends_in_one_clear_error() -> None:
    container = Refusing(refusals=10**6)
    with pytest.raises(FaultError, match=r"could not pause node-2 in 10 s .*unable to freeze"):
        _running(container).pause(clock=FakeClock().clock)
    assert container.pauses > 1
