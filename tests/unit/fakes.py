"""Fakes for unit tests (never used by integration tests)."""

from __future__ import annotations

from harness.waiting import Clock


class FakeClock:
    """Time moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    @property
    def clock(self) -> Clock:
        return Clock(self.now, self.sleep)
