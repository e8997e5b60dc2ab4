"""Randomised fault schedules on a real topology: Hypothesis stateful testing, Jepsen-style.

Each example is a schedule: metadata changes through any node (create and drop a database,
register a storage unit, create, alter and drop a sharding rule, or a unit and a rule in one
step) interleaved with faults from the catalog (cut or slow a node's registry link, isolate a
node until the registry drops it, pause, kill or stop a node, a registry outage, a node
joining and removed again when it heals), and pauses in the workload (``settle``: until the
nodes no fault touches agree). A fault of ``steps`` k lasts through the next k metadata
changes and heals before the one after (or when the example ends).
Once everything is healed the example checks:

- the nodes converge to the registry within a bound, and membership matches the live nodes;
- a change that returned success is there on every node (a dropped database is gone); one
  that returned an error or timed out may be there or not, but the nodes agree on it.

Each failure has a signature (harness.chaos_signature: what differs, and which way). A run
can be told the signatures of known behaviour (``known``): an example failing only so is
recorded, reported as a ``ChaosKnownBehaviour`` warning with its shortest schedule, and the
run keeps looking for what is not known, instead of stopping at the first known failure.

A failing example is shrunk by Hypothesis on the same topology (reset between examples: every
fault healed, every database the example created dropped), within the time budget; the result
is the minimal schedule, printed as readable steps and as a ready-to-paste pytest scenario,
with the seed that replays the run (``--harness-chaos-seed``). Hypothesis's example database
replays the failure first next time.
"""

from __future__ import annotations

import contextlib
import random
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import hypothesis
import hypothesis.errors
from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.internal.conjecture import engine
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from harness.chaos_examples import ResumableExamples
from harness.chaos_signature import (
    ALTERED_THROUGH_CUT,
    CHANGED_THROUGH_CUT,
    DEAF,
    JOIN_FAILED,
    MEMBERSHIP,
    divergence,
    hunted,
    known_reason,
    lost,
)
from harness.convergence.api import (
    assert_membership,
    node_view,
    online_compute_nodes,
    wait_converged,
)
from harness.convergence.loop import ConvergenceResult
from harness.convergence.snapshot import PARSE_TREE_CAPACITY, Snapshot
from harness.diagnostics import dump_state, folder_name
from harness.errors import ConvergenceTimeout, SpecError
from harness.faults.catalog import cut, latency
from harness.faults.controller import ActiveFault, Faults
from harness.faults.hygiene import leftovers, repair
from harness.runtime.nodes import ComputeNode
from harness.runtime.topology import Topology
from harness.runtime.wiring import storage_address
from harness.timeline import Note
from harness.waiting import WaitTimeout, poll

__all__ = [
    "CHANGES",
    "FAULTS",
    "ChaosFailure",
    "ChaosKnownBehaviour",
    "ChaosRunner",
    "ChaosSettings",
    "TopologyBroken",
    "chaos_machine",
    "parse_changes",
    "parse_faults",
    "run_chaos",
]

TABLE = "t_order"
UNIT = "ds_0"
MAX_FAULTS = 2  # faults on at once
PROBE_S = 15.0  # how long a new database may take to reach every node once all is healed
CLEAR_S = 5.0  # how long the reset's drops may take to leave no node holding one
SETTLE_S = 5.0  # how long a settle step waits at most for the unfaulted nodes to agree
# Rounds of drops; before each after the first, the nodes holding one restart (once they have,
# a copy the registry keeps is deleted with every node stopped). Four: on 5.1.1 (seed 40) a
# peer took the database back as the registry deleted it, after the third round's drops.
CLEAR_TRIES = 4
# Faults on a node that make another fault on it meaningless: (fault kind, why skipped).
DOWN = (("kill", "is down"), ("stop", "is down"))
LINKED = (("cut", "is cut"), ("latency", "has a slowed registry link"))
# The metadata-change steps a run may draw (ChaosSettings.changes picks some, as a Jepsen test
# picks its workload): every one but the global rule's acts on a database the schedule created.
CHANGES = (
    "create_database",
    "drop_database",
    "register_unit",
    "create_rule",
    "set_up_sharding",
    "drop_rule",
    "alter_global_rule",
)
# The fault steps a run may draw (ChaosSettings.faults picks some, as a Jepsen test picks its
# nemeses): a run on fewer kinds meets each kind's interleavings with the changes more often.
FAULTS = (
    "cut_registry",
    "slow_registry",
    "isolate_node",
    "pause_node",
    "kill_node",
    "remove_node",
    "add_node",
    "registry_outage",
)


def _picked(text: str, kind: str, allowed: tuple[str, ...], example: str) -> tuple[str, ...]:
    """A comma-separated list of step names (empty: all), each one of ``allowed``."""
    picked = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in picked if p not in allowed]
    if unknown:
        raise SpecError(
            f"--harness-chaos-{kind}",
            ",".join(unknown),
            f"a comma-separated list of {', '.join(allowed)} (empty: all)",
            f"drop {', '.join(unknown)}, e.g. --harness-chaos-{kind}={example}",
        )
    return picked


def parse_faults(text: str) -> tuple[str, ...]:
    """``--harness-chaos-faults``'s value (comma-separated fault steps; empty: all) checked
    against FAULTS, before any container starts."""
    return _picked(text, "faults", FAULTS, "cut_registry,pause_node")


def parse_changes(text: str) -> tuple[str, ...]:
    """``--harness-chaos-changes``'s value (comma-separated change steps; empty: all) checked
    against CHANGES, before any container starts."""
    picked = _picked(text, "changes", CHANGES, "create_database,set_up_sharding")
    on_database = [p for p in picked if p not in ("create_database", "alter_global_rule")]
    if on_database and "create_database" not in picked:
        raise SpecError(
            "--harness-chaos-changes",
            text,
            "steps that act on a database come with create_database (the schedule's "
            "databases are the ones it created)",
            f"add create_database, e.g. --harness-chaos-changes=create_database,{text}",
        )
    return picked


def _holds(snapshot: Mapping[str, str], key: str) -> bool:
    """Whether a snapshot's keys hold ``key`` or anything under it."""
    return any(k == key or k.startswith(key + "/") for k in snapshot)


def _has_unit(snap: Snapshot, name: str, *, unit: bool = True) -> bool:
    """Whether ``snap`` serves database ``name`` (and, with ``unit``, the storage unit UNIT
    in it)."""
    held = not unit or _holds(snap.as_dict(), f"database/{name}/storage_unit/{UNIT}")
    return snap.serves(name) and held


def _never(_machine: object) -> bool:
    """The precondition of a step the run was not given (ChaosSettings.faults, .changes)."""
    return False


@dataclass(frozen=True)
class ChaosSettings:
    """One chaos run: ``examples`` schedules of up to ``steps`` steps, stopping new examples
    once ``budget_s`` seconds have passed; ``seed`` replays a run; a healed topology must
    converge within ``converge_s`` seconds; a DistSQL statement may take ``statement_s``.
    ``known`` maps failure-signature patterns (shell wildcards over
    harness.chaos_signature's parts) to the reason they are known: such failures are
    recorded and the run goes on. ``hunt`` patterns name known behaviour to shrink anyway: a
    failure with a part matching one is a finding (the run stops at it and shrinks it). The
    reset between examples clears the state a failure left: with ``evidence`` (a folder) set,
    every node's snapshot and the registry dump are saved first, in ``<kind>/`` for the
    shortest example of each kind, and the failure names the folder (the ``chaos`` fixture
    saves them under the run's report folder), and ``progress.log`` gets a line per example
    (its outcome). ``faults`` names the fault steps the
    schedules may draw (FAULTS; empty: all), ``changes`` the metadata-change steps (CHANGES;
    empty: all; the database steps need create_database)."""

    examples: int = 5
    steps: int = 10
    budget_s: float = 600.0
    seed: int | None = None
    converge_s: float = 60.0
    statement_s: float = 20.0
    known: Mapping[str, str] = field(default_factory=dict)
    hunt: tuple[str, ...] = ()
    evidence: Path | None = None
    faults: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("examples", "steps", "budget_s", "converge_s", "statement_s"):
            value, option = getattr(self, name), name.removesuffix("_s")
            if not value > 0:
                whole = name in ("examples", "steps")
                raise SpecError(
                    f"--harness-chaos-{option} ({name})",
                    value,
                    "a positive whole number" if whole else "a positive number of seconds",
                    f"pass e.g. --harness-chaos-{option}={getattr(type(self), name):g}",
                )
        parse_faults(",".join(self.faults))
        parse_changes(",".join(self.changes))
        # A read-only copy: the caller's dict may change after, and settings are shared.
        object.__setattr__(self, "known", MappingProxyType(dict(self.known)))


class ChaosFailure(AssertionError):
    """A schedule broke an invariant; the message has the minimal schedule and the seed."""


class ChaosKnownBehaviour(UserWarning):
    """A chaos run met known behaviour (it kept looking): the signature, the reason it is
    known, how many examples showed it and the shortest schedule that did."""


class ChaosRunner(Protocol):
    """The ``chaos`` fixture: run the schedules; the number of examples run."""

    def __call__(self, *, known: Mapping[str, str] | None = None) -> int: ...


class _Violation(AssertionError):
    """An invariant broken after every fault healed, with the failure's signature."""

    def __init__(self, message: str, signature: list[str]) -> None:
        super().__init__(message)
        self.signature = signature


class TopologyBroken(BaseException):
    """The topology could not be brought back between examples: the run stops (a later
    example would fail for what an earlier one left, and shrink to the wrong schedule)."""


class _BudgetSpent(BaseException):
    """Raised when an example would start after the budget: not an Exception, so Hypothesis
    lets it through instead of counting it as a failure (no data depends on the clock)."""


@dataclass
class Step:
    """One step of a schedule: the machine's method, its arguments, and what happened."""

    method: str
    args: dict[str, Any]
    said: str

    def call(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"state.{self.method}({args})"


@dataclass
class Database:
    """What the model knows of one chaos database: per object, True (must be there), False
    (must be gone) or None (the statement failed or timed out: either is fine)."""

    name: str
    physical: str
    exists: bool | None = None
    unit: bool | None = None
    rule: bool | None = None
    unannounced: bool = False  # created through a node cut from the registry
    # Objects ("database", "storage unit", "rule") whose last change that answered OK went
    # through a node cut from the registry (or in an outage): 5.1.x may persist none of it.
    via_cut: set[str] = field(default_factory=set)

    def changed(self, what: str, done: bool | None, through_cut: bool) -> None:
        """A change of ``what`` answered ``done``, sent through a cut node or not."""
        if done:
            (self.via_cut.add if through_cut else self.via_cut.discard)(what)


@dataclass
class _Run:
    """Shared by every example of one run: the budget and the last example's steps."""

    started: float = field(default_factory=time.monotonic)
    examples: int = 0
    last_steps: list[Step] = field(default_factory=list)
    # Per kind of failure (its signature): the shortest schedule seen failing so, and the
    # message. Hypothesis ends by replaying each distinct failure's minimal schedule.
    failures: dict[str, tuple[list[Step], str]] = field(default_factory=dict)
    # Known behaviour met (signature: reason, examples showing it, shortest schedule).
    known: dict[str, tuple[str, int, list[Step]]] = field(default_factory=dict)
    broken: str = ""  # why the topology could not be reset, if it could not
    # An example was refused for the budget: whatever Hypothesis then raises (a replay that
    # stopped early shows as flaky, not always with _BudgetSpent as its context).
    spent: bool = False


def chaos_machine(
    topology: Topology, settings: ChaosSettings, run: _Run | None = None
) -> type[RuleBasedStateMachine]:
    """A state machine class bound to ``topology`` (one instance per example)."""
    shared = run or _Run()
    nodes = st.sampled_from([n.index for n in topology.nodes])
    durations = st.integers(min_value=1, max_value=3)
    has_registry = topology.spec.registry is not None
    durable = topology.spec.mode != "memory"
    clustered = topology.spec.mode == "cluster"
    ttl = int(topology.spec.props.get("timeToLiveSeconds", 60))

    class Chaos(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            if time.monotonic() - shared.started > settings.budget_s:
                shared.spent = True
                raise _BudgetSpent
            shared.examples += 1
            self.topology = topology
            self.faults = Faults.of(topology)
            self.dialect = topology.dialect
            self.dbs: dict[str, Database] = {}
            # The SQL parser rule's last capacity set with success (None: none this example,
            # or the last ALTER failed or timed out, so either value is fine).
            self.parser: int | None = None
            # An ALTER of it was sent through a node cut from the registry (or in an outage),
            # whatever it answered: 5.1.1 kept one that answered an error on that node.
            self.parser_through_cut = False
            # The last ALTER that answered OK went through such a node (never persisted there).
            self.parser_set_through_cut = False
            self.active: list[tuple[ActiveFault, int]] = []
            self.heal_failed: list[str] = []  # what harness could not heal (not a finding)
            self.join_failed: list[str] = []  # nodes that could not boot (a finding)
            self.deaf: list[int] = []  # nodes a new change no longer reached (restarted)
            # Per faulted node, the databases it served when its latest fault began: a
            # change it misses then is to a database it knew, or to one new to it.
            self.served_before: dict[str, set[str]] = {}
            self.steps: list[Step] = []
            shared.last_steps = self.steps
            topology.record(Note(f"chaos example {shared.examples}"))

        # -- bookkeeping ---------------------------------------------------------------
        def _step(self, method: str, args: dict[str, Any], said: str) -> None:
            self.steps.append(Step(method, args, said))
            topology.record(Note(f"chaos: {said}"))

        def _tick(self) -> None:
            """Before each metadata change: heal the faults that have lasted their changes,
            and count this change against the rest. A fault of ``steps`` k is on during the
            next k changes, however many other faults are injected meanwhile (as a Jepsen
            nemesis runs beside the clients' operations): no fault passes without a change
            to act on."""
            still = []
            for fault, left in self.active:
                if left > 0:
                    still.append((fault, left - 1))
                    continue
                try:
                    self.faults.heal(fault)
                except Exception as exc:  # noqa: BLE001 - the example stops the run (teardown)
                    topology.record(Note(f"chaos: healing {fault.what} failed: {exc}"))
                    self.heal_failed.append(f"{fault.what}: {exc}")
            self.active = still

        def _sql(self, via: int, statement: str, database: str | None = None) -> bool | None:
            """True: it returned success; None: an error or a timeout (either outcome)."""
            try:
                with topology.node(via).sql(database, read_timeout=settings.statement_s) as c:
                    c.execute(statement)
            # Real systems answer differently from run to run; a rule never raises, so the
            # schedule Hypothesis draws does not depend on them (only the final checks do).
            except Exception:  # noqa: BLE001
                return None
            return True

        # -- metadata changes, through any node ---------------------------------------
        # ``tag`` varies the name: 5.1.x's replay order after a reconnect follows the hash of
        # the database's paths, so one fixed name can never meet the race that a random name
        # meets 7 times in 8 (chaos_0: 0 of 8, on 5.1.1). Drawn, so a seed replays it.
        @rule(via=nodes, tag=st.integers(min_value=0, max_value=99))
        def create_database(self, via: int, tag: int) -> None:
            self._tick()
            name = f"chaos_{len(self.dbs)}_{tag}"
            db = self.dbs[name] = Database(name, f"ds_{name}")
            self._physical(db, create=True)
            # Through a node cut from the registry (or during an outage): 5.1.x answers OK and
            # keeps it on that node; its peers first hear of it from a later write to it.
            db.unannounced = self._through_cut(via)
            db.exists = self._sql(via, self.dialect.create_database(name))
            db.changed("database", db.exists, db.unannounced)
            said = f"node-{via}: create {name}: {db.exists}"
            self._step("create_database", {"via": via, "tag": tag}, said)

        @precondition(lambda self: bool(self.dbs))
        @rule(via=nodes, pick=st.integers(min_value=0))
        def drop_database(self, via: int, pick: int) -> None:
            self._tick()
            db = self._pick(pick)
            # Without IF EXISTS: a node that has not heard of the database yet (DistSQL
            # returns before peers refresh, apache/shardingsphere#24366) refuses the drop
            # instead of answering ok for a drop it did not make.
            done = self._sql(via, self.dialect.drop_database(db.name, if_exists=False))
            db.exists = False if done else None
            db.unit = db.rule = None if not done else False
            db.changed("database", done, self._through_cut(via))
            said = f"node-{via}: drop {db.name}: {done}"
            self._step("drop_database", {"via": via, "pick": pick}, said)

        def _register(self, via: int, db: Database) -> bool | None:
            host, port = storage_address(0)
            admin = topology.storage[0].admin
            sql = self.dialect.register_storage_unit(
                UNIT, host=host, port=port, db=db.physical, user=admin.user, password=admin.password
            )
            done = self._sql(via, sql, db.name)
            db.unit = True if done and db.exists else None
            db.changed("storage unit", done, self._through_cut(via))
            return done

        def _create_rule(self, via: int, db: Database, alter: bool) -> bool | None:
            sql = self.dialect.create_sharding_table_rule(
                TABLE, [UNIT], "order_id", 8 if alter else 4
            )
            if alter:
                sql = sql.replace("CREATE SHARDING", "ALTER SHARDING", 1)
            done = self._sql(via, sql, db.name)
            if not alter:
                db.rule = True if done and db.unit else None
                db.changed("rule", done, self._through_cut(via))
            return done

        @precondition(lambda self: bool(self.dbs))
        @rule(via=nodes, pick=st.integers(min_value=0))
        def register_unit(self, via: int, pick: int) -> None:
            self._tick()
            db = self._pick(pick)
            done = self._register(via, db)
            said = f"node-{via}: register {UNIT} in {db.name}: {done}"
            self._step("register_unit", {"via": via, "pick": pick}, said)

        @precondition(lambda self: bool(self.dbs))
        @rule(via=nodes, pick=st.integers(min_value=0), alter=st.booleans())
        def create_rule(self, via: int, pick: int, alter: bool) -> None:
            self._tick()
            db = self._pick(pick)
            done = self._create_rule(via, db, alter)
            verb = "alter" if alter else "create"
            said = f"node-{via}: {verb} rule {TABLE} in {db.name}: {done}"
            self._step("create_rule", {"via": via, "pick": pick, "alter": alter}, said)

        # What a set-up script does: a storage unit, then a rule on it, in one step (so a
        # node cut for one step misses both, and replays them in whatever order it gets).
        @precondition(lambda self: bool(self.dbs))
        @rule(via=nodes, pick=st.integers(min_value=0))
        def set_up_sharding(self, via: int, pick: int) -> None:
            self._tick()
            db = self._pick(pick)
            unit = self._register(via, db)
            done = self._create_rule(via, db, alter=False) if unit else None
            said = f"node-{via}: register {UNIT} then create rule {TABLE} in {db.name}: {done}"
            self._step("set_up_sharding", {"via": via, "pick": pick}, said)

        @precondition(lambda self: bool(self.dbs))
        @rule(via=nodes, pick=st.integers(min_value=0))
        def drop_rule(self, via: int, pick: int) -> None:
            self._tick()
            db = self._pick(pick)
            done = self._sql(via, f"DROP SHARDING TABLE RULE {TABLE}", db.name)
            db.rule = False if done else None
            db.changed("rule", done, self._through_cut(via))
            said = f"node-{via}: drop rule {TABLE} in {db.name}: {done}"
            self._step("drop_rule", {"via": via, "pick": pick}, said)

        # A global rule: no database; every node and the registry must end on the last value.
        @rule(via=nodes)
        def alter_global_rule(self, via: int) -> None:
            self._tick()
            # New in every example and step, so a node left on an older value shows.
            capacity = 1000 + 100 * shared.examples + len(self.steps)
            through_cut = self._through_cut(via)
            done = self._sql(via, self.dialect.alter_sql_parser_rule(capacity))
            self.parser = capacity if done else None
            self.parser_through_cut |= through_cut
            self.parser_set_through_cut = bool(done) and through_cut
            said = f"node-{via}: alter the SQL parser rule (parse-tree cache {capacity}): {done}"
            self._step("alter_global_rule", {"via": via}, said)

        # A pause in the workload, as Jepsen's generators sleep between operations: without
        # it each step follows the last at once, so a node faulted next has often not heard
        # the change before it (5.1.x's replay-order race needs a database the cut node
        # served, then a storage unit and a rule it misses). Not a change: a fault lasts on
        # through it. It waits for the nodes no fault touches to agree with the registry on
        # the example's databases (at most SETTLE_S), not for a fixed time. Cluster mode only
        # (removed below elsewhere: nodes share no metadata to agree on). Never twice in a
        # row: the second would find the nodes agreeing already and only use up a step.
        @precondition(
            lambda self: (
                bool(self.dbs)
                and bool(self._quiet())
                and not self._outage()
                and not (self.steps and self.steps[-1].method == "settle")
            )
        )
        @rule()
        def settle(self) -> None:
            quiet = self._quiet()
            result = wait_converged(
                topology, databases=sorted(self.dbs), nodes=quiet, timeout=SETTLE_S, stable=0.2
            )
            agreed = "agree" if result.converged else f"did not agree within {SETTLE_S:g}s"
            said = f"settle: node-{', node-'.join(map(str, quiet))} {agreed}"
            self._step("settle", {}, said)

        def _quiet(self) -> list[int]:
            """The nodes no active fault is on."""
            faulted = {f.node for f, _ in self.active}
            return [n.index for n in topology.nodes if n.name not in faulted]

        def _pick(self, pick: int) -> Database:
            return list(self.dbs.values())[pick % len(self.dbs)]

        # -- faults, each lasting through 1-3 metadata changes ---------------------------
        def _fault(self, method: str, args: dict[str, Any], on: Callable[[], ActiveFault]) -> None:
            if "node" in args:
                self._note_served(int(args["node"]))
            elif method == "registry_outage":
                for n in topology.nodes:
                    self._note_served(n.index)
            try:
                fault = on()
            except Exception as exc:  # noqa: BLE001 - see _sql
                self._step(method, args, f"{method} could not be injected: {exc}")
                return
            self.active.append((fault, int(args["steps"])))
            self._step(method, args, f"{fault.what} for {args['steps']} step(s)")

        def _note_served(self, index: int) -> None:
            if not self.dbs:
                self.served_before[f"node-{index}"] = set()
                return
            if self._on(index, "pause"):
                return  # it would not answer; what it knew when paused stands
            snap = self._view(index, sorted(self.dbs))
            if snap is not None:  # a node down already: what it knew stands
                self.served_before[f"node-{index}"] = {n for n in self.dbs if snap.serves(n)}

        @precondition(lambda self: len(self.active) < MAX_FAULTS and has_registry)
        @rule(node=nodes, steps=durations)
        def cut_registry(self, node: int, steps: int) -> None:
            # Not on a cut link: healing either cut would end both (one Toxiproxy switch), while
            # the schedule said the other lasts on (a seed-21 run on 5.1.1 did that).
            how = lambda: self.faults.apply(node, cut("registry"))  # noqa: E731
            self._on_node("cut_registry", node, steps, how, (*DOWN, LINKED[0]))

        @precondition(lambda self: len(self.active) < MAX_FAULTS and has_registry)
        @rule(node=nodes, steps=durations)
        def slow_registry(self, node: int, steps: int) -> None:
            slow = latency(300, 50)
            how = lambda: self.faults.apply(node, slow)  # noqa: E731
            self._on_node("slow_registry", node, steps, how, (*DOWN, LINKED[1]))

        @precondition(lambda self: len(self.active) < MAX_FAULTS and not self._down())
        @rule(node=nodes, steps=durations)
        def pause_node(self, node: int, steps: int) -> None:
            self._fault(
                "pause_node", {"node": node, "steps": steps}, lambda: self.faults.pause(node)
            )

        # A killed or stopped memory-mode node loses its metadata by design: not a finding.
        # Nor is one that cannot boot while the registry is down (it fails fast by design):
        # node restarts and registry outages never overlap.
        def _may_take_down(self: Any) -> bool:
            return (
                len(self.active) < MAX_FAULTS
                and not self._down()
                and not self._outage()
                and durable
            )

        def _take_down(
            self, method: str, node: int, steps: int, how: Callable[[], ActiveFault]
        ) -> None:
            # Nor is one whose registry link is slowed: Toxiproxy's removal of a latency
            # toxic timed out on a killed node's link, and the node then could not boot.
            self._on_node(method, node, steps, how, LINKED)

        def _on_node(
            self,
            method: str,
            node: int,
            steps: int,
            how: Callable[[], ActiveFault],
            unless: tuple[tuple[str, str], ...],
        ) -> None:
            """Inject ``how`` on ``node``, or record the step as skipped when a fault of
            one of the ``unless`` kinds is on it already (kind, and why it is skipped)."""
            for kind, why in unless:
                if self._on(node, kind):
                    said = f"{method} skipped: node-{node} {why}"
                    self._step(method, {"node": node, "steps": steps}, said)
                    return
            self._fault(method, {"node": node, "steps": steps}, how)

        @precondition(_may_take_down)
        @rule(node=nodes, steps=durations)
        def kill_node(self, node: int, steps: int) -> None:
            self._take_down("kill_node", node, steps, lambda: self.faults.kill(node))

        # One outage at a time: a second one found the registry stopped already (409).
        @precondition(
            lambda self: (
                len(self.active) < MAX_FAULTS
                and has_registry
                and not self._restarts()
                and not self._outage()
            )
        )
        @rule(steps=st.integers(min_value=1, max_value=2))
        def registry_outage(self, steps: int) -> None:
            self._fault("registry_outage", {"steps": steps}, self.faults.registry_down)

        # Alone: the other nodes must answer while the registry drops this one.
        @precondition(lambda self: not self.active and has_registry and len(topology.nodes) > 1)
        @rule(node=nodes, steps=durations)
        def isolate_node(self, node: int, steps: int) -> None:
            """Cut from the registry until the registry drops the node (its session or
            lease expired): what a node away for longer than timeToLiveSeconds sees."""
            self._fault("isolate_node", {"node": node, "steps": steps}, lambda: self._isolate(node))

        def _isolate(self, node: int) -> ActiveFault:
            fault = self.faults.apply(node, cut("registry"))
            others = [n.index for n in topology.nodes if n.index != node]
            try:
                assert_membership(topology, expected=others, timeout=ttl + 20, via=others[0])
            except ConvergenceTimeout:
                topology.record(Note(f"chaos: node-{node} still online {ttl + 20}s after its cut"))
            return fault

        @precondition(_may_take_down)
        @rule(node=nodes, steps=durations)
        def remove_node(self, node: int, steps: int) -> None:
            """A node leaves (graceful stop) and rejoins when the fault heals."""
            self._take_down("remove_node", node, steps, lambda: self.faults.stop(node))

        @precondition(
            lambda self: (
                len(self.active) < MAX_FAULTS
                and has_registry
                and not self._scaled()
                and not self._outage()
            )
        )
        @rule(steps=durations)
        def add_node(self, steps: int) -> None:
            try:
                fault = self.faults.scale_out()
            except Exception as exc:  # noqa: BLE001 - a node that cannot boot is a finding
                self.join_failed.append(str(exc))
                first = (str(exc).splitlines() or [""])[0]
                self._step("add_node", {"steps": steps}, f"a node could not join: {first}")
                return
            self.active.append((fault, steps))
            self._step("add_node", {"steps": steps}, f"{fault.what} for {steps} step(s)")

        def _any(self, *kinds: str) -> bool:
            return any(f.fault in kinds for f, _ in self.active)

        def _scaled(self) -> bool:
            return self._any("scale-out")

        # A node cannot boot without its registry link (it fails fast by design), so a node
        # that is down is not cut, and a cut node is not taken down: such a step is skipped.
        def _on(self, node: int, *kinds: str) -> bool:
            return any(f.node == f"node-{node}" and f.fault in kinds for f, _ in self.active)

        def _outage(self) -> bool:
            return self._any("outage")

        def _through_cut(self, via: int) -> bool:
            """A change sent through ``via`` now reaches the registry through no link: the
            node is cut from it, or the registry is down."""
            return self._on(via, "cut") or self._outage()

        def _restarts(self) -> bool:
            """A node is killed or stopped: it boots again when that heals."""
            return self._any("kill", "stop")

        def _down(self) -> bool:
            """A node is paused or killed already (one at a time keeps a quorum of answers)."""
            return self._any("pause", "kill", "stop")

        # -- the invariants, once every fault is healed --------------------------------
        def teardown(self) -> None:
            try:
                self.faults.heal_all()
                self.active = []
                if self.heal_failed:
                    # The checks would blame the engine for what harness left broken.
                    shared.broken = f"in example {shared.examples}: healing " + "; ".join(
                        self.heal_failed
                    )
                    raise TopologyBroken
                if self.join_failed:
                    raise _Violation(
                        "a node added during the schedule did not boot:\n"
                        + "\n".join(self.join_failed),
                        [JOIN_FAILED],
                    )
                self._check()
                self._progress("ok")
            except _Violation as exc:
                kind = " + ".join(exc.signature)
                reason = None
                if not hunted(exc.signature, settings.hunt):
                    reason = known_reason(exc.signature, settings.known)
                if reason is not None:
                    self._known(kind, reason)
                    self._progress(f"known behaviour: {kind}")
                    return
                self._progress(f"FAILURE: {kind}")
                seen = shared.failures.get(kind)
                if seen is None or len(self.steps) <= len(seen[0]):
                    shared.failures[kind] = (list(self.steps), str(exc) + self._evidence(kind))
                raise
            finally:
                self._reset()

        def _progress(self, outcome: str) -> None:
            """One line per example in ``progress.log`` beside the evidence (``tail -f`` it
            during a long hunt: the run itself prints nothing until it ends)."""
            if settings.evidence is None:
                return
            took = time.monotonic() - shared.started
            line = f"{took:7.0f}s  example {shared.examples}: {len(self.steps)} steps: {outcome}\n"
            with contextlib.suppress(OSError):
                settings.evidence.mkdir(parents=True, exist_ok=True)
                with (settings.evidence / "progress.log").open("a") as log:
                    log.write(line)

        def _evidence(self, kind: str) -> str:
            """Save the state this failure left before the reset clears it; where, said."""
            if settings.evidence is None:
                return ""
            dest = settings.evidence / folder_name(kind, 80)
            try:
                dump_state(topology, dest)
                topology.collect_logs(dest)
            except Exception as exc:  # noqa: BLE001 - the failure itself matters more
                return f"\n(state not saved: {exc})"
            return f"\nnode snapshots and registry dump at the failure: {dest}"

        def _known(self, kind: str, reason: str) -> None:
            topology.record(Note(f"chaos: known behaviour ({kind}): {reason}"))
            _, count, shortest = shared.known.get(kind, (reason, 0, list(self.steps)))
            if len(self.steps) < len(shortest):
                shortest = list(self.steps)
            shared.known[kind] = (reason, count + 1, shortest)

        def _check(self) -> None:
            names = sorted(self.dbs)
            result = wait_converged(
                topology,
                databases=names,
                timeout=settings.converge_s,
                stable=0.5,
                global_rules=clustered,
            )
            if not result.converged:
                raise _Violation(
                    f"after every fault healed, the nodes did not converge:\n{result.explain()}",
                    divergence(
                        result,
                        self.served_before,
                        [d.name for d in self.dbs.values() if d.unannounced],
                        global_through_cut=self.parser_through_cut,
                    ),
                )
            snapshot = result.snapshot.as_dict()

            def there(key: str) -> bool:
                if key.endswith("/exists"):
                    return snapshot.get(key) == "yes"
                return _holds(snapshot, key)

            missing: list[str] = []
            signature: set[str] = set()
            for db in self.dbs.values():
                base = f"database/{db.name}"
                for what, expected, key in (
                    ("database", db.exists, f"{base}/exists"),
                    ("storage unit", db.unit, f"{base}/storage_unit/{UNIT}"),
                    ("rule", db.rule, f"{base}/sharding_table_rule/{TABLE}"),
                ):
                    if expected is None:
                        continue
                    if there(key) != expected:
                        state = "missing" if expected else "still there"
                        missing.append(f"{db.name}: {what} {state} (the statement returned ok)")
                        part = lost(what, state)
                        signature.add(
                            f"{part} {CHANGED_THROUGH_CUT}" if what in db.via_cut else part
                        )
            parser = snapshot.get(PARSE_TREE_CAPACITY)
            if clustered and self.parser is not None and parser != str(self.parser):
                missing.append(
                    f"global rule: {PARSE_TREE_CAPACITY} is {parser}, not the last value set, "
                    f"{self.parser} (the statement returned ok)"
                )
                part = lost("global rule", "not the last value")
                signature.add(
                    f"{part} {ALTERED_THROUGH_CUT}" if self.parser_set_through_cut else part
                )
            if missing:
                raise _Violation(
                    "a change that returned success is lost or undone:\n  " + "\n  ".join(missing),
                    sorted(signature),
                )
            if has_registry:  # nodes without a registry do not know each other
                try:
                    assert_membership(topology, timeout=settings.converge_s)
                except ConvergenceTimeout as exc:
                    raise _Violation(str(exc), [MEMBERSHIP]) from None
            if clustered:
                self._hears()

        def _hears(self) -> None:
            """Liveness: a new change still reaches every node. Agreeing on the state so far
            is not enough: a node whose watch died serves what it had and fails a later
            example instead (a 5.1.0 run saw a peer miss every database of the next one).
            The probe is a new database and a storage unit in it: 5.1.x watches a database's
            creation and its configuration apart, and after a 5.1.1 run's many cuts peers
            missed the storage units of later examples, with no fault in them. A node that
            misses the probe misses a second one before it counts: 5.5.2's CREATE DATABASE
            race loses about 3 in 100 creations on ZooKeeper."""
            missed: set[int] = {n.index for n in topology.nodes}
            for attempt in range(2):
                name = f"chaos_probe_{attempt}"
                probed = [n.index for n in topology.nodes if n.index in missed]
                probe = Database(name, f"ds_{name}")
                try:
                    # The second probe goes through another node, so one that cannot write
                    # does not pass for peers that cannot hear.
                    via = topology.nodes[attempt % len(topology.nodes)].index
                    self._physical(probe, create=True)
                    probe.exists = self._sql(via, self.dialect.create_database(name))
                    # 5.5.x applies even its own CREATE through the registry: a REGISTER
                    # sent at once can meet "unknown database" (a 5.5.2 run under load did).
                    self._until_served(via, name)
                    # Without a storage unit (its REGISTER failed), the database alone.
                    unit = bool(self._register(via, probe))
                    result = wait_converged(
                        topology,
                        databases=[name],
                        timeout=PROBE_S,
                        stable=0.1,
                        expect=partial(_has_unit, name=name, unit=unit),
                    )
                    if result.converged:
                        return
                    missed &= {i for i in probed if not self._probed(i, name, unit=unit)}
                finally:
                    self._drop_everywhere(name)
                    self._physical(probe, create=False)
                if not missed:
                    return
            self.deaf = sorted(missed)
            raise _Violation(
                "after every fault healed, a new database and a storage unit in it did not "
                "reach "
                + ", ".join(f"node-{i}" for i in self.deaf)
                + f" within {PROBE_S:.0f}s (two tries): it no longer hears changes",
                [DEAF],
            )

        def _until_served(self, index: int, name: str) -> None:
            """Wait (bounded) until node ``index`` serves database ``name``."""

            def served() -> bool | None:
                return True if self._probed(index, name, unit=False) else None

            with contextlib.suppress(WaitTimeout):
                poll(served, timeout=PROBE_S, what=f"node-{index} to serve {name}")

        def _probed(self, index: int, name: str, *, unit: bool) -> bool:
            """Whether node ``index`` serves the probe database (and ``unit``: its storage
            unit)."""
            snap = self._view(index, [name])  # unreadable counts as not serving it
            return snap is not None and _has_unit(snap, name, unit=unit)

        def _physical(self, db: Database, *, create: bool) -> None:
            """Create or drop ``db``'s database in every storage (errors ignored)."""
            verb = "CREATE DATABASE IF NOT EXISTS" if create else "DROP DATABASE IF EXISTS"
            for s in topology.storage:
                with contextlib.suppress(Exception), s.sql() as c:
                    c.execute(f"{verb} `{db.physical}`")

        def _view(self, index: int, names: list[str]) -> Snapshot | None:
            """The node's snapshot of ``names``, or None if it cannot be read now."""
            try:
                snap = node_view(topology, index, names)
            except Exception:  # noqa: BLE001 - any failure to read means the same here
                return None
            return snap if snap.error is None else None

        def _reset(self) -> None:
            """Drop what the example created and bring every container back, so the next
            example starts from a clean topology; TopologyBroken if it cannot be."""
            try:
                repair(topology)
                left = leftovers(topology)
            except Exception as exc:  # noqa: BLE001 - reported as the run's finding
                left = [f"repair failed: {exc}"]
            if not left and self.deaf:
                # Online, so _rejoin would keep it: the next example must not inherit it.
                try:
                    for index in self.deaf:
                        self.faults.restart(index)
                except Exception as exc:  # noqa: BLE001 - reported as the run's finding
                    left = [f"restarting a node that no longer heard changes: {exc}"]
            if not left and has_registry:
                left = self._rejoin()
            if not left:
                left = self._clear(sorted(self.dbs))
            if left:
                self._progress("the topology could not be brought back")
                # What the nodes and the registry say now (a node that cannot boot: its log,
                # the registry's) is the only evidence of why; the teardown removes it.
                evidence = self._evidence("the topology could not be brought back")
                shared.broken = f"after example {shared.examples}: " + "; ".join(left) + evidence
                raise TopologyBroken
            for db in self.dbs.values():
                self._physical(db, create=False)

        def _clear(self, names: list[str]) -> list[str]:
            """Drop the example's databases and check that no node and not the registry holds
            one: the next example reuses the names, and a leftover would fail its CREATE and
            pass for a finding of its own (a 5.1.1 run shrank such a failure to a schedule
            without a fault). While one is left, the nodes unreadable or still holding one
            are restarted (they reload what the registry holds: 5.1.x keeps a database the
            registry lacks on a node, whose own drop then deletes nothing and so never
            reaches it), or the first node if only the registry holds one (so that a drop
            reaches it), and the drops tried again (5.5.2 keeps a database on a node that
            dropped it right after reconnecting). One the registry still holds after a
            restart and a drop (a restarted 5.1.1 node did not load it, or loaded it and its
            drop left it there) is deleted from the registry while every node is stopped
            (running 5.1.1 nodes wrote one back as it was deleted). What is still there
            after the last try."""
            if not names:
                return []

            def gone(snap: Snapshot) -> bool:
                return not any(snap.serves(n) for n in names)

            result: ConvergenceResult | None = None
            for round_ in range(CLEAR_TRIES):
                restarted = round_ >= 2  # the round before this one restarted nodes
                if result is not None:
                    holders = [
                        n
                        for n in topology.nodes
                        for s in result.snapshots
                        if s.source == n.name and (s.error is not None or not gone(s))
                    ]
                    kept = result.registry
                    registry = kept is not None and kept.error is None and not gone(kept)
                    # Restarted and dropped, and the registry still holds one: its copy is what
                    # the nodes reload, and running 5.1.1 nodes write a deleted one back (seed
                    # 40), so it is deleted there while every node is stopped.
                    if restarted and registry:
                        error = self._unregister_cold(names)
                    elif holders or not restarted:
                        error = self._restart(holders or topology.nodes[:1])
                        if error and has_registry:
                            # A 5.1.1 node exited at boot reading a database a running peer
                            # was changing (seed 40): with every node stopped, nothing is.
                            topology.record(Note(f"chaos: {error.splitlines()[0]}"))
                            error = self._unregister_cold(names)
                    else:
                        error = ""
                    if error:
                        return [error]
                for name in names:
                    self._drop_everywhere(name)
                result = wait_converged(
                    topology, databases=names, timeout=CLEAR_S, stable=0.1, expect=gone
                )
                if result.converged:
                    return []
            assert result is not None
            return [
                "the example's databases are still there after dropping them through every "
                f"node and restarting:\n{result.explain()}"
            ]

        def _restart(self, nodes: list[ComputeNode]) -> str:
            """Restart ``nodes`` (holding a database the reset dropped); an error, or empty."""
            said = ", ".join(n.name for n in nodes)
            topology.record(
                Note(f"chaos: the example's databases outlived their drops; restarting {said}")
            )
            try:
                for node in nodes:
                    self.faults.restart(node.index)
            except Exception as exc:  # noqa: BLE001 - reported as the run's finding
                return f"restarting a node that kept the example's databases: {exc}"
            return ""

        def _unregister_cold(self, names: list[str]) -> str:
            """Stop every node, delete ``names`` from the registry, start every node; an
            error, or empty."""
            errors: list[str] = []
            try:
                topology.restart_all(while_stopped=lambda: errors.append(self._unregister(names)))
            except Exception as exc:  # noqa: BLE001 - reported as the run's finding
                return f"restarting every node around the registry's delete: {exc}"
            return "".join(errors)

        def _unregister(self, names: list[str]) -> str:
            """Delete ``names`` from the registry (a restart and the drops left them there);
            an error, or empty."""
            registry, namespace = topology.spec.registry or "", topology.spec.namespace
            topology.record(
                Note(
                    f"chaos: the registry still holds {', '.join(names)} after the reset's "
                    "drops and restarts; deleting them there"
                )
            )
            try:
                reader = topology.registry_reader()
                try:
                    for name in names:
                        key = self.dialect.registry_metadata_key(registry, namespace, name)
                        reader.delete_tree(key)
                finally:
                    reader.close()
            except Exception as exc:  # noqa: BLE001 - reported as the run's finding
                return f"deleting the example's databases from the registry: {exc}"
            return ""

        def _drop_everywhere(self, name: str) -> None:
            """Drop ``name`` through every node (each may hold its own copy), errors ignored."""
            for node in topology.nodes:
                with contextlib.suppress(Exception), node.sql(read_timeout=10) as c:
                    c.execute(self.dialect.drop_database(name))

        def _rejoin(self) -> list[str]:
            """Restart any node the registry does not list online (a release that never
            re-registers after its session expired); what is still missing after."""
            try:
                assert_membership(topology, timeout=10)
                return []
            except ConvergenceTimeout:
                pass
            try:
                online = online_compute_nodes(topology)
                for node in topology.nodes:
                    if node.instance_id not in online:
                        self.faults.restart(node.index)
                assert_membership(topology, timeout=settings.converge_s)
            except Exception as exc:  # noqa: BLE001 - reported as the run's finding
                return [f"membership after restarting offline nodes: {exc}"]
            return []

    for steps, picked in ((FAULTS, settings.faults), (CHANGES, settings.changes)):
        for name in steps:
            if picked and name not in picked:
                setattr(Chaos, name, precondition(_never)(getattr(Chaos, name)))
    if not clustered:
        # Not a rule whose precondition never holds: that would still change what a seed
        # draws and how Hypothesis shrinks (a memory-mode seed-7 schedule kept a no-op step).
        del Chaos.settle
    Chaos.__name__ = Chaos.__qualname__ = "Chaos"
    # Hypothesis keys its example database by the machine's source, the same for every
    # topology: without this, a failure saved on 5.1.0 on ZooKeeper would be replayed first
    # (and shrunk from) on 5.5.2 or in memory mode. The attribute is the one Hypothesis adds
    # to the digest to tell parametrised cases apart.
    Chaos._hypothesis_internal_add_digest = (
        f"{topology.images.proxy}|{topology.spec.describe()}".encode()
    )
    return Chaos


def scenario_text(steps: list[Step], seed: int | None) -> str:
    """The minimal schedule as a pytest scenario to paste into scenarios/."""
    body = "\n".join(f"    {s.call()}  # {s.said}" for s in steps)
    return (
        "import pytest\n\nfrom harness.chaos import ChaosSettings, chaos_machine\n\n\n"
        "@pytest.mark.chaos\n"
        "def test_chaos_schedule(topology):\n"
        f"    # found by a chaos run (seed {seed})\n"
        "    state = chaos_machine(topology, ChaosSettings())()\n"
        f"{body}\n"
        "    state.teardown()\n"
    )


@contextlib.contextmanager
def _shrinking_within(budget_s: float) -> Iterator[None]:
    """Hypothesis stops shrinking after 300 s (``engine.MAX_SHRINKING_SECONDS``, left
    patchable there for "users who need to keep on shrinking"). On real containers one replay
    takes up to a minute, so the run's own budget bounds shrinking instead (the machine stops
    at it); the module's value is restored when the run ends."""
    before = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = max(before, int(budget_s))
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = before


def run_chaos(topology: Topology, settings: ChaosSettings) -> int:
    """Run the schedules; the number of examples run. ChaosFailure on a broken invariant
    whose signature is not in ``settings.known``, with the minimal schedule (steps, and a
    pytest scenario) and the seed; a ChaosKnownBehaviour warning for each known one met."""
    shared = _Run()
    try:
        return _run(topology, settings, shared)
    finally:
        for kind, (reason, count, steps) in shared.known.items():
            warnings.warn(
                ChaosKnownBehaviour(
                    f"chaos: known behaviour in {count} of {shared.examples} example(s): "
                    f"{kind} ({reason}); shortest schedule ({len(steps)} steps, not shrunk):\n"
                    f"{_listing(steps)}"
                ),
                stacklevel=2,
            )


def _listing(steps: list[Step]) -> str:
    return "\n".join(f"  {i + 1}. {s.said}" for i, s in enumerate(steps))


def _example_database() -> ExampleDatabase | None:
    """Where Hypothesis keeps examples under the current profile: ``.hypothesis/`` or as
    configured; None keeps none (Hypothesis's ``ci`` profile, loaded where ``CI`` is set)."""
    return hypothesis.settings().database


def _run(topology: Topology, settings: ChaosSettings, shared: _Run) -> int:
    # Always seeded, so every run can be replayed: the seed is in the failure's message.
    seed = settings.seed if settings.seed is not None else random.randrange(2**32)
    machine: Any = hypothesis.seed(seed)(chaos_machine(topology, settings, shared))
    topology.record(Note(f"chaos run, seed {seed}"))
    inner = _example_database()
    examples = ResumableExamples(inner) if inner is not None else None
    try:
        with _shrinking_within(settings.budget_s):
            run_state_machine_as_test(
                machine,
                settings=hypothesis.settings(
                    max_examples=settings.examples,
                    stateful_step_count=settings.steps,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    print_blob=True,
                    database=examples,
                ),
            )
    except TopologyBroken:
        steps = shared.last_steps
        broken = (
            f"chaos: the topology could not be brought back {shared.broken}; the run stopped "
            f"(replay with --harness-chaos-seed={seed}). The example that left it so "
            f"({len(steps)} steps, not shrunk):\n{_listing(steps)}\n\n"
            f"as a scenario:\n{scenario_text(steps, seed)}"
        )
        if not shared.failures:
            raise ChaosFailure(broken) from None
        # Found before it broke (while shrinking, most often): not lost with the run.
        stopped = "smallest found before the topology broke"
        parts = [*_failures(shared, seed, stopped), *_resumed(examples), broken]
        raise ChaosFailure("\n\n".join(parts)) from None
    except (AssertionError, BaseExceptionGroup, hypothesis.errors.Flaky, _BudgetSpent) as exc:
        # One failure, several distinct ones (an exception group), one a replay did not
        # repeat (a race: Flaky), or the budget spent with failures seen: report each kind
        # with its shortest schedule. The budget spent during a replay shows as Flaky
        # (Hypothesis sees the replay stop drawing early), not always with _BudgetSpent as
        # its context (a 5.1.1 replay's final run): the run noted the refusal (spent).
        budget = shared.spent  # set wherever _BudgetSpent is raised
        if not shared.failures:
            if budget:
                return shared.examples
            raise
        flaky = isinstance(exc, hypothesis.errors.Flaky) and not budget
        after = _resumed(examples) if budget else []
        _fail(shared, seed, budget=budget, flaky=flaky, after=after)
    return shared.examples


def _resumed(examples: ResumableExamples | None) -> list[str]:
    """Shrinking was cut short: the saved failures are shrunk further next time."""
    if examples is None or not examples.resume_shrinking():
        return []
    return [
        "shrinking was cut short: the next run with the same example database (Hypothesis's)"
        " replays these schedules first and goes on shrinking them"
    ]


def _fail(shared: _Run, seed: int, *, budget: bool, flaky: bool, after: Sequence[str] = ()) -> None:
    shrunk = "minimal"
    if budget:
        shrunk = "smallest found before the budget ran out"
    elif flaky:
        shrunk = "smallest failing (a replay did not fail every time: a race)"
    raise ChaosFailure("\n\n".join([*_failures(shared, seed, shrunk), *after]))


def _failures(shared: _Run, seed: int, shrunk: str) -> list[str]:
    """The failures found, each kind with its smallest schedule (``shrunk`` says how small)."""
    parts = [
        f"chaos: {len(shared.failures)} kind(s) of failure in {shared.examples} example(s); "
        f"replay with --harness-chaos-seed={seed}"
    ]
    for kind, (steps, why) in shared.failures.items():
        parts.append(
            f"signature: {kind}\n{why}\n\n{shrunk} schedule ({len(steps)} steps):\n"
            f"{_listing(steps)}\n\n"
            f"as a scenario:\n{scenario_text(steps, seed)}"
        )
    return parts
