"""SIGTERM ends a run the way Ctrl-C does, so its topologies are torn down.

CI runners stop a job that runs over its time with SIGTERM (SIGKILL follows some seconds
later), and so do ``timeout``, Kubernetes and most supervisors. Python's default for SIGTERM
ends the process at once: no fixture teardown, no report, every container left for the next
run's reaper. Raising ``KeyboardInterrupt`` instead takes pytest's Ctrl-C path (teardown,
report, exit code 2)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["TerminateAsInterrupt", "Terminated"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as a Ctrl-C (``KeyboardInterrupt``: code that catches
    ``Exception`` lets it through, as it does a real Ctrl-C)."""


class TerminateAsInterrupt:
    """Installs the SIGTERM handler for the life of a pytest session, then puts back what
    was there. It does nothing when SIGTERM already has a handler (someone else's choice)
    or off the main thread (where Python cannot install one)."""

    def __init__(self) -> None:
        self.installed = False
        # Processes this one started that tear down their own topologies (pytest-xdist's
        # workers): a Ctrl-C in a terminal reaches them all, a SIGTERM only this one.
        self.forward_to: set[int] = set()

    def install(self) -> bool:
        if threading.current_thread() is not threading.main_thread():
            return False
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return False
        signal.signal(signal.SIGTERM, self._handle)
        self.installed = True
        return True

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """While the run tears down, a SIGTERM asks for what is already under way: ignore
        it rather than interrupt the teardown (SIGKILL stays for the impatient)."""
        if not self.installed:
            yield
            return
        before = signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, before)

    def uninstall(self) -> None:
        if self.installed and signal.getsignal(signal.SIGTERM) in (self._handle, signal.SIG_IGN):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        self.installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # Later SIGTERMs are ignored: they ask for the teardown already under way, and they
        # come in pairs (a process group's SIGTERM reaches a worker beside the one passed
        # on). SIGKILL stays for the impatient; the next run or `harness clean` reaps what
        # it leaves.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if self.forward_to:
            # The workers end the run: each tears its topologies down and reports itself
            # interrupted, and xdist's controller then stops the others and exits with 2.
            # Raising here would have xdist kill the workers 10 s later, mid-teardown.
            for pid in self.forward_to:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            return
        raise Terminated("SIGTERM: tearing down as for Ctrl-C")
