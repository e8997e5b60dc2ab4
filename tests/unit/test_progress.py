"""The default progress display: one live line while a topology starts, one summary line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.progress import LiveStatus
from harness.runtime.topology import Event


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
    Event(0.0, "topology", "starting cluster/zookeeper x3 as harness-abc-1234"),
    Event(0.3, "wait", "waiting for zookeeper harness-abc-1234-registry to answer on 127.0.0.1:1"),
    Event(0.4, "wait", "waiting for proxy node-2 to answer SQL at root@127.0.0.1:2"),
    Event(0.6, "registry", "zookeeper ready"),
    Event(3.4, "topology", "ready"),
    # During a test's call: never shown, it would cut into pytest's line.
    Event(9.0, "node", "node-3 ready"),
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
    live(Event(0.1, "wait", "waiting for mariadb " + "x" * 200 + " to accept connections"))
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
    live(Event(5.0, "topology", "stopping"))
    assert "failed to start" in terminal.screen[-2]
