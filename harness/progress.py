"""What a user sees while a topology starts, at pytest's default verbosity: one live status
line (what is starting, what it waits for), rewritten in place as xdist shows its workers, and
one summary line once the topology is ready. ``-q`` shows nothing; ``-v`` prints every
provisioning event as a line of its own (``plugin._progress``)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from harness.runtime.topology import Event

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
        if event.kind == "topology" and event.detail.startswith("starting "):
            self._what, _, self._name = event.detail.removeprefix("starting ").partition(" as ")
            self._started = time.monotonic()
            self._pending = []
            # The test file's name pytest just wrote (ensure_newline forgets it).
            self._fspath = self._terminal.currentfspath
            self._terminal.ensure_newline()
            self._show(f"starting {self._what}")
        elif not self._what:
            return
        elif event.kind == "topology" and event.detail in ("ready", "stopping"):
            took = time.monotonic() - self._started
            done = "ready" if event.detail == "ready" else "failed to start"
            self._show(f"{self._what} {done} in {took:.1f}s", final=True)
            self._what = ""
        elif event.kind in ("wait", "registry", "storage", "node"):
            self._track(event)
            took = time.monotonic() - self._started
            doing = f"waiting for {', '.join(self._pending)}" if self._pending else "starting"
            self._show(f"starting {self._what} ({took:.1f}s): {doing}")

    def _track(self, event: Event) -> None:
        """Keep ``_pending`` up to date from wait and ready events."""
        words = event.detail.replace(f"{self._name}-", "").split()
        if event.kind == "wait" and len(words) >= 4:
            subject = f"{words[2]} {words[3]}"  # "waiting for <role> <name> ..."
            if words[2] == "proxy":  # its link answered before the proxy was launched
                self._pending = [p for p in self._pending if p != f"toxiproxy {words[3]}-link"]
            if subject not in self._pending:
                self._pending.append(subject)
        elif event.detail.endswith(" ready"):
            done = event.detail.removesuffix(" ready")  # "node-2", "storage-0", "zookeeper"
            self._pending = [
                p for p in self._pending if p.split()[1] != done and p.split()[0] != done
            ]

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
