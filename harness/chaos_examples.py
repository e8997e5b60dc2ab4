"""The chaos run's Hypothesis example database, made resumable: a failure whose shrinking the
run's time budget cut short is shrunk further by the next run, not only replayed.

Hypothesis replays a failure saved under a test's primary key as one it already shrank and
stops there ("don't try shrinking it again as it's unlikely to work", its engine's fast path
for development). On real containers a run's budget often ends shrinking early, so the next
run would only repeat the same long schedule. A failure saved under the secondary key is
replayed and then shrunk; moving the run's saved failures there when the budget ran out is
what resuming takes. The keys are Hypothesis's own (``<key>.secondary`` is its engine's
``sub_key``), learnt from the saves of the run itself."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis.database import ExampleDatabase

__all__ = ["ResumableExamples"]

# Sub-keys Hypothesis keeps beside a test's primary key.
_SUB_KEYS = (b".secondary", b".pareto")


class ResumableExamples(ExampleDatabase):
    """The example database Hypothesis would use (``inner``), noting the keys a run saves
    under; ``resume_shrinking()`` marks the run's saved failures as not shrunk yet."""

    def __init__(self, inner: ExampleDatabase) -> None:
        super().__init__()
        self.inner = inner
        self._keys: set[bytes] = set()

    def save(self, key: bytes, value: bytes) -> None:
        self._keys.add(key)
        self.inner.save(key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self.inner.fetch(key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self._keys.add(dest)
        self.inner.move(src, dest, value)

    def resume_shrinking(self) -> int:
        """Move every failure saved under a primary key this run used to its secondary key,
        so that the next run shrinks it further; how many were moved."""
        moved = 0
        for key in [k for k in self._keys if not k.endswith(_SUB_KEYS)]:
            for value in list(self.inner.fetch(key)):
                self.inner.move(key, key + _SUB_KEYS[0], value)
                moved += 1
        return moved

    def __repr__(self) -> str:
        return f"ResumableExamples({self.inner!r})"
