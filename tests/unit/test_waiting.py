"""The poller, on a fake clock: deadlines, backoff, retried exceptions."""

from __future__ import annotations

import pytest

from harness.waiting import WaitTimeout, poll
from tests.unit.fakes import FakeClock


def test_returns_first_result_and_backs_off() -> None:
    fake = FakeClock()
    answers = iter([None, None, None, "ready"])
    assert poll(lambda: next(answers), timeout=10, what="x", clock=fake.clock) == "ready"
    assert fake.sleeps == pytest.approx([0.05, 0.075, 0.1125])


def test_backoff_is_capped() -> None:
    fake = FakeClock()
    with pytest.raises(WaitTimeout):
        poll(lambda: None, timeout=5, what="x", max_interval=0.5, clock=fake.clock)
    assert max(fake.sleeps) == pytest.approx(0.5)


def test_never_sleeps_past_the_deadline_and_reports_last_error() -> None:
    fake = FakeClock()

    def boom() -> None:
        raise ConnectionRefusedError("refused")

    with pytest.raises(WaitTimeout) as err:
        poll(boom, timeout=1.0, what="db", clock=fake.clock, retry_on=(OSError,))
    assert fake.t == pytest.approx(1.0)
    assert "refused" in str(err.value)
    assert err.value.attempts > 1
    assert "db" in str(err.value)


def test_unlisted_exceptions_propagate() -> None:
    fake = FakeClock()

    def bad() -> None:
        raise KeyError("k")

    with pytest.raises(KeyError):
        poll(bad, timeout=1, what="x", clock=fake.clock, retry_on=(OSError,))
