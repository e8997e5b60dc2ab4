"""Resumable shrinking (harness.chaos_examples): a failure saved by a run that did not finish
shrinking it is shrunk further by the next run, where Hypothesis alone only replays it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from harness.chaos_examples import ResumableExamples

LIMIT = 500


def _failing(examples: ResumableExamples, phases: tuple[Phase, ...]) -> list[int]:
    """Run a test that fails when the list's sum passes LIMIT; the failure it reports."""
    seen: list[list[int]] = []

    # No @seed: a seeded test never uses the example database.
    @settings(database=examples, phases=phases, max_examples=200, deadline=None)
    @given(st.lists(st.integers(0, 1000), min_size=5))
    def test(xs: list[int]) -> None:
        if sum(xs) > LIMIT:
            seen.append(xs)
            raise AssertionError

    with pytest.raises(AssertionError):
        test()
    return seen[-1]


GENERATE_ONLY = (Phase.generate,)  # as a run whose budget ran out before shrinking
EVERY_PHASE = (Phase.reuse, Phase.generate, Phase.shrink)


@pytest.mark.parametrize(
    ("between", "shrunk_further"),
    [(ResumableExamples.resume_shrinking, True), (lambda _examples: 0, False)],
    ids=["resumed", "hypothesis-alone"],
)
def test_the_next_run_shrinks_a_saved_failure_further_only_once_resumed(
    between: Callable[[ResumableExamples], int], shrunk_further: bool
) -> None:
    examples = ResumableExamples(InMemoryExampleDatabase())
    first = _failing(examples, GENERATE_ONLY)
    assert sum(first) > LIMIT
    assert first != [0, 0, 0, 0, LIMIT + 1]  # generated, not shrunk
    between(examples)
    second = _failing(examples, EVERY_PHASE)
    if shrunk_further:
        assert second == [0, 0, 0, 0, LIMIT + 1]
    else:
        # Hypothesis's fast path: a failure from the primary key is replayed, not shrunk.
        assert second == first


def test_resuming_moves_only_the_runs_primary_entries_to_their_secondary_key() -> None:
    inner = InMemoryExampleDatabase()
    examples = ResumableExamples(inner)
    examples.save(b"k", b"failure")
    examples.save(b"k.pareto", b"front")
    inner.save(b"other", b"not this run's")
    assert examples.resume_shrinking() == 1
    assert list(inner.fetch(b"k")) == []
    assert list(inner.fetch(b"k.secondary")) == [b"failure"]
    assert list(inner.fetch(b"k.pareto")) == [b"front"]
    assert list(inner.fetch(b"other")) == [b"not this run's"]
    assert examples.resume_shrinking() == 0  # nothing left under the primary key
