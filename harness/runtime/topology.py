"""A running topology's lifecycle: provisioning (every role's container, started concurrently
and waited for), scaling (add, remove, restart nodes) and teardown (everything carrying its
labels). How the nodes are wired is ``wiring``; what breaks them is ``processes``, used only
by ``Faults``; the timeline's records are ``harness.timeline``.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

import docker.errors

from harness.clients.mysql import Endpoint, SqlError
from harness.clients.registry import RegistryReader, open_reader
from harness.clients.toxiproxy import ToxiproxyClient
from harness.dialect import Dialect, dialect_for_version, dialect_named
from harness.errors import FaultError, ProvisionError, SpecError
from harness.resources import fixtures_dir
from harness.runtime import labels, readiness
from harness.runtime.containers import ContainerSpec, RunningContainer
from harness.runtime.image_set import ImageSet
from harness.runtime.logs import collect_logs
from harness.runtime.node_config import PROXY_CONF, PROXY_DATA, PROXY_USER, render_node_config
from harness.runtime.nodes import ComputeNode, Storage
from harness.runtime.reaper import reap
from harness.runtime.seed import SeedStore, seed_key
from harness.runtime.wiring import (
    CLIENT_PORT,
    PROXY_PORT,
    REGISTRY_PORTS,
    TOXI_API,
    links_for,
)
from harness.spec import TopologySpec
from harness.timeline import (
    Event,
    NodeChange,
    Note,
    Record,
    RegistrySeeded,
    RegistryState,
    StorageReady,
    TopologyPhase,
    Waiting,
    encode,
)
from harness.waiting import WaitTimeout, poll

__all__ = ["Topology"]

STORAGE_USER = "harness"
# Every node keeps a Hikari pool per storage unit, and 5.1.x keeps a dropped database's pools
# open: MariaDB's default 151 connections ran out after ~70 chaos examples on one topology.
# Both our image's entrypoint and the official one pass option arguments on to mariadbd.
STORAGE_ARGS = ("--max-connections=2000",)


class Topology:
    """Provision with ``with Topology(...) as topo:`` or ``start()``/``stop()``.

    ``stop()`` always runs when ``start()`` fails half-way, and removes everything carrying this
    topology's labels, so nothing is left behind whatever happened. Tests get one from the
    ``topology`` fixture; breaking it (kill, pause, cut) goes through ``faults``.

    Example: ``topology.add_node()`` scales out; ``topology.nodes[0].sql()`` opens a session.
    """

    def __init__(
        self,
        spec: TopologySpec,
        *,
        client: Any,
        images: ImageSet,
        run: labels.RunIdentity | None = None,
        name: str | None = None,
        templates: Path | None = None,
        ready_timeout: float = 120,
        on_event: Callable[[Event], None] | None = None,
        seeds: SeedStore | None = None,
    ) -> None:
        self.spec = spec
        # Seeded namespaces (harness.runtime.seed); None boots every cluster from empty.
        self.seeds = seeds
        self.client = client
        self.images = images
        self.run = run or labels.new_run()
        self.name = name or f"harness-{self.run.run_id}-{secrets.token_hex(2)}"
        self.dialect: Dialect = (
            dialect_named(spec.proxy_dialect)
            if spec.proxy_dialect
            else dialect_for_version(images.engine_version, images.proxy)
        )
        self.templates = templates or fixtures_dir()
        for rel in (self.dialect.server_config, "logback.xml"):
            path = self.templates / self.dialect.template_dir / rel
            if not path.is_file():
                raise SpecError(
                    "template",
                    str(path),
                    f"an existing file under {self.templates}",
                    f"restore {self.dialect.template_dir}/{rel} or pass templates= a folder "
                    "that has it",
                )
        self.ready_timeout = ready_timeout
        self.password = secrets.token_hex(12)
        self.storage_password = secrets.token_hex(12)
        self.events: list[Event] = []
        # Hears every event as it is recorded (the plugin's progress line).
        self.on_event = on_event
        self._t0 = time.monotonic()
        self._last_commit: float | None = None
        # Logical databases created on it and not dropped yet (a kept topology's next session
        # drops what is left).
        self.created_databases: set[str] = set()
        # Those LogicalDatabase dropped, or a test says it dropped (a node still serving one
        # after its drop is the engine's doing, not the test's: the database hygiene tells
        # them apart).
        self.dropped_databases: set[str] = set()
        self._lock = threading.Lock()
        self._network: Any = None
        self.registry: RunningContainer | None = None
        self.storage: list[Storage] = []
        self.nodes: list[ComputeNode] = []
        self._workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self._next_index = 0
        self._stopped = False

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> Self:
        """Provision everything concurrently and wait until every node answers."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.record(TopologyPhase("starting", self.spec.describe(), self.name))
        self._network = self.client.networks.create(
            self.name, driver="bridge", labels=self._labels("network"), check_duplicate=True
        )
        # Critical path first. The engine starts containers one after another in effect, so
        # the registry's container starts alone and its JVM boots while the links' containers
        # start (starting it beside them was not faster: 4.07 s vs 4.00 s, medians of 5);
        # each node's proxy starts once its link and the registry answer; storage, which no
        # node needs to boot, starts last.
        # Where concurrent first boots race on an empty namespace (the dialect says so), the
        # first node boots alone and the others start once it answers; storage starts
        # meanwhile.
        # A seeded namespace (harness.runtime.seed) makes every node a joiner: no race, so
        # no first node booting alone.
        first_alone = self.spec.mode == "cluster" and self.dialect.first_boots_race()
        key = self._seed_key() if first_alone and self.seeds is not None else None
        kept = self.seeds.read(key) if key is not None and self.seeds is not None else None
        first_alone = first_alone and kept is None
        with ThreadPoolExecutor(max_workers=3 + 2 * self.spec.nodes) as pool:
            self._start_registry_container()
            reg = pool.submit(self._wait_registry_ready)
            if kept is not None and key is not None:
                reg = pool.submit(self._restore_seed, reg, key, kept)
            links = [pool.submit(self._start_link) for _ in range(self.spec.nodes)]
            launched = [pool.submit(self._launch_node, links[0], reg)]
            first = pool.submit(self._first_ready, launched[0]) if first_alone else None
            launched += [pool.submit(self._launch_node, link, reg, first) for link in links[1:]]
            stor: list[Future[Storage]] = []
            if first_alone:
                stor = [pool.submit(self._start_storage, j) for j in range(self.spec.storage_nodes)]
            self.nodes = [f.result() for f in launched]
            if not first_alone:
                stor = [pool.submit(self._start_storage, j) for j in range(self.spec.storage_nodes)]
            ready = [pool.submit(self._wait_node_ready, n) for n in self.nodes]
            self.storage = [f.result() for f in stor]
            for f in ready:
                f.result()
        if key is not None and kept is None:
            self._capture_seed(key)
        self.record(TopologyPhase("ready"))

    def _seed_key(self) -> str:
        """What a first boot's writes depend on: the proxy image, the registry, the global
        configuration as rendered for any node of any namespace (password left out)."""
        template = self.templates / self.dialect.template_dir / self.dialect.server_config
        mode = self.dialect.render_mode(
            replace(self.spec, namespace="seed"),
            f"127.0.0.1:{REGISTRY_PORTS[self.spec.registry or 'zookeeper']}",
            PROXY_DATA,
        )
        return seed_key(
            self._proxy_image_id(), self.spec.registry or "", template.read_text(), mode, PROXY_USER
        )

    def _proxy_image_id(self) -> str:
        return str(self.client.images.get(self.images.proxy).id)

    def _namespace_root(self) -> str:
        return self.dialect.registry_root(self.spec.registry or "", self.spec.namespace)

    def _restore_seed(self, registry: Future[None], key: str, seed: dict[str, str]) -> None:
        registry.result()
        reader = self.registry_reader()
        try:
            SeedStore.restore(seed, reader, self._namespace_root(), self.password)
        finally:
            reader.close()
        self.record(RegistrySeeded(len(seed), key))

    def _seed_other_namespace(self, namespace: str) -> None:
        """Write the seed into another, still empty namespace before a node boots there: that
        node is a first boot too, and restoring costs less than its writes (4.7 s vs 1.8 s to
        add a node, 5.5.2). A namespace anything wrote to already is left as it is."""
        if self.spec.mode != "cluster" or self.seeds is None or not self.dialect.first_boots_race():
            return
        key = self._seed_key()
        kept = self.seeds.read(key)
        if kept is None:
            return
        root = self.dialect.registry_root(self.spec.registry or "", namespace)
        reader = self.registry_reader()
        try:
            if reader.children(root):
                return
            SeedStore.restore(kept, reader, root, self.password)
        finally:
            reader.close()
        self.record(RegistrySeeded(len(kept), key))

    def _capture_seed(self, key: str) -> None:
        """Keep the seed; a failure only costs the next topology its seed, so it is said on
        the timeline and the start goes on."""
        assert self.seeds is not None
        try:
            reader = self.registry_reader()
            try:
                root = self._namespace_root()
                image = self._proxy_image_id()
                self.seeds.capture(key, reader, root, self.password, image=image)
            finally:
                reader.close()
        except Exception as exc:  # noqa: BLE001 - any registry or disk error, see above
            self.record(Note(f"namespace seed not kept: {type(exc).__name__}: {exc}"))

    def _launch_node(
        self,
        link: Future[ComputeNode],
        registry: Future[None],
        after: Future[None] | None = None,
    ) -> ComputeNode:
        """Start a node's proxy container once its link and the registry answer (and the
        first node, when ``after`` is given)."""
        node = link.result()
        registry.result()
        if after is not None:
            after.result()
        self._launch_proxy(node)
        return node

    def _first_ready(self, launched: Future[ComputeNode]) -> None:
        self.wait_until_serving(launched.result())

    @property
    def workdir(self) -> Path:
        """Rendered configuration mounted into the nodes; removed by ``stop()``."""
        return self._workdir

    @property
    def engine_version(self) -> str | None:
        """The proxy release the nodes run (``"5.5.2"``), read from the image; None when the
        image does not say. Example: ``if topology.engine_version == "5.1.0": ...``."""
        return self.images.engine_version

    @property
    def stopped(self) -> bool:
        """True once ``stop()`` has run."""
        return self._stopped

    def adopt_workdir(self, workdir: Path) -> None:
        """Use ``workdir`` (a kept topology's rendered configuration) instead of a new one."""
        shutil.rmtree(self._workdir, ignore_errors=True)
        self._workdir = workdir

    def next_index_after(self, index: int) -> None:
        """Nodes added from now on get indices after ``index``."""
        self._next_index = index + 1

    def keep(self) -> None:
        """End this process's use without removing anything (a kept topology): close the
        API clients; the containers, network and configuration stay."""
        for n in self.nodes:
            n.toxiproxy.close()
        self.record(TopologyPhase("kept"))

    def stop(self) -> None:
        """Remove every container, network and volume of this topology (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self.record(TopologyPhase("stopping"))
        errors: list[BaseException] = []
        for n in self.nodes:
            n.toxiproxy.close()
        try:
            reap(self.client, run_id=self.run.run_id, topology=self.name)
        except docker.errors.DockerException as exc:  # keep going: the workdir still goes
            errors.append(exc)
        shutil.rmtree(self._workdir, ignore_errors=True)
        if errors:
            raise ProvisionError(
                f"teardown of {self.name} failed: {errors[0]}. Fix: run `harness clean --all`"
            ) from errors[0]

    # -- roles ---------------------------------------------------------------------------
    def _labels(self, role: str) -> dict[str, str]:
        return self.run.labels(self.name, role)

    def _container(self, role: str, suffix: str, image: str, **kw: Any) -> RunningContainer:
        spec = ContainerSpec(
            name=f"{self.name}-{suffix}",
            image=image,
            role=role,
            labels=self._labels(role),
            network=self.name,
            **kw,
        )
        return RunningContainer(spec, self.client)

    def _wait_registry_ready(self) -> None:
        if self.spec.registry is not None:
            self.wait_registry()
            self.record(RegistryState(self.spec.registry, "ready"))

    def _start_registry_container(self) -> None:
        if self.spec.registry is None:
            return
        kind = self.spec.registry
        port = REGISTRY_PORTS[kind]
        image = self.images.zookeeper if kind == "zookeeper" else self.images.etcd
        env = (
            {"ETCD_ADVERTISE_CLIENT_URLS": f"http://{self.name}-registry:2379"}
            if kind == "etcd"
            else {}
        )
        self.registry = self._container(
            "registry", "registry", image, publish=(port,), env=env
        ).start()

    def wait_registry(self) -> None:
        """Wait until the registry answers on its host port."""
        container, kind = self.registry_container()
        # The host port is looked up each time: a restarted container may get a new one.
        host_port = container.host_port(REGISTRY_PORTS[kind])
        probe = readiness.zookeeper_ready if kind == "zookeeper" else readiness.etcd_ready
        self._wait(
            f"{kind} {container.name} to answer on 127.0.0.1:{host_port}",
            lambda: probe("127.0.0.1", host_port),
            container,
            role=kind,
            subject="registry",
        )

    def _start_storage(self, index: int) -> Storage:
        c = self._container(
            "storage",
            f"storage-{index}",
            self.images.mariadb,
            publish=(3306,),
            env={"MARIADB_USER": STORAGE_USER, "MARIADB_PASSWORD": self.storage_password},
            command=STORAGE_ARGS,
        ).start()
        admin = Endpoint("127.0.0.1", c.host_port(3306), STORAGE_USER, self.storage_password)
        self._wait(
            f"mariadb {c.name} to accept connections at {admin}",
            lambda: readiness.mysql_ready(admin),
            c,
            role="mariadb",
            subject=f"storage-{index}",
        )
        self.record(StorageReady(f"storage-{index}"))
        return Storage(index, c, admin)

    def _start_link(self) -> ComputeNode:
        with self._lock:
            index = self._next_index
            self._next_index += 1
        name = f"node-{index}"
        link = self._container(
            "toxiproxy",
            f"{name}-link",
            self.images.toxiproxy,
            publish=(CLIENT_PORT, TOXI_API),
            env={"LOG_LEVEL": "info"},
        ).start()
        api = ToxiproxyClient(f"http://127.0.0.1:{link.host_port(TOXI_API)}")
        self._wait(
            f"toxiproxy {link.name} API",
            lambda: api.version() or "up",
            link,
            retry=(FaultError,),
            role="toxiproxy",
            subject=f"{name}-link",
        )
        api.populate(links_for(self.spec, self.name))
        endpoint = Endpoint("127.0.0.1", link.host_port(CLIENT_PORT), PROXY_USER, self.password)
        return ComputeNode(index, name, link, api, endpoint)

    def render_conf(self, node_name: str, namespace: str = "") -> Path:
        """Render one node's configuration folder (mounted read-only at the proxy's /conf)."""
        return render_node_config(
            self._workdir / node_name / "conf",
            instance=f"{self.name}/{node_name}",
            spec=self.spec,
            namespace=namespace,
            dialect=self.dialect,
            templates=self.templates,
            password=self.password,
        )

    def _start_proxy(self, node: ComputeNode) -> None:
        self._launch_proxy(node)
        self._wait_node_ready(node)

    def _launch_proxy(self, node: ComputeNode) -> None:
        node.conf_dir = self.render_conf(node.name, node.namespace)
        volumes = {str(node.conf_dir): {"bind": PROXY_CONF, "mode": "ro"}}
        if self.spec.mode == "standalone":
            # Standalone metadata lives on the node: a labelled volume, so it is reaped too.
            volume = self.client.volumes.create(
                f"{self.name}-{node.name}-data", labels=self._labels("volume")
            )
            volumes[volume.name] = {"bind": PROXY_DATA, "mode": "rw"}
        spec = ContainerSpec(
            name=f"{self.name}-{node.name}",
            image=self.images.proxy,
            role="proxy",
            labels=self._labels("proxy"),
            network_mode=f"container:{node.toxiproxy_container.container.id}",
            env={"PORT": str(PROXY_PORT)},
            volumes=volumes,
        )
        node.proxy = RunningContainer(spec, self.client).start()

    def _wait_node_ready(self, node: ComputeNode) -> None:
        self.wait_until_serving(node)
        self.record(NodeChange(node.name, "ready"))

    def wait_until_serving(self, node: ComputeNode) -> None:
        """Wait until ``node``'s proxy answers SQL through its client link."""
        assert node.proxy is not None
        self._wait(
            f"proxy {node.name} to answer SQL at {node.endpoint}",
            lambda: readiness.mysql_ready(node.endpoint, self.dialect.show_databases()),
            node.proxy,
            role="proxy",
            subject=node.name,
        )

    # -- changing the topology -----------------------------------------------------------
    def add_node(
        self, namespace: str | None = None, *, links_down: tuple[str, ...] = ()
    ) -> ComputeNode:
        """Start one more compute node (horizontal scale-out). With ``namespace`` it joins a
        different cluster on the same registry; ``links_down`` start it with those links cut
        (the node is added to ``nodes`` before it starts, so a failed start is still torn
        down with the topology)."""
        if namespace is not None and namespace != self.spec.namespace:
            self._seed_other_namespace(namespace)
        node = self._start_link()
        if namespace is not None:
            node.namespace = namespace
        for link in links_down:
            node.toxiproxy.set_enabled(link, False)
        self.nodes.append(node)
        self._start_proxy(node)
        self.record(NodeChange(node.name, "added", namespace or ""))
        return node

    def remove_node(self, index: int) -> None:
        """Stop and remove one compute node and its link (graceful stop: the node closes its
        registry session)."""
        node = self.node(index)
        if node.proxy is not None:
            with contextlib.suppress(docker.errors.NotFound):
                node.proxy.stop(timeout=10)
            node.proxy.remove()
        node.toxiproxy.close()
        node.toxiproxy_container.remove()
        self.nodes.remove(node)
        self.record(NodeChange(node.name, "removed"))

    def restart_node(self, index: int) -> None:
        """Restart one node's proxy process (its link and address stay) and wait for it."""
        node = self.node(index)
        assert node.proxy is not None
        self.record(NodeChange(node.name, "restarting"))
        node.proxy.container.restart(timeout=10)
        self.wait_until_serving(node)
        self.record(NodeChange(node.name, "restarted"))

    def restart_all(self, while_stopped: Callable[[], object] | None = None) -> None:
        """Stop every node (concurrently: each graceful stop waits on its own shutdown), then
        start them all again concurrently. ``while_stopped`` runs in between, when no node
        can react to it (e.g. a registry edit that running nodes would write back)."""
        self.record(NodeChange(None, "restarting all"))
        with ThreadPoolExecutor(max_workers=len(self.nodes) or 1) as pool:
            list(pool.map(self._stop_gracefully, self.nodes))
            try:
                if while_stopped is not None:
                    while_stopped()
            finally:
                list(pool.map(self._start_again, self.nodes))
        self.record(NodeChange(None, "all restarted"))

    def registry_container(self) -> tuple[RunningContainer, str]:
        """The registry's container and kind (``zookeeper`` or ``etcd``); ProvisionError in a
        mode without a registry."""
        if self.registry is None or self.spec.registry is None:
            raise ProvisionError(f"{self.name} runs in {self.spec.mode} mode: no registry")
        return self.registry, self.spec.registry

    @staticmethod
    def _stop_gracefully(node: ComputeNode) -> None:
        assert node.proxy is not None
        node.proxy.stop(timeout=10)

    def _start_again(self, node: ComputeNode) -> None:
        assert node.proxy is not None
        node.proxy.start_again()
        self.wait_until_serving(node)

    def _wait(
        self,
        what: str,
        check: Callable[[], object],
        container: RunningContainer,
        retry: tuple[type[BaseException], ...] = (),
        *,
        role: str,
        subject: str,
    ) -> None:
        retryable: tuple[type[BaseException], ...] = (OSError, SqlError, FaultError, ValueError)
        retryable += retry
        self.record(Waiting(role, subject, what))

        # Whether the container died is asked of the engine at most once a second: an inspect
        # on every "not yet" was most of the engine's own CPU while a topology started.
        next_status = time.monotonic() + 1.0

        def probe() -> object:
            nonlocal next_status
            if self._stopped:
                raise ProvisionError(f"{self.name} was stopped while waiting for {what}")
            try:
                return check()
            except retryable:
                if time.monotonic() < next_status:
                    raise
                next_status = time.monotonic() + 1.0
                if container.status() in ("exited", "dead"):
                    raise ProvisionError(
                        f"{container.name} exited while waiting for {what}; last log lines:\n"
                        f"{container.logs(tail=40)}"
                    ) from None
                raise

        try:
            poll(
                probe,
                timeout=self.ready_timeout,
                what=what,
                interval=0.05,
                max_interval=0.1,
                retry_on=retryable,
            )
        except WaitTimeout as exc:
            raise ProvisionError(
                f"timed out after {exc.waited:.0f}s waiting for {what} "
                f"(last: {exc.last}); last log lines of {container.name}:\n"
                f"{container.logs(tail=40)}"
            ) from None

    # -- use -----------------------------------------------------------------------------
    def note_commit(self) -> None:
        """A metadata change was committed now: the next convergence wait counts from here."""
        self._last_commit = time.monotonic()

    def take_commit(self) -> float | None:
        """The time (``time.monotonic()``) of the last commit not yet waited for, once."""
        commit, self._last_commit = self._last_commit, None
        return commit

    def record(self, record: Record) -> None:
        """Add ``record`` to this topology's timeline (shown in the report).

        Example: ``topology.record(Note("warming caches"))``.
        """
        ev = encode(record, time.monotonic() - self._t0)
        self.events.append(ev)
        if self.on_event is not None:
            self.on_event(ev)

    def node(self, index: int) -> ComputeNode:
        """The node with ``index`` (indices stay stable when nodes are removed)."""
        for n in self.nodes:
            if n.index == index:
                return n
        raise ProvisionError(
            f"{self.name} has no node {index}; nodes: {[n.index for n in self.nodes]}"
        )

    @property
    def registry_address(self) -> str:
        """Host-side ``127.0.0.1:port`` of the registry (read directly, not through a link)."""
        container, kind = self.registry_container()
        return f"127.0.0.1:{container.host_port(REGISTRY_PORTS[kind])}"

    def registry_reader(self) -> RegistryReader:
        """A host-side reader of this topology's registry (close it when done)."""
        _container, kind = self.registry_container()
        return open_reader(kind, self.registry_address)

    def containers(self) -> list[RunningContainer]:
        """Every running container of this topology: registry, storage, links and proxies."""
        out = [c for c in (self.registry,) if c is not None]
        out += [s.container for s in self.storage]
        for n in self.nodes:
            out.append(n.toxiproxy_container)
            if n.proxy is not None:
                out.append(n.proxy)
        return out

    def collect_logs(self, dest: Path) -> list[Path]:
        """Write every container's log to ``dest``; return the files."""
        return collect_logs(self.containers(), self.name, dest)
