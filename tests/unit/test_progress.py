"""The default progress display: one live line while a topology starts, one summary line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.progress import LiveStatus
from harness.timeline import (
    NodeChange,
    RegistryState,
    TopologyPhase,
    Waiting,
    encode,
)


class FakeTerminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.screen: list[str] = []  # every rewrite or write, in order
        self.currentfspath: Any = "scenarios/test_x.py"
        self.startpath: Any = None

        class Writer:
            fullwidth = 120

        self._tw = Writer()

    def isatty(self) -> bool:
        return self.tty

    def ensure_newline(self) -> None:
        self.screen.append("<newline>")
        self.currentfspath = None  # as pytest's does

    def rewrite(self, line: str, erase: bool = False) -> None:
        assert erase
        self.screen.append(f"<rewrite>{line}")

    def write(self, text: str) -> None:
        self.screen.append(text)


EVENTS = [
    encode(TopologyPhase("starting", "cluster/zookeeper x3", "harness-abc-1234"), 0.0),
    encode(Waiting("zookeeper", "registry", "zookeeper harness-abc-1234-registry to answer"), 0.3),
    encode(Waiting("proxy", "node-2", "proxy node-2 to answer SQL at root@127.0.0.1:2"), 0.4),
    encode(RegistryState("zookeeper", "ready"), 0.6),
    encode(TopologyPhase("ready"), 3.4),
    # During a test's call: never shown, it would cut into pytest's line.
    encode(NodeChange("node-3", "ready"), 9.0),
]


def test_tty_shows_one_live_line_then_a_summary() -> None:
    terminal = FakeTerminal(tty=True)
    live = LiveStatus(terminal)
    for event in EVENTS:
        live(event)
    assert terminal.screen[0] == "<newline>"
    assert terminal.screen[1] == "<rewrite>harness: starting cluster/zookeeper x3"
    assert terminal.screen[2].startswith("<rewrite>harness: starting cluster/zookeeper x3 (")
    assert terminal.screen[2].endswith("s): waiting for zookeeper registry")
    assert terminal.screen[3].endswith("s): waiting for zookeeper registry, proxy node-2")
    assert terminal.screen[4].endswith("s): waiting for proxy node-2")  # zookeeper ready
    assert terminal.screen[5].startswith("<rewrite>harness: cluster/zookeeper x3 ready in ")
    assert terminal.screen[6:] == ["\n"]
    assert terminal.currentfspath is None


def test_the_file_name_is_written_again_for_the_results_that_follow() -> None:
    terminal = FakeTerminal(tty=True)
    terminal.startpath = Path("/repo")
    terminal.currentfspath = Path("/repo/scenarios/test_x.py")
    live = LiveStatus(terminal)
    for event in EVENTS:
        live(event)
    assert terminal.screen[6:] == ["\n", "scenarios/test_x.py "]
    assert terminal.currentfspath == Path("/repo/scenarios/test_x.py")


def test_a_long_line_is_cut_to_the_terminal() -> None:
    terminal = FakeTerminal(tty=True)
    live = LiveStatus(terminal)
    live(EVENTS[0])
    live(encode(Waiting("mariadb", "x" * 200, "mariadb to accept connections"), 0.1))
    assert len(terminal.screen[-1]) <= len("<rewrite>") + 119


class Pytest80Terminal(FakeTerminal):
    """pytest 8.0's TerminalReporter: ``isatty`` is a plain bool, not a method."""

    def __init__(self, tty: bool) -> None:
        super().__init__(tty)
        self.isatty = tty  # type: ignore[assignment,method-assign]


@pytest.mark.parametrize("terminal_type", [FakeTerminal, Pytest80Terminal])
def test_without_a_tty_only_the_summary(terminal_type: type[FakeTerminal]) -> None:
    terminal = terminal_type(tty=False)
    live = LiveStatus(terminal)
    for event in EVENTS:
        live(event)
    assert next(s for s in terminal.screen if s != "<newline>").startswith(
        "harness: cluster/zookeeper x3 ready in "
    )
    assert terminal.screen[-1] == "\n"


def test_a_failed_start_says_so() -> None:
    terminal = FakeTerminal(tty=True)
    live = LiveStatus(terminal)
    live(EVENTS[0])
    live(encode(TopologyPhase("stopping"), 5.0))
    assert "failed to start" in terminal.screen[-2]
