"""Polling with an injected clock: monotonic deadlines and backoff, unit-testable without Docker."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["SYSTEM_CLOCK", "Clock", "WaitTimeout", "poll"]

T = TypeVar("T")


@dataclass(frozen=True)
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


SYSTEM_CLOCK = Clock()


class WaitTimeout(Exception):
    """Internal: a poll ran out of time. Callers turn it into a domain error with a hint."""

    def __init__(self, what: str, waited: float, attempts: int, last: object) -> None:
        self.what = what
        self.waited = waited
        self.attempts = attempts
        self.last = last
        super().__init__(
            f"{what}: not true after {waited:.1f}s ({attempts} attempts); last: {last}"
        )


def poll(
    check: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.05,
    max_interval: float = 0.5,
    backoff: float = 1.5,
    clock: Clock = SYSTEM_CLOCK,
    retry_on: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``check`` until it returns a value other than None; return that value.

    Exceptions in ``retry_on`` count as "not yet" and are kept as the last observation.
    The sleep never overshoots the deadline, so the result is seen within one interval.
    """
    start = clock.now()
    deadline = start + timeout
    delay = interval
    attempts = 0
    last: object = None
    while True:
        attempts += 1
        try:
            result = check()
        except retry_on as exc:
            last = exc
        else:
            if result is not None:
                return result
            last = "no result"
        now = clock.now()
        if now >= deadline:
            raise WaitTimeout(what, now - start, attempts, last)
        clock.sleep(min(delay, deadline - now))
        delay = min(delay * backoff, max_interval)
