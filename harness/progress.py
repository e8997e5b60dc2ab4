"""What a user sees while a topology starts, at pytest's default verbosity: one live status
line (what is starting, what it waits for), rewritten in place as xdist shows its workers, and
one summary line once the topology is ready. ``-q`` shows nothing; ``-v`` prints every
provisioning event as a line of its own (``plugin._progress``)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from harness.timeline import (
    Event,
    NodeChange,
    RegistryState,
    StorageReady,
    TopologyPhase,
    Waiting,
    decode,
)

__all__ = ["LiveStatus"]


class LiveStatus:
    """Fed the topology's events; ``terminal`` is pytest's TerminalReporter. Only the span
    from "starting" to "ready" is shown: events during a test's call would cut into the
    line pytest is writing for it."""

    def __init__(self, terminal: Any) -> None:
        self._terminal = terminal
        self._what = ""
        self._name = ""
        self._started = 0.0
        self._fspath: object = None
        # What it still waits for, e.g. "proxy node-2", "mariadb storage-0".
        self._pending: list[str] = []

    def __call__(self, event: Event) -> None:
        record = decode(event)
        if isinstance(record, TopologyPhase) and record.phase == "starting":
            self._what, self._name = record.spec, record.name
            self._started = time.monotonic()
            self._pending = []
            # The test file's name pytest just wrote (ensure_newline forgets it).
            self._fspath = self._terminal.currentfspath
            self._terminal.ensure_newline()
            self._show(f"starting {self._what}")
        elif not self._what:
            return
        elif isinstance(record, TopologyPhase):
            took = time.monotonic() - self._started
            done = "ready" if record.phase == "ready" else "failed to start"
            self._show(f"{self._what} {done} in {took:.1f}s", final=True)
            self._what = ""
        elif isinstance(record, Waiting | RegistryState | StorageReady | NodeChange):
            self._track(record)
            took = time.monotonic() - self._started
            doing = f"waiting for {', '.join(self._pending)}" if self._pending else "starting"
            self._show(f"starting {self._what} ({took:.1f}s): {doing}")

    def _track(self, record: Waiting | RegistryState | StorageReady | NodeChange) -> None:
        """Keep ``_pending`` (e.g. "proxy node-2", "mariadb storage-0") up to date."""
        if isinstance(record, Waiting):
            if record.role == "proxy":  # its link answered before the proxy was launched
                link = f"toxiproxy {record.subject}-link"
                self._pending = [p for p in self._pending if p != link]
            subject = f"{record.role} {record.subject}"
            if subject not in self._pending:
                self._pending.append(subject)
            return
        if isinstance(record, RegistryState) and record.state == "ready":
            done = "registry"
        elif isinstance(record, StorageReady):
            done = record.storage
        elif isinstance(record, NodeChange) and record.action == "ready" and record.node:
            done = record.node
        else:
            return
        self._pending = [p for p in self._pending if p.split()[1] != done]

    def _show(self, text: str, *, final: bool = False) -> None:
        line = f"harness: {text}"
        # A method since pytest 8.1 (a callable bool); a plain bool before.
        isatty = self._terminal.isatty
        tty = bool(isatty() if callable(isatty) else isatty)
        if tty:
            width = self._terminal._tw.fullwidth - 1
            self._terminal.rewrite(line[:width], erase=True)
        if final:
            if not tty:
                self._terminal.write(line)
            self._terminal.write("\n")
            # pytest wrote the test file's name before the fixture ran; write it again, so the
            # result letters that follow stand beside their file, not on a line of their own.
            path = self._fspath
            start = getattr(self._terminal, "startpath", None)
            if isinstance(path, Path) and isinstance(start, Path):
                self._terminal.write(f"{os.path.relpath(path, start)} ")
                self._terminal.currentfspath = path
            else:
                self._terminal.currentfspath = None
