"""SIGTERM as Ctrl-C: installed only over the default disposition, put back afterwards, and
ignored while the run tears down."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from harness.termination import TerminateAsInterrupt, Terminated


@pytest.fixture(autouse=True)
def default_sigterm() -> Iterator[None]:
    # This process runs the harness plugin, which installed its own handler: start each test
    # from the default, and put the plugin's back.
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGTERM, before)


def test_sigterm_raises_a_keyboard_interrupt_once() -> None:
    handler = TerminateAsInterrupt()
    assert handler.install()
    with pytest.raises(KeyboardInterrupt) as raised:
        signal.raise_signal(signal.SIGTERM)
    assert isinstance(raised.value, Terminated)
    assert "SIGTERM" in str(raised.value)
    # Later ones are ignored while the run tears down (they come in pairs under xdist)...
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    signal.raise_signal(signal.SIGTERM)
    # ...and the default is back once the session is over.
    handler.uninstall()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_someone_elses_handler_is_left_alone() -> None:
    def theirs(signum: int, frame: object) -> None:
        pass

    signal.signal(signal.SIGTERM, theirs)
    handler = TerminateAsInterrupt()
    assert not handler.install()
    handler.uninstall()
    assert signal.getsignal(signal.SIGTERM) is theirs


def test_uninstall_puts_the_default_back() -> None:
    handler = TerminateAsInterrupt()
    handler.install()
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    handler.uninstall()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_shielded_teardown_ignores_sigterm() -> None:
    handler = TerminateAsInterrupt()
    handler.install()
    with handler.shielded():
        signal.raise_signal(signal.SIGTERM)  # ignored: nothing raised
    with pytest.raises(Terminated):
        signal.raise_signal(signal.SIGTERM)


def test_with_workers_the_sigterm_goes_to_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under xdist the workers end the run (they own the topologies): the controller passes
    the SIGTERM on and carries on until they are done; later ones change nothing."""
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr("os.kill", lambda pid, sig: sent.append((pid, sig)))
    handler = TerminateAsInterrupt()
    handler.install()
    handler.forward_to = {101, 102}
    signal.raise_signal(signal.SIGTERM)  # passed on, nothing raised
    signal.raise_signal(signal.SIGTERM)  # ignored
    assert sorted(sent) == [(101, signal.SIGTERM), (102, signal.SIGTERM)]
