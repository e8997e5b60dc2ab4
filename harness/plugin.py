"""pytest plugin: options, markers, fixtures and failure diagnostics. Heavy objects are built
lazily; nothing here starts a container until a test asks for a topology."""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from harness import detached, hooks
from harness.chaos import (
    CHANGES,
    FAULTS,
    ChaosRunner,
    ChaosSettings,
    parse_changes,
    parse_faults,
    run_chaos,
)
from harness.database_hygiene import HarnessLeftoverWarning, drop_new_databases, served_databases
from harness.diagnostics import dump_state, folder_name
from harness.dialect import DIALECTS, dialect_for_version, dialect_named
from harness.docker_engine import check_local, connect
from harness.errors import SpecError
from harness.faults.controller import Faults
from harness.faults.hygiene import leftovers, repair
from harness.images.catalog import IMAGE_SOURCES, release_of_official
from harness.images.identify import engine_version
from harness.logical_database import LogicalDatabase
from harness.progress import LiveStatus
from harness.reporting import RunReport
from harness.runtime.image_set import require_local_image
from harness.runtime.seed import SeedStore
from harness.runtime.topology import Topology
from harness.settings import Settings
from harness.spec import MODES, REGISTRIES, TopologySpec, parse_mode, parse_nodes, parse_registry
from harness.termination import TerminateAsInterrupt
from harness.timeline import Convergence, Event, Failure, Fault, Hygiene, decode
from harness.topology_pool import TopologyPool

POOL_KEY = pytest.StashKey[TopologyPool]()
REPORT_KEY = pytest.StashKey[RunReport]()
REPORT_PATH_KEY = pytest.StashKey[Path | None]()
SETTINGS_KEY = pytest.StashKey[Settings]()
TOPOLOGY_KEY = pytest.StashKey[Topology]()
LAST_USER_KEY = pytest.StashKey[TopologySpec]()
ENGINE_KEY = pytest.StashKey["EngineCheck"]()
ENGINE_VERSION_KEY = pytest.StashKey[str]()  # per item: the proxy release it runs
SIGTERM_KEY = pytest.StashKey[TerminateAsInterrupt]()
NEXT_ITEM_KEY = pytest.StashKey["pytest.Item | None"]()  # per item: the test after it
MARKER_ARGS = (
    "mode",
    "registry",
    "nodes",
    "storage_nodes",
    "namespace",
    "props",
    "proxy_image",
    "proxy_dialect",
)

CHAOS_OPTIONS: list[tuple[str, type, object, str]] = [
    ("examples", int, 5, "schedules to try"),
    ("steps", int, 10, "steps per schedule at most"),
    ("budget", float, 600.0, "seconds after which no new schedule starts (shrinking included)"),
    ("seed", int, None, "replay the run with this seed (printed by every failing run)"),
    (
        "converge",
        float,
        60.0,
        "seconds a healed topology may take to converge before the example fails (a hunt "
        "may lower it: an example meeting known behaviour waits it out)",
    ),
    ("statement", float, 20.0, "seconds a DistSQL statement may take (then: either outcome)"),
]
OPTIONS: list[tuple[str, str, str]] = [
    ("mode", f"operation mode: {' | '.join(MODES)}", "cluster"),
    ("registry", f"registry in cluster mode: {' | '.join(REGISTRIES)}", "zookeeper"),
    ("nodes", "number of compute nodes (1-8)", "3"),
    ("proxy_image", "proxy image (default: the catalog's pinned image)", ""),
    (
        "proxy_dialect",
        f"how to speak to the proxy: {' | '.join(DIALECTS)} (default: told by the image)",
        "",
    ),
    ("image_source", f"where images come from: {' | '.join(IMAGE_SOURCES)}", "official"),
    ("report_dir", "folder for reports and failure logs", "reports"),
    (
        "attach",
        "run the tests that want its spec on the `harness up` topology NAME (checked first)",
        "",
    ),
]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)


def _switch(
    parser: pytest.Parser,
    group: pytest.OptionGroup,
    name: str,
    flag: str,
    text: str,
    *,
    default: bool,
) -> None:
    """A boolean setting: ini ``harness_<name>`` and ``flag``, which sets the opposite of the
    default (``--harness-reuse`` turns on, ``--harness-no-prefetch`` turns off)."""
    group.addoption(
        flag,
        action="store_false" if default else "store_true",
        dest=f"harness_{name}",
        default=None,
        help=f"{'do not ' if default else ''}{text} [ini: harness_{name}, default: "
        f"{str(default).lower()}]",
    )
    parser.addini(f"harness_{name}", text, type="bool", default=default)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "ShardingSphere-Proxy topologies (harness)")
    for name, help_text, default in OPTIONS:
        flag = "--harness-" + name.replace("_", "-")
        group.addoption(
            flag,
            dest=f"harness_{name}",
            default=None,
            help=f"{help_text} [ini: harness_{name}, default: {default or 'none'}]",
        )
        parser.addini(f"harness_{name}", help_text, default=default)
    _switch(
        parser,
        group,
        "reuse",
        "--harness-reuse",
        "keep each topology when the session ends, and attach to a kept one (checked first) "
        "instead of provisioning",
        default=False,
    )
    prefetch = (
        "start the next test's topology in the background while the current test runs, when "
        "their specs differ"
    )
    _switch(parser, group, "prefetch", "--harness-no-prefetch", prefetch, default=True)
    seed = (
        "write a cluster's namespace from what the first topology of its kind had its first "
        "node write (engines whose first boots race), so every node boots at once"
    )
    _switch(parser, group, "seed", "--harness-no-seed", seed, default=True)
    chaos = parser.getgroup("harness-chaos", "harness: randomised fault schedules")
    chaos.addoption(
        "--harness-chaos",
        action="store_true",
        default=False,
        help="run the tests marked chaos (deselected otherwise, unless -m names chaos)",
    )
    for option, kind, value, about in CHAOS_OPTIONS:
        chaos.addoption(
            f"--harness-chaos-{option}",
            dest=f"harness_chaos_{option}",
            type=kind,
            default=value,
            help=f"{about} (default: {value})",
        )
    chaos.addoption(
        "--harness-chaos-hunt",
        dest="harness_chaos_hunt",
        action="append",
        default=[],
        metavar="PATTERN",
        help="a known behaviour's signature pattern (shell wildcards, e.g. 'a node is behind "
        "the registry on rule*') to shrink anyway: the run stops at the first failure "
        "matching it and shrinks it (may be given more than once)",
    )
    chaos.addoption(
        "--harness-chaos-faults",
        dest="harness_chaos_faults",
        default="",
        metavar="STEP,...",
        help=f"the fault steps schedules may draw, comma-separated, of: {', '.join(FAULTS)} "
        "(default: all)",
    )
    chaos.addoption(
        "--harness-chaos-changes",
        dest="harness_chaos_changes",
        default="",
        metavar="STEP,...",
        help="the metadata-change steps schedules may draw, comma-separated, of: "
        f"{', '.join(CHANGES)} (default: all; the database steps need create_database)",
    )


def _value(config: pytest.Config, name: str) -> str:
    opt = config.getoption(f"harness_{name}")
    return str(opt if opt is not None else config.getini(f"harness_{name}"))


def _flag(config: pytest.Config, name: str) -> bool:
    """A yes/no setting: the command line's when given, else the ini's."""
    opt = config.getoption(f"harness_{name}")
    return bool(config.getini(f"harness_{name}") if opt is None else opt)


def _settings(config: pytest.Config) -> Settings:
    try:
        mode = parse_mode(_value(config, "mode"))
        explicit = config.getoption("harness_registry")
        if explicit is not None and mode != "cluster":
            # A registry from ini defaults (a CI matrix cell's) is fine; one on the command
            # line that the mode cannot use is a contradiction.
            raise SpecError(
                "--harness-registry",
                explicit,
                f"none with --harness-mode={mode} (a registry is used in cluster mode only)",
                f"drop --harness-registry, or pass --harness-mode=cluster to run on {explicit}",
            )
        registry = parse_registry(_value(config, "registry")) if mode == "cluster" else None
        nodes = parse_nodes(_value(config, "nodes"))
        source = _value(config, "image_source").strip().lower()
        if source not in IMAGE_SOURCES:
            raise SpecError(
                "image source",
                source,
                " | ".join(IMAGE_SOURCES),
                "pass --harness-image-source=local to use `harness images build`",
            )
        settings = Settings(
            source,
            mode,
            registry,
            nodes,
            _value(config, "proxy_image") or None,
            config.rootpath / _value(config, "report_dir"),
            _value(config, "proxy_dialect").strip() or None,
            _flag(config, "reuse"),
            _value(config, "attach").strip() or None,
            _flag(config, "prefetch"),
            _flag(config, "seed"),
        )
        if settings.attach is not None:
            settings = _attached_settings(settings)
        if settings.proxy_dialect is not None:
            dialect_named(settings.proxy_dialect)
        settings.spec()  # the default spec must be valid too
        _chaos_settings(config.getoption)
    except SpecError as exc:
        raise pytest.UsageError(f"harness: {exc}") from None
    return settings


def _attached_settings(settings: Settings) -> Settings:
    """With --harness-attach=NAME the default spec is the `harness up` topology's."""
    name = settings.attach or ""
    state = detached.attach_state(name)
    if state is None:
        up = sorted(p.stem for p in detached.state_dir().glob("*.attach"))
        raise SpecError(
            "--harness-attach",
            name,
            f"a topology `harness up` started ({', '.join(up) or 'none is up'})",
            "run `harness status` for the names, or `harness up` to start one",
        )
    spec = state.topology_spec()
    return dataclasses.replace(
        settings,
        mode=spec.mode,
        registry=spec.registry,
        nodes=spec.nodes,
        proxy_image=spec.proxy_image,
        proxy_dialect=spec.proxy_dialect,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cluster: runs against a cluster-mode topology")
    config.addinivalue_line("markers", "memory: runs against a memory-mode topology")
    config.addinivalue_line("markers", "standalone: runs against a standalone-mode topology")
    config.addinivalue_line("markers", "fault: injects faults")
    config.addinivalue_line(
        "markers",
        "chaos: a randomised fault schedule run (harness.chaos); deselected unless "
        "--harness-chaos or -m chaos",
    )
    config.addinivalue_line(
        "markers",
        "topology(mode=, registry=, nodes=, storage_nodes=, namespace=, props=, "
        "proxy_image=): the topology this test needs (defaults from the harness options)",
    )
    config.addinivalue_line(
        "markers",
        "known_issue(reason, versions=None, raises=None, strict=True): known behaviour of the "
        "proxy release(s) in versions (default: every release); on a matching release the test "
        "is a strict xfail, so a fixed release turns it into a failure to look at (strict=False "
        "for a race that shows at a measured rate: a pass there is not a verdict)",
    )
    settings = _settings(config)
    config.stash[SETTINGS_KEY] = settings
    # SIGTERM (a CI job's time-out, `timeout`, a supervisor) tears down like Ctrl-C.
    sigterm = config.stash[SIGTERM_KEY] = TerminateAsInterrupt()
    sigterm.install()
    config.stash[ENGINE_KEY] = EngineCheck(settings.image_source)
    hook = config.hook
    # Under pytest-xdist the run's report folder is the controller's; each worker owns (and
    # labels, and tears down) its own topologies.
    worker = getattr(config, "workerinput", None)
    pool = config.stash[POOL_KEY] = TopologyPool(
        settings.image_source,
        on_started=lambda t: hook.pytest_harness_topology_started(topology=t),
        on_stopped=lambda t: hook.pytest_harness_topology_stopped(topology=t),
        on_event=_progress(config),
        reuse=settings.reuse,
        attach=settings.attach,
        seeds=SeedStore.default() if settings.seed else None,
        worker=worker["workerid"] if worker else "main",
        say=_say(config),
    )
    run_id = worker["harness_run_id"] if worker else pool.run.run_id
    part = worker["workerid"] if worker else None
    report = config.stash[REPORT_KEY] = RunReport(settings.report_dir, run_id, part)
    config.pluginmanager.register(report, "harness-report")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistBridge(run_id, sigterm), "harness-xdist")


class _XdistBridge:
    """Hands the controller's run id to every worker, and has a SIGTERM to the controller
    reach the workers, which own the topologies (registered only with xdist, whose hooks
    these are)."""

    def __init__(self, run_id: str, sigterm: TerminateAsInterrupt) -> None:
        self.run_id = run_id
        self.sigterm = sigterm

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["harness_run_id"] = self.run_id

    def pytest_testnodeready(self, node: Any) -> None:
        pid = _worker_pid(node)
        if pid is not None:
            self.sigterm.forward_to.add(pid)

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        self.sigterm.forward_to.discard(_worker_pid(node))


def _worker_pid(node: Any) -> int | None:
    """A local worker's process id: its execnet gateway's Popen (xdist does not report it;
    a remote worker has none here and is left to its own teardown)."""
    pid = getattr(getattr(getattr(node.gateway, "_io", None), "popen", None), "pid", None)
    return pid if isinstance(pid, int) else None


PROGRESS_KINDS = ("topology", "wait", "registry", "storage", "node")


def _say(config: pytest.Config) -> Callable[[str], None]:
    """One line in the terminal (around output capture), unless -q."""

    def say(line: str) -> None:
        terminal = config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None or config.get_verbosity() < 0:
            return
        capture = config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            terminal.ensure_newline()
            terminal.write_line(line)

    return say


def _progress(config: pytest.Config) -> Callable[[Event], None] | None:
    """Provisioning progress in the terminal: a live status line by default
    (``progress.LiveStatus``), every event as a line with -v, nothing with -q."""
    verbosity = config.get_verbosity()
    if verbosity < 0:
        return None
    live: list[LiveStatus] = []

    def show(event: Event) -> None:
        # Looked up when used: the terminal reporter registers after this plugin configures.
        terminal = config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            return
        # Topologies start inside fixtures, while pytest captures output: write around it, as
        # pytest's own live logging does.
        capture = config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            if verbosity == 0:
                if not live:
                    live.append(LiveStatus(terminal))
                live[0](event)
            elif event.kind in PROGRESS_KINDS:
                terminal.write_line(f"harness +{event.at:6.2f}s {event.kind}: {event.detail}")

    return show


def _deselect_chaos(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Chaos runs take their own time budget: only on request."""
    if config.getoption("harness_chaos") or "chaos" in (config.option.markexpr or ""):
        return
    chaos = [item for item in items if item.get_closest_marker("chaos") is not None]
    if chaos:
        config.hook.pytest_deselected(items=chaos)
        items[:] = [item for item in items if item.get_closest_marker("chaos") is None]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Reject bad marker arguments before any container starts; group tests by topology so
    at most one topology per spec runs at a time, and note each spec's last user."""
    _deselect_chaos(config, items)
    settings = config.stash[SETTINGS_KEY]
    engines = config.stash[ENGINE_KEY]
    if any(_uses_topology(item) for item in items):
        # Only when a topology is wanted: a consumer's other tests may use any engine.
        try:
            check_local()
        except SpecError as exc:
            raise pytest.UsageError(f"harness: {exc}") from None
    specs = {item.nodeid: _spec_for(item, settings) for item in items}
    versions: dict[str, str] = {}
    for item in items:
        try:
            versions[item.nodeid] = engines.version(specs[item.nodeid])
        except SpecError as exc:
            raise pytest.UsageError(f"harness: {item.nodeid}: {exc}") from None
    first_seen: dict[object, int] = {}
    for i, item in enumerate(items):
        if _uses_topology(item):
            first_seen.setdefault(specs[item.nodeid].key, i)
    # Stable: tests without a topology keep their place ahead of the first topology group.
    items.sort(
        key=lambda it: first_seen.get(specs[it.nodeid].key, -1) if _uses_topology(it) else -1
    )
    last: dict[object, pytest.Item] = {}
    for item in items:
        if _uses_topology(item):
            last[specs[item.nodeid].key] = item
    for item in last.values():
        item.stash[LAST_USER_KEY] = specs[item.nodeid]
    for item in items:
        item.stash[ENGINE_VERSION_KEY] = versions.get(item.nodeid, "")
        _apply_known_issues(item, versions.get(item.nodeid, ""))


class EngineCheck:
    """Which release each spec's proxy runs and that harness can speak to it, told once per
    image at collection (before any container starts): by the catalog, else by the image's
    label or jars (harness/images/identify.py); ``proxy_dialect`` overrides the dialect."""

    def __init__(self, image_source: str) -> None:
        self._source = image_source
        self._client: Any = None
        self._versions: dict[str | None, str | None] = {}

    def version(self, spec: TopologySpec) -> str:
        ref = spec.proxy_image
        if ref not in self._versions:
            if ref is not None and release_of_official(ref) is None:
                self._client = self._client or connect()
                if self._source == "local":
                    require_local_image(self._client, ref)
            self._versions[ref] = engine_version(self._client, ref)
        version = self._versions[ref]
        if spec.proxy_dialect is not None:
            dialect_named(spec.proxy_dialect)
        else:
            dialect_for_version(version, ref or "")
        return version or ""


def _apply_known_issues(item: pytest.Item, version: str) -> None:
    """A ``known_issue`` whose versions include the release this test runs becomes a strict
    xfail naming the release (non-strict where the marker says ``strict=False``); on other
    releases the test must pass."""
    for marker in item.iter_markers("known_issue"):
        if len(marker.args) != 1 or set(marker.kwargs) - {"versions", "raises", "strict"}:
            raise pytest.UsageError(
                f"harness: {item.nodeid}: known_issue takes one reason and optionally "
                "versions= (a list of releases, e.g. ['5.1.0']), raises= (an exception type) "
                "and strict= (False for a race that shows at a measured rate)"
            )
        versions = marker.kwargs.get("versions")
        if versions is not None and version not in versions:
            continue
        item.add_marker(
            pytest.mark.xfail(
                strict=bool(marker.kwargs.get("strict", True)),
                raises=marker.kwargs.get("raises"),
                reason=f"{marker.args[0]} [proxy {version}]",
            )
        )


def _uses_topology(item: pytest.Item) -> bool:
    return "topology" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Note the test that runs next here (xdist tells its workers too), for prefetch."""
    item.stash[NEXT_ITEM_KEY] = nextitem


def _prefetch_next(item: pytest.Item, current: TopologySpec, pool: TopologyPool) -> None:
    """Start the next test's topology now if it wants another spec than this test's."""
    settings = item.config.stash[SETTINGS_KEY]
    after = item.stash.get(NEXT_ITEM_KEY, None)
    if not settings.prefetch or after is None or not _uses_topology(after):
        return
    spec = _spec_for(after, settings)
    if spec.key != current.key:
        pool.prefetch(spec)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """After the last test that needs a spec, its topology goes (not at session end)."""
    spec = item.stash.get(LAST_USER_KEY, None)
    if spec is not None:
        item.config.stash[POOL_KEY].discard(spec)


def _spec_for(item: pytest.Item, settings: Settings) -> Any:
    overrides: dict[str, object] = {}
    for name in ("memory", "standalone", "cluster"):
        if item.get_closest_marker(name) is not None and name != settings.mode:
            overrides["mode"] = name
    # Every topology marker counts (module, class, function, parametrize); closest wins.
    for marker in reversed(list(item.iter_markers("topology"))):
        if marker.args:
            raise pytest.UsageError(
                f"harness: {item.nodeid}: @pytest.mark.topology takes "
                f"keyword arguments only ({', '.join(MARKER_ARGS)})"
            )
        unknown = sorted(set(marker.kwargs) - set(MARKER_ARGS))
        if unknown:
            raise pytest.UsageError(
                f"harness: {item.nodeid}: unknown topology argument(s) "
                f"{unknown}; allowed: {', '.join(MARKER_ARGS)}"
            )
        overrides.update(marker.kwargs)
    try:
        spec = settings.spec(**overrides)
        if spec.proxy_dialect is not None:
            dialect_named(spec.proxy_dialect)
        return spec
    except SpecError as exc:
        marked = {k for m in item.iter_markers("topology") for k in m.kwargs}
        if exc.name in marked:  # the marker's value, not an option's: say how to fix that
            exc = SpecError(
                exc.name,
                exc.value,
                exc.allowed,
                f"change this test's @pytest.mark.topology({exc.name}=...) to an allowed value",
            )
        raise pytest.UsageError(f"harness: {item.nodeid}: {exc}") from None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # Tear down here, after the session's fixtures, rather than at unconfigure: an xdist
    # worker reports itself finished only after this hook, so its controller waits for the
    # teardown instead of killing the worker 10 s into it (after a Ctrl-C or SIGTERM).
    try:
        _close_pool(session.config)
    finally:
        report = session.config.stash.get(REPORT_KEY, None)
        if report is not None:
            session.config.stash[REPORT_PATH_KEY] = report.write()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    path = config.stash.get(REPORT_PATH_KEY, None)
    if path is not None:
        terminalreporter.write_line(
            f"harness report: {path.parent / 'index.html'} ({path.name} beside it)"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    _close_pool(config)  # a session that never reached sessionfinish
    sigterm = config.stash.get(SIGTERM_KEY, None)
    if sigterm is not None:
        sigterm.uninstall()


def _close_pool(config: pytest.Config) -> None:
    pool = config.stash.get(POOL_KEY, None)
    if pool is None:
        return
    del config.stash[POOL_KEY]
    with config.stash[SIGTERM_KEY].shielded():  # stashed with the pool, in pytest_configure
        pool.close()


@pytest.fixture(scope="session")
def harness_settings(pytestconfig: pytest.Config) -> Settings:
    return pytestconfig.stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def harness_pool(pytestconfig: pytest.Config) -> TopologyPool:
    return pytestconfig.stash[POOL_KEY]


@pytest.fixture
def topology(
    request: pytest.FixtureRequest, harness_pool: TopologyPool, harness_settings: Settings
) -> Iterator[Topology]:
    """A running topology for this test's spec, shared with every test asking the same.

    After the test, the hygiene check: a toxic, a link down, a node paused or stopped, or a
    registry down that is still there makes the test error naming it (and is repaired, so
    the next test sharing the topology starts clean). Logical databases the test made and
    left are dropped, with a ``HarnessLeftoverWarning`` naming them.
    """
    spec = _spec_for(request.node, harness_settings)
    topo = harness_pool.get(spec)
    _prefetch_next(request.node, spec, harness_pool)
    request.node.stash[TOPOLOGY_KEY] = topo
    request.config.stash[REPORT_KEY].mark_start(
        request.node.nodeid, topo, request.node.stash.get(ENGINE_VERSION_KEY, "")
    )
    topo.take_commit()  # an earlier test's change is not this test's origin
    before = served_databases(topo)
    yield topo
    if topo.stopped:
        return
    problems = leftovers(topo)
    if problems:
        repair(topo)
    left = drop_new_databases(topo, before)
    if left:
        said = f"database {', '.join(left)} (dropped)"
        topo.record(Hygiene([said]))
        warnings.warn(
            HarnessLeftoverWarning(
                f"harness hygiene: {request.node.nodeid} left {said}. Fix: drop what the test "
                "creates, or use the harness_db fixture (LogicalDatabase), which does"
            ),
            stacklevel=1,
        )
    if problems:
        topo.record(Hygiene(problems))
        pytest.fail(
            "harness hygiene: the test left faults behind (now repaired):\n  - "
            + "\n  - ".join(problems)
            + "\nFix: use the `faults` fixture or its context managers, which always heal",
            pytrace=False,
        )


@pytest.fixture
def faults(topology: Topology) -> Iterator[Faults]:
    """Fault injection on this test's topology; every fault still on is healed afterwards."""
    controller = Faults.of(topology)
    yield controller
    controller.heal_all()


@pytest.fixture
def chaos_settings(request: pytest.FixtureRequest) -> ChaosSettings:
    """The chaos run's settings, from the --harness-chaos-* options."""
    return _chaos_settings(request.config.getoption)


def _chaos_settings(opt: Callable[[str], Any]) -> ChaosSettings:
    """The --harness-chaos-* options as settings (SpecError on a bad one)."""
    return ChaosSettings(
        examples=opt("harness_chaos_examples"),
        steps=opt("harness_chaos_steps"),
        budget_s=opt("harness_chaos_budget"),
        seed=opt("harness_chaos_seed"),
        converge_s=opt("harness_chaos_converge"),
        statement_s=opt("harness_chaos_statement"),
        hunt=tuple(opt("harness_chaos_hunt")),
        faults=parse_faults(opt("harness_chaos_faults")),
        changes=parse_changes(opt("harness_chaos_changes")),
    )


@pytest.fixture
def chaos(
    request: pytest.FixtureRequest, topology: Topology, chaos_settings: ChaosSettings
) -> ChaosRunner:
    """Run randomised fault schedules on this test's topology: ``chaos()`` returns the
    examples run, or fails with the minimal schedule and its seed (harness.chaos).
    ``chaos(known={pattern: reason})`` records failures of known behaviour and keeps looking
    (see harness.chaos_signature for the signatures the patterns match). The state each kind
    of failure left is saved under the run's report folder, in ``chaos/``."""

    def run(*, known: Mapping[str, str] | None = None) -> int:
        safe = folder_name(request.node.nodeid)
        settings = dataclasses.replace(
            chaos_settings,
            known={**chaos_settings.known, **(known or {})},
            evidence=chaos_settings.evidence
            or request.config.stash[REPORT_KEY].folder / "chaos" / safe,
        )
        return run_chaos(topology, settings)

    return run


@pytest.fixture
def proxy_version(request: pytest.FixtureRequest) -> str:
    """The proxy release this test runs on (e.g. ``5.5.2``; empty if the image names none)."""
    version: str = request.node.stash.get(ENGINE_VERSION_KEY, "")
    return version


@pytest.fixture
def harness_db(request: pytest.FixtureRequest, topology: Topology) -> Iterator[LogicalDatabase]:
    """A fresh logical database (and physical databases on storage) for this test only."""
    db = LogicalDatabase.create(topology, request.node.nodeid)
    yield db
    db.drop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    topo = item.stash.get(TOPOLOGY_KEY, None)
    if topo is None:
        return report
    if report.failed:
        first = (str(report.longreprtext).strip().splitlines() or [""])[-1]
        topo.record(Failure(report.when, first[:200]))
        _attach_diagnostics(item, report, topo)
    if report.when == "teardown":
        events = item.config.stash[REPORT_KEY].events_of(item.nodeid)
        report.user_properties.extend(_junit_properties(events))
    return report


def _attach_diagnostics(item: pytest.Item, report: pytest.TestReport, topo: Topology) -> None:
    """Logs, every node's snapshot and the registry dump, saved under the run's folder and
    summarised in a report section."""
    run_report = item.config.stash[REPORT_KEY]
    safe = folder_name(item.nodeid)
    dest = run_report.folder / "failures" / f"{safe}-{report.when}"
    files = topo.collect_logs(dest) + dump_state(topo, dest)
    run_report.set_artifacts(item.nodeid, dest)
    lines = [f"logs, snapshots and registry dump saved under {dest}"]
    for path in files:
        tail = path.read_text().splitlines()[-15:]
        lines.append(f"--- {path.name} (last {len(tail)} lines)")
        lines.extend(tail)
    lines.append("--- timeline")
    lines.extend(f"+{e.at:7.2f}s {e.kind}: {e.detail}" for e in topo.events[-30:])
    report.sections.append(("harness diagnostics", "\n".join(lines)))


def _junit_properties(events: list[Event]) -> list[tuple[str, object]]:
    """Per-node convergence latencies and the faults injected, for JUnit XML consumers."""
    latency: dict[str, list[str]] = {}
    faults: list[str] = []
    for record in map(decode, events):
        if isinstance(record, Convergence):
            for node, ms in record.latency_ms.items():
                latency.setdefault(node, []).append(str(ms))
        elif isinstance(record, Fault) and record.state == "on":
            faults.append(record.what)
    props: list[tuple[str, object]] = [
        (f"harness.convergence_ms.{node}", ",".join(v)) for node, v in sorted(latency.items())
    ]
    if faults:
        props.append(("harness.faults", "; ".join(faults)))
    return props
