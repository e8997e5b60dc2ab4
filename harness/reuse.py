"""Topologies kept between sessions (``--harness-reuse``) and attached to again.

A kept topology lives in a *slot*: the spec, the xdist worker and a slot number make its key.
A session holds a slot by an exclusive lock (``fcntl.flock``) on ``<key>.lock`` for as long
as it runs, so two concurrent sessions never share a topology: the loser takes the next slot
(and provisions there if it is empty). The slot's state file (owner-only) records what to
attach with: the topology's name, run id, passwords, nodes, the image ids it runs and the
harness version.

Attaching checks, before any test sees the topology: the harness version and the images are
unchanged; every container is there and running; no toxic is left, no link down, no node
paused or stopped; every node answers; the registry answers; the logical databases the last
session left are dropped, and no other database or registry namespace is left. Anything that
does not hold removes the topology, and the caller provisions a fresh one, saying why.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.clients.mysql import SqlError
from harness.database_hygiene import node_databases
from harness.errors import FaultError, HarnessError
from harness.faults.hygiene import leftovers
from harness.images.builder import default_cache_dir
from harness.runtime import labels, readiness
from harness.runtime.image_set import ImageSet
from harness.runtime.reaper import Reaped, reap
from harness.runtime.topology import Topology
from harness.spec import TopologySpec
from harness.version import __version__

__all__ = [
    "KeptState",
    "Slot",
    "claim_slot",
    "image_ids",
    "kept",
    "remove_kept",
    "reuse_dir",
    "validate",
]

MAX_SLOTS = 16


def reuse_dir() -> Path:
    """Where kept topologies are recorded: ``$HARNESS_REUSE_DIR`` or the cache's ``reuse``."""
    env = os.environ.get("HARNESS_REUSE_DIR")
    return Path(env) if env else default_cache_dir() / "reuse"


def image_ids(client: Any, images: ImageSet) -> dict[str, str]:
    """Role -> image id of the images a topology of these refs runs now."""
    refs = {
        "proxy": images.proxy,
        "zookeeper": images.zookeeper,
        "etcd": images.etcd,
        "storage": images.mariadb,
        "toxiproxy": images.toxiproxy,
    }
    return {role: str(client.images.get(ref).id) for role, ref in refs.items()}


@dataclass
class KeptState:
    """What a later session needs to attach to a kept topology (file mode 0600)."""

    name: str
    run_id: str
    spec: str  # TopologySpec.key, as text: must match exactly
    password: str
    storage_password: str
    workdir: str
    nodes: list[tuple[int, str]]  # (index, namespace)
    images: dict[str, str]  # role -> image id
    harness_version: str = __version__
    databases: list[str] = field(default_factory=list)  # left by the last session
    spec_args: dict[str, Any] = field(default_factory=dict)  # TopologySpec's fields

    def topology_spec(self) -> TopologySpec:
        """The spec it was started with (recorded for `harness up` topologies)."""
        return TopologySpec.create(**self.spec_args)

    @classmethod
    def of(cls, topo: Topology, images: dict[str, str], databases: list[str]) -> KeptState:
        return cls(
            topo.name,
            topo.run.run_id,
            repr(topo.spec.key),
            topo.password,
            topo.storage_password,
            str(topo.workdir),
            [(n.index, n.namespace) for n in topo.nodes],
            images,
            databases=databases,
        )


def load_state(path: Path) -> KeptState | None:
    """A state file's record, or None if it is missing or unreadable."""
    try:
        raw = json.loads(path.read_text())
        raw["nodes"] = [tuple(n) for n in raw["nodes"]]
        return KeptState(**raw)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_state(path: Path, state: KeptState) -> None:
    """Write ``state`` atomically, readable by its owner only (it holds passwords)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def try_lock(path: Path) -> IO[str] | None:
    """An exclusive lock on ``path`` (held until the file is closed), or None if another
    process holds it."""
    lock = path.open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


class Slot:
    """One reuse slot held by this process: its lock, and its state file."""

    def __init__(self, key: str, lock: IO[str]) -> None:
        self.key = key
        self._lock = lock

    @property
    def state_path(self) -> Path:
        return reuse_dir() / f"{self.key}.json"

    def load(self) -> KeptState | None:
        return load_state(self.state_path)

    def save(self, state: KeptState) -> None:
        save_state(self.state_path, state)

    def forget(self, client: Any) -> Reaped:
        """Remove the slot's topology (if any) and its state; what was removed."""
        state = self.load()
        reaped = Reaped()
        if state is not None:
            reaped = reap(client, run_id=state.run_id, topology=state.name)
            shutil.rmtree(state.workdir, ignore_errors=True)
        self.state_path.unlink(missing_ok=True)
        return reaped

    def release(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()


def claim_slot(spec: TopologySpec, worker: str) -> Slot:
    """The first free slot for ``spec`` and this xdist worker (``main`` without xdist)."""
    digest = hashlib.sha256(f"{spec.key!r}|{worker}".encode()).hexdigest()[:12]
    folder = reuse_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_SLOTS):
        key = f"{digest}-{worker}-{n}"
        lock = try_lock(folder / f"{key}.lock")
        if lock is not None:
            return Slot(key, lock)
    raise HarnessError(
        f"all {MAX_SLOTS} reuse slots of {spec.describe()} are held by running sessions. "
        "Fix: let one finish, or run without --harness-reuse"
    )


def validate(topo: Topology, state: KeptState, images: dict[str, str]) -> str | None:
    """Why ``topo`` (just attached) cannot serve a test, or None once it is clean."""
    if state.harness_version != __version__:
        return f"kept by harness {state.harness_version}, this is {__version__}"
    if state.spec != repr(topo.spec.key):
        return "its spec differs"
    changed = [role for role, image in images.items() if state.images.get(role) != image]
    if changed:
        return f"image changed since it was kept: {', '.join(changed)}"
    roles = {"registry": topo.spec.registry or "", "storage": "storage"}
    for c in topo.containers():
        role = roles.get(c.spec.role, c.spec.role)
        if c.image_id != state.images.get(role):
            return f"{c.name} runs an image other than the one recorded"
    try:
        problems = leftovers(topo)  # toxics, links down, paused or stopped containers
    except (FaultError, HarnessError, OSError) as exc:
        return f"its links cannot be checked: {exc}"
    if problems:
        return "left behind: " + "; ".join(problems)
    if topo.registry is not None:
        container, kind = topo.registry_container()
        probe = readiness.zookeeper_ready if kind == "zookeeper" else readiness.etcd_ready
        try:
            probe("127.0.0.1", container.host_port(2181 if kind == "zookeeper" else 2379))
        except (OSError, ValueError, HarnessError) as exc:
            return f"its registry does not answer: {exc}"
    return _clean_databases(topo, state)


def _clean_databases(topo: Topology, state: KeptState) -> str | None:
    """Drop what the last session left, then check that nothing else is left."""
    dialect = topo.dialect
    for node in topo.nodes:
        try:
            with node.sql(read_timeout=10) as c:
                for db in state.databases:
                    c.execute(dialect.drop_database(db))
        except (SqlError, OSError) as exc:
            return f"{node.name} does not answer: {exc}"
    for node in topo.nodes:
        try:
            names = node_databases(topo, node)
        except (SqlError, OSError) as exc:
            return f"{node.name} does not answer: {exc}"
        if names:
            return f"{node.name} serves databases no session dropped: {', '.join(sorted(names))}"
    if topo.spec.registry is not None:
        reader = topo.registry_reader()
        try:
            foreign = [r for r in reader.roots() if r not in _own_namespaces(topo)]
            for root in foreign:
                reader.delete_tree(root)
            left = [r for r in reader.roots() if r not in _own_namespaces(topo)]
        finally:
            reader.close()
        if left:
            return f"its registry holds other namespaces: {', '.join(left)}"
    return None


def _own_namespaces(topo: Topology) -> set[str]:
    return {topo.spec.namespace} | {n.namespace for n in topo.nodes if n.namespace}


def _held(lock_path: Path) -> bool:
    """Whether a running session holds this slot."""
    with lock_path.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def kept(client: Any) -> list[tuple[KeptState, bool, dict[str, str]]]:
    """Every kept topology: its state, whether a session holds it now, its containers."""
    out = []
    for path in sorted(reuse_dir().glob("*.json")) if reuse_dir().is_dir() else []:
        with path.with_suffix(".lock").open("a") as lock:
            state = Slot(path.stem, lock).load()
        if state is None:
            continue
        found = {
            c.name.removeprefix(state.name + "-"): c.status
            for c in client.containers.list(
                all=True,
                ignore_removed=True,
                filters={"label": [f"{labels.TOPOLOGY}={state.name}"]},
            )
        }
        out.append((state, _held(path.with_suffix(".lock")), found or {"all containers": "gone"}))
    return out


def remove_kept(client: Any, name: str | None = None) -> list[tuple[str, str]]:
    """Remove kept topologies (all, or the one named) that no session holds now: (name,
    what was removed or why not)."""
    done = []
    for path in sorted(reuse_dir().glob("*.json")) if reuse_dir().is_dir() else []:
        lock = path.with_suffix(".lock").open("a")
        slot = Slot(path.stem, lock)
        state = slot.load()
        try:
            if state is None or (name is not None and state.name != name):
                continue
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                done.append((state.name, "in use by a running session; left alone"))
                continue
            done.append((state.name, f"removed {slot.forget(client).summary()}"))
        finally:
            lock.close()
    return done
