"""Public convergence API over a running topology."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from harness.clients.mysql import SqlClient, SqlError
from harness.convergence.loop import ConvergenceResult, Expectation, converge, raise_unless
from harness.convergence.registry_view import REGISTRY_SOURCE, read_registry_snapshot
from harness.convergence.snapshot import Snapshot, read_node_snapshot, registry_comparable
from harness.errors import ConvergenceTimeout
from harness.runtime.nodes import ComputeNode
from harness.runtime.topology import Topology
from harness.timeline import Convergence, Membership
from harness.waiting import SYSTEM_CLOCK, Clock, WaitTimeout, poll

__all__ = [
    "assert_converged",
    "assert_membership",
    "node_snapshot",
    "node_view",
    "wait_converged",
]


class _NodeReaders:
    """Keeps one connection per node across rounds; reads all nodes in parallel."""

    def __init__(
        self,
        topology: Topology,
        nodes: Sequence[ComputeNode],
        databases: list[str] | None,
        global_rules: bool,
    ) -> None:
        self._topology = topology
        self._nodes = list(nodes)
        self._databases = databases
        self._global_rules = global_rules
        self._conns: dict[str, SqlClient] = {}
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self._nodes)))

    def _read(self, node: ComputeNode) -> Snapshot:
        try:
            conn = self._conns.get(node.name)
            if conn is None:
                conn = node.sql(read_timeout=2)
                self._conns[node.name] = conn
            return read_node_snapshot(
                node.name,
                conn,
                self._topology.dialect,
                self._databases,
                global_rules=self._global_rules,
            )
        except (SqlError, OSError) as exc:
            bad = self._conns.pop(node.name, None)
            if bad is not None:
                bad.close()
            return Snapshot.unreadable(node.name, f"{type(exc).__name__}: {exc}")

    def __call__(self) -> list[Snapshot]:
        return list(self._pool.map(self._read, self._nodes))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for c in self._conns.values():
            c.close()


def _select(topology: Topology, nodes: Iterable[int] | None) -> list[ComputeNode]:
    if nodes is None:
        return list(topology.nodes)
    return [topology.node(i) for i in nodes]


# Upper bound on how stale the registry side may be should a watch miss an event.
REGISTRY_REREAD_S = 1.0
# The longest pause between rounds once nothing has changed for a while (see converge).
POLL_CEILING_S = 0.5


class _RegistrySide:
    """The registry as the reference all nodes must agree with. It is re-read when its watch
    reports a change (which also wakes the wait) or after REGISTRY_REREAD_S, not every round."""

    def __init__(
        self, topology: Topology, namespace: str, databases: list[str] | None, global_rules: bool
    ) -> None:
        kind = topology.spec.registry
        assert kind is not None
        self._reader = topology.registry_reader()
        self._root = topology.dialect.registry_root(kind, namespace)
        self._dialect = topology.dialect
        self._databases = databases
        self._global_rules = global_rules
        self._woken = threading.Event()
        self._dirty = threading.Event()
        self._dirty.set()
        self._last = Snapshot.unreadable(REGISTRY_SOURCE, "not read yet")
        self._read_at = 0.0
        # Only what read() reads: a watch on the whole namespace mirrored every key of it
        # (1,349 in a suite's topology: node states, statistics), ~2,700 requests at each
        # check's start, and its reads queued behind them.
        watched = (
            [f"{self._root}/metadata"]
            if databases is None
            else [f"{self._root}/metadata/{db}" for db in databases]
        )
        if global_rules:
            watched += [f"{self._root}/rules", f"{self._root}/props"]
        # The registry's keys at the last read (registry_comparable: of the global ones,
        # only those it holds compare).
        self._held: frozenset[str] = frozenset()
        self._cancels = [self._reader.watch(path, self._changed) for path in watched]

    def _changed(self) -> None:
        self._dirty.set()
        self._woken.set()

    def read(self) -> Snapshot:
        now = time.monotonic()
        if not self._dirty.is_set() and now - self._read_at < REGISTRY_REREAD_S:
            return self._last
        self._dirty.clear()  # before reading: a change during the read marks it dirty again
        self._read_at = now
        try:
            dbs = self._databases
            if dbs is None:
                # As the nodes' side lists them: 5.5 keeps its system databases here too, and
                # its nodes' SHOW DATABASES rows for them are not logical databases.
                dbs = self._dialect.user_databases(self._reader.children(f"{self._root}/metadata"))
            self._last = read_registry_snapshot(
                self._reader, self._root, dbs, self._dialect, global_rules=self._global_rules
            )
            self._held = frozenset(k for k, _ in self._last.entries)
        except Exception as exc:  # noqa: BLE001 - any reader failure is an unreadable registry
            self._dirty.set()
            self._last = Snapshot.unreadable(REGISTRY_SOURCE, f"{type(exc).__name__}: {exc}")
        return self._last

    def comparable(self, key: str) -> bool:
        """Keys a node and the registry must agree on, as of the last read."""
        return registry_comparable(key, self._held)

    def sleep(self, seconds: float) -> None:
        self._woken.wait(seconds)
        self._woken.clear()

    def close(self) -> None:
        for cancel in self._cancels:
            cancel()
        self._reader.close()


def wait_converged(
    topology: Topology,
    *,
    timeout: float = 30.0,
    databases: Iterable[str] | None = None,
    nodes: Iterable[int] | None = None,
    expect: Expectation | None = None,
    stable: float = 0.3,
    interval: float = 0.05,
    registry: bool = True,
    since: float | None = None,
    global_rules: bool = False,
    max_interval: float | None = POLL_CEILING_S,
) -> ConvergenceResult:
    """Wait until every selected node serves the same metadata (for ``databases``, default
    all) for ``stable`` seconds, agreeing with the registry's active configuration (cluster
    mode, unless ``registry=False``), and ``expect`` holds on it. ``global_rules`` adds the
    global configuration to what must agree: the SQL parser rule (``global/sql_parser/...``)
    and the props (``global/props/<name>``; with the registry, those it holds);
    ``databases=[]`` with it compares those alone.

    Never raises on timeout: see ``result.converged`` and ``result.explain()``; use
    :func:`assert_converged` to fail. ``timeout``, ``stable`` and ``interval`` are seconds;
    rounds are ``interval`` apart while anything changes, and up to ``max_interval`` (0.5 s)
    apart once nothing has for a while (a fifth of the time since the last change), so a long
    wait does not keep the nodes busy answering; ``max_interval=None`` keeps every round
    ``interval`` apart (a measurement that wants that resolution throughout).

    Latency counts from ``since`` (a ``time.monotonic()`` value), else from the last change
    ``LogicalDatabase`` committed and no wait has counted from yet, else from this call; each
    node's figure is the interval its reads allow (``result.first_seen``).

    Example: ``r = wait_converged(topology, databases=[harness_db.name], timeout=10)``.
    """
    selected = _select(topology, nodes)
    dbs = sorted(databases) if databases is not None else None
    readers = _NodeReaders(topology, selected, dbs, global_rules)
    side: _RegistrySide | None = None
    if registry and topology.spec.registry is not None:
        namespace = selected[0].namespace or topology.spec.namespace
        side = _RegistrySide(topology, namespace, dbs, global_rules)
    try:
        result = converge(
            readers,
            timeout=timeout,
            stable=stable,
            interval=interval,
            max_interval=max_interval,
            expect=expect,
            reference=side.read if side else None,
            comparable=side.comparable if side else registry_comparable,
            sleep=side.sleep if side else None,
            origin=since if since is not None else topology.take_commit(),
        )
    finally:
        readers.close()
        if side is not None:
            side.close()
    seen = result.first_seen
    topology.record(
        Convergence(
            converged=result.converged,
            waited_ms=round(result.waited * 1000),
            # From the origin: upper bounds, and the lower bounds of the same intervals.
            latency_ms={k: round(v.by * 1000) for k, v in seen.items()},
            after_ms={k: round(v.after * 1000) for k, v in seen.items()},
            first_read=sorted(k for k, v in seen.items() if v.at_first_read),
            read_ms=round(result.read_cost * 1000),
            origin_lead_ms=round(result.origin_lead * 1000),
        )
    )
    return result


def assert_converged(
    topology: Topology,
    *,
    timeout: float = 30.0,
    databases: Iterable[str] | None = None,
    nodes: Iterable[int] | None = None,
    expect: Expectation | None = None,
    stable: float = 0.3,
    registry: bool = True,
    since: float | None = None,
    global_rules: bool = False,
) -> ConvergenceResult:
    """As :func:`wait_converged`, but raise ConvergenceTimeout (with the diff) on timeout.

    Example: ``assert_converged(topology, databases=[harness_db.name],
    expect=harness_db.has("storage_unit/ds_0"))``.
    """
    return raise_unless(
        wait_converged(
            topology,
            timeout=timeout,
            databases=databases,
            nodes=nodes,
            expect=expect,
            stable=stable,
            registry=registry,
            since=since,
            global_rules=global_rules,
        )
    )


def node_snapshot(
    topology: Topology,
    index: int,
    databases: Iterable[str] | None = None,
    *,
    global_rules: bool = False,
) -> Snapshot:
    """One node's snapshot, read now (no waiting, no registry); ``global_rules`` as in
    :func:`wait_converged`.

    Example: ``node_snapshot(topology, 2, [harness_db.name]).render()``.
    """
    node = topology.node(index)
    with node.sql(read_timeout=5) as conn:
        return read_node_snapshot(
            node.name,
            conn,
            topology.dialect,
            sorted(databases) if databases is not None else None,
            global_rules=global_rules,
        )


def node_view(topology: Topology, index: int, databases: Iterable[str] | None = None) -> Snapshot:
    """``node_snapshot``, but a node that cannot be read now (down, paused, cut from its
    client link, refusing) is an unreadable snapshot (``snapshot.error`` says why) instead of
    an error, for callers that only ask what a node serves.

    Example: ``node_view(topology, 1, [db.name]).serves(db.name)``.
    """
    try:
        return node_snapshot(topology, index, databases)
    except (SqlError, OSError) as exc:
        return Snapshot.unreadable(f"node-{index}", str(exc))


def online_compute_nodes(topology: Topology, via: int | None = None) -> set[str]:
    """Instance ids the registry lists as online, read through one live node."""
    node = topology.node(via) if via is not None else topology.nodes[0]
    with node.sql(read_timeout=5) as conn:
        rows = conn.query(topology.dialect.show_compute_nodes())
    return {topology.dialect.member_id(r) for r in rows}


def assert_membership(
    topology: Topology,
    *,
    expected: Iterable[int] | None = None,
    timeout: float = 30.0,
    via: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> set[str]:
    """Wait until the online compute nodes in the registry are exactly the live nodes (or the
    nodes ``expected``); raise ConvergenceTimeout naming the extra and missing ones.
    ``timeout`` is seconds; ``via`` is the node asked (default: the first).

    Example: ``assert_membership(topology, expected=[0, 1], via=0)`` after node 2 stopped.
    """
    want = (
        {topology.node(i).instance_id for i in expected}
        if expected is not None
        else {n.instance_id for n in topology.nodes}
    )
    seen: set[str] = set()

    def check() -> set[str] | None:
        nonlocal seen
        seen = online_compute_nodes(topology, via)
        return seen if seen == want else None

    started = clock.now()

    def record(converged: bool) -> None:
        waited = round((clock.now() - started) * 1000)
        topology.record(Membership(converged=converged, waited_ms=waited, online=sorted(seen)))

    try:
        found = poll(
            check, timeout=timeout, what="membership", clock=clock, retry_on=(SqlError, OSError)
        )
    except WaitTimeout:
        record(False)
        raise ConvergenceTimeout(
            f"membership did not converge within {timeout:.1f}s: registry lists "
            f"{sorted(seen)}, live nodes are {sorted(want)}; extra {sorted(seen - want)}, "
            f"missing {sorted(want - seen)}"
        ) from None
    record(True)
    return found
