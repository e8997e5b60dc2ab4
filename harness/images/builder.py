"""Offline image builder: Debian packages (debootstrap), Maven Central and the Go module proxy.

No registry is contacted. ``base`` is a debootstrapped root filesystem imported with
``docker import``; zookeeper, etcd and mariadb add a layer of Debian packages ``FROM`` it;
toxiproxy is a static ``go install``; shardingsphere-proxy is its Maven-resolved jars laid out
as the official image.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tarfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors

from harness.errors import ImageBuildError
from harness.images import catalog
from harness.images.identify import version_from_jar_names
from harness.images.source_build import DEPENDENCY_PLUGIN, build_from_source
from harness.images.steps import Progress, chroot_install, require_tool, run_step

__all__ = ["BuildResult", "ImageBuilder", "default_cache_dir", "training_line"]

BASE_ENV = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
]
# Where the official image keeps them: the MySQL driver, and the etcd repository's vert.x.
MYSQL_DRIVER_PREFIXES = ("mysql-connector-java-", "mysql-connector-j-")
EXT_LIB_PREFIXES = (*MYSQL_DRIVER_PREFIXES, "vertx-")
# ZooKeeper server jars the class-data-sharing training needs (pom.xml), kept off the classpath.
TRAINING_PREFIXES = ("metrics-core-", "snappy-java-")


def training_line(version: str) -> str:
    """Which training configurations (cds/<line>/) a release boots with: 5.2 dropped Memory
    mode and ``server.yaml``'s authority rule for ``global.yaml``'s."""
    major, minor = (int(p) for p in version.split(".")[:2])
    return "5.1" if (major, minor) < (5, 2) else "5.5"


def default_cache_dir() -> Path:
    """Where build inputs are cached: ``$HARNESS_CACHE_DIR`` or ``~/.cache/harness``."""
    env = os.environ.get("HARNESS_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "harness"


@dataclass(frozen=True)
class BuildResult:
    role: str
    tag: str
    built: bool
    seconds: float


class ImageBuilder:
    """Builds the local images; a role whose content-hash tag exists is skipped."""

    def __init__(
        self,
        client: Any,
        *,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
        proxy_dist: Path | None = None,
        proxy_version: str = catalog.DEFAULT_PROXY_VERSION,
    ) -> None:
        self._client = client
        self._cache = (cache_dir or default_cache_dir()).resolve()
        self._progress = progress or (lambda _msg: None)
        self._proxy_dist = proxy_dist
        self._proxy_release = catalog.proxy_release(proxy_version)
        self._print_lock = threading.Lock()
        self._started = time.monotonic()

    # -- queries -------------------------------------------------------------------------
    def tag(self, role_name: str) -> str:
        extra = ""
        if role_name == "shardingsphere-proxy" and self._proxy_dist is not None:
            st = self._proxy_dist.stat()
            extra = f"{self._proxy_dist.resolve()}:{st.st_size}:{st.st_mtime_ns}"
        return catalog.local_tag(role_name, extra, self._proxy_release.version)

    def present(self, role_name: str) -> bool:
        try:
            self._client.images.get(self.tag(role_name))
        except docker.errors.ImageNotFound:
            return False
        return True

    # -- build ---------------------------------------------------------------------------
    def build(
        self, roles: Sequence[str] | None = None, *, force: bool = False
    ) -> list[BuildResult]:
        """Build ``roles`` (default: all) and their parents; return one result per role."""
        wanted = list(roles) if roles else list(catalog.ROLES)
        for name in wanted:
            catalog.role(name)
        self._cache.mkdir(parents=True, exist_ok=True)
        with self._lock():
            needed = self._closure(wanted)
            results: dict[str, BuildResult] = {}
            todo = [n for n in needed if (force and n in wanted) or not self.present(n)]
            for name in needed:
                if name not in todo:
                    results[name] = BuildResult(name, self.tag(name), False, 0.0)
            if todo:
                self._say("build", f"building {', '.join(todo)}")
                self._build_all(todo, results)
        return [results[n] for n in needed]

    def _closure(self, wanted: Sequence[str]) -> list[str]:
        order: list[str] = []
        for name in wanted:
            chain: list[str] = []
            r: str | None = name
            while r is not None:
                chain.append(r)
                r = catalog.role(r).parent
            for n in reversed(chain):
                if n not in order:
                    order.append(n)
        return order

    def _build_all(self, todo: list[str], results: dict[str, BuildResult]) -> None:
        # Host-side fetches (go, maven) overlap with debootstrap; children of base run together.
        with ThreadPoolExecutor(max_workers=4) as pool:
            fetches: dict[str, Future[Path]] = {}
            if "toxiproxy" in todo:
                fetches["toxiproxy"] = pool.submit(self._fetch_toxiproxy)
            if "shardingsphere-proxy" in todo:
                fetches["shardingsphere-proxy"] = pool.submit(self._fetch_proxy)
            if "base" in todo:
                results["base"] = self._timed("base", self._build_base)
            children = [n for n in todo if n != "base"]
            futures = {
                n: pool.submit(self._timed, n, self._builder_for(n, fetches)) for n in children
            }
            for name, fut in futures.items():
                results[name] = fut.result()

    def _builder_for(self, name: str, fetches: dict[str, Future[Path]]) -> Any:
        if name == "toxiproxy":
            return lambda: self._build_toxiproxy(fetches["toxiproxy"].result())
        if name == "shardingsphere-proxy":
            return lambda: self._build_proxy(fetches["shardingsphere-proxy"].result())
        return lambda: self._build_packages(name)

    def _timed(self, name: str, fn: Any) -> BuildResult:
        start = time.monotonic()
        fn()
        took = time.monotonic() - start
        self._say(name, f"done in {took:.1f}s -> {self.tag(name)}")
        return BuildResult(name, self.tag(name), True, took)

    # -- roles ---------------------------------------------------------------------------
    def _build_base(self) -> None:
        rootfs = self._base_rootfs(allow_export=False)
        tarball = self._cache / "base.tar"
        self._say("base", "packing root filesystem")
        run_step(
            "base",
            "tar rootfs",
            ["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(tarball), "."],
        )
        repo, tag = self.tag("base").rsplit(":", 1)
        self._say("base", "docker import")
        try:
            self._client.api.import_image_from_file(
                str(tarball), repository=repo, tag=tag, changes=BASE_ENV
            )
        except Exception as exc:  # the SDK raises APIError/DockerException
            raise ImageBuildError("base", "docker import", str(exc)) from exc
        finally:
            tarball.unlink(missing_ok=True)

    def _base_rootfs(self, *, allow_export: bool = True) -> Path:
        """The base root filesystem on the host (for chroot installs), made once per tag."""
        tag_id = self.tag("base").rsplit(":", 1)[1]
        rootfs = self._cache / f"rootfs-{tag_id}"
        marker = rootfs.with_suffix(".complete")
        if marker.exists():
            return rootfs
        if rootfs.exists():
            shutil.rmtree(rootfs)
        if allow_export and self.present("base"):
            self._say("base", "exporting root filesystem from the base image")
            self._export_image(self.tag("base"), rootfs)
        else:
            require_tool("debootstrap", "base", "apt-get install debootstrap (Debian)")
            packages = ",".join(catalog.role("base").packages)
            self._say("base", f"debootstrap {catalog.DEBIAN_SUITE} (+{packages})")
            run_step(
                "base",
                "debootstrap",
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={packages}",
                    catalog.DEBIAN_SUITE,
                    str(rootfs),
                    catalog.DEBIAN_MIRROR,
                ],
            )
            for rel in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for p in (rootfs / rel).glob("*"):
                    if p.is_file():
                        p.unlink()
        marker.touch()
        return rootfs

    def _export_image(self, tag: str, dest: Path) -> None:
        container = self._client.containers.create(tag, command=["true"])
        try:
            dest.mkdir(parents=True)
            tarball = dest.with_suffix(".tar")
            with tarball.open("wb") as fh:
                for chunk in container.export():
                    fh.write(chunk)
            run_step(
                "base",
                "untar export",
                ["tar", "-C", str(dest), "--numeric-owner", "-xf", str(tarball)],
            )
            tarball.unlink()
        finally:
            container.remove(force=True)

    def _build_packages(self, name: str) -> None:
        rootfs = self._base_rootfs()
        work = self._cache / "work" / name
        layer = chroot_install(
            name, rootfs, work, catalog.role(name).packages, lambda m: self._say(name, m)
        )
        ctx = self._context(name)
        self._say(name, "packing layer")
        run_step(
            name,
            "tar layer",
            ["tar", "-C", str(layer), "--numeric-owner", "-cf", str(ctx / "layer.tar"), "."],
        )
        shutil.rmtree(work)
        self._docker_build(name, ctx)

    def _fetch_toxiproxy(self) -> Path:
        require_tool("go", "toxiproxy", "install Go (https://go.dev/doc/install) or golang-go")
        gobin = self._cache / f"toxiproxy-{catalog.TOXIPROXY_VERSION}"
        binary = gobin / "server"
        if not binary.exists():
            self._say("toxiproxy", f"go install toxiproxy server {catalog.TOXIPROXY_VERSION}")
            run_step(
                "toxiproxy",
                "go install",
                [
                    "go",
                    "install",
                    "-trimpath",
                    "-ldflags=-s -w",
                    f"github.com/Shopify/toxiproxy/v2/cmd/server@{catalog.TOXIPROXY_VERSION}",
                ],
                env={"CGO_ENABLED": "0", "GOBIN": str(gobin), "GOFLAGS": "-mod=mod"},
            )
        return binary

    def _build_toxiproxy(self, binary: Path) -> None:
        ctx = self._context("toxiproxy")
        shutil.copy2(binary, ctx / "toxiproxy")
        self._docker_build("toxiproxy", ctx)

    def _fetch_proxy(self) -> Path:
        release = self._proxy_release
        context = catalog.context_dir("shardingsphere-proxy")
        if self._proxy_dist is not None:
            return self._with_extras(self._unpack_dist(self._proxy_dist), context)
        if release.from_source:
            say = lambda m: self._say("shardingsphere-proxy", m)  # noqa: E731
            source, repo = build_from_source(release.version, release.source_sha1, self._cache, say)
            pom = (context / "pom-source.xml").read_text()
            return self._resolve_jars(
                pom,
                [f"-Dmaven.repo.local={repo}"],
                release.source_sha1,
                distribution=source / "distribution" / "proxy" / "pom.xml",
            )
        pom = (context / "pom.xml").read_text()
        pom = pom.replace("@PROXY_VERSION@", release.version)
        pom = pom.replace("@BOOTSTRAP_VERSION@", release.bootstrap)
        return self._resolve_jars(pom, [], "")

    def _resolve_jars(
        self, pom: str, mvn_args: list[str], extra: str, distribution: Path | None = None
    ) -> Path:
        """The runtime closure of ``pom`` (and of a source release's ``distribution`` module,
        resolved in its own reactor so the release's dependency management pins the whole
        tree, as its binary distribution is assembled) sorted into lib/, ext-lib/ and
        train-lib/."""
        version = self._proxy_release.version
        # Keyed by the rendered pom, so a changed dependency list resolves afresh.
        key = hashlib.sha256((pom + extra).encode()).hexdigest()[:10]
        staging = self._cache / f"proxy-{version}-{key}"
        marker = staging / ".complete"
        if marker.exists():
            return staging
        require_tool("mvn", "shardingsphere-proxy", "apt-get install maven (Debian)")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        (staging / "pom.xml").write_text(pom)
        self._say("shardingsphere-proxy", f"resolving {version} jars from Maven Central")
        for pom_file in (distribution, staging / "pom.xml"):
            if pom_file is None:
                continue
            run_step(
                "shardingsphere-proxy",
                f"mvn dependency:copy-dependencies ({pom_file.parent.name})",
                [
                    "mvn",
                    "-B",
                    "-q",
                    *mvn_args,
                    "-f",
                    str(pom_file),
                    f"{DEPENDENCY_PLUGIN}:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={staging / 'jars'}",
                ],
            )
        lib, ext, train = staging / "lib", staging / "ext-lib", staging / "train-lib"
        for folder in (lib, ext, train):
            folder.mkdir()
        for jar in sorted((staging / "jars").glob("*.jar")):
            dest = lib
            if jar.name.startswith(EXT_LIB_PREFIXES):
                dest = ext
            elif jar.name.startswith(TRAINING_PREFIXES):
                dest = train
            jar.rename(dest / jar.name)
        marker.touch()
        return staging

    def _unpack_dist(self, dist: Path) -> Path:
        """Accept a proxy distribution (a DBPlusEngine or ShardingSphere tarball, or folder)."""
        if dist.is_dir():
            root = dist
        else:
            root = self._cache / "proxy-dist"
            if root.exists():
                shutil.rmtree(root)
            root.mkdir(parents=True)
            with tarfile.open(dist) as tf:
                tf.extractall(root, filter="data")
            tops = [p for p in root.iterdir() if p.is_dir()]
            if len(tops) == 1 and not (root / "lib").exists():
                root = tops[0]
        if not (root / "lib").is_dir():
            raise ImageBuildError(
                "shardingsphere-proxy",
                "unpack distribution",
                f"{dist} has no lib/ folder. Fix: point HARNESS_PROXY_DIST at "
                "a proxy tarball or its unpacked folder",
            )
        (root / "ext-lib").mkdir(exist_ok=True)
        return root

    def _with_extras(self, root: Path, context: Path) -> Path:
        """A 5.2+ binary distribution ships no MySQL driver and, for etcd, no vert.x: add what
        a source build's image has (pom-source.xml) to a copy of it, as the official image's
        users do by hand in ext-lib/. A 5.1 or DBPlusEngine distribution is taken as it is."""
        jars = [p.name for folder in ("lib", "ext-lib") for p in (root / folder).glob("*.jar")]
        version = version_from_jar_names(jars)
        has_driver = any(n.startswith(MYSQL_DRIVER_PREFIXES) for n in jars)
        if version is None or training_line(version) != "5.5" or has_driver:
            return root
        self._say("shardingsphere-proxy", f"adding Connector/J and vert.x to the {version} dist")
        extras = self._resolve_jars((context / "pom-source.xml").read_text(), [], "dist")
        composed = self._cache / "proxy-dist-composed"
        if composed.exists():
            shutil.rmtree(composed)
        shutil.copytree(root, composed, symlinks=True)
        for folder in ("ext-lib", "train-lib"):
            (composed / folder).mkdir(exist_ok=True)
            for jar in (extras / folder).glob("*.jar"):
                shutil.copy2(jar, composed / folder / jar.name)
        return composed

    def _build_proxy(self, staging: Path) -> None:
        ctx = self._context("shardingsphere-proxy")
        shutil.copytree(staging / "lib", ctx / "lib")
        shutil.copytree(staging / "ext-lib", ctx / "ext-lib")
        # A distribution has no training jars: its cluster training boot finds no registry.
        (ctx / "train-lib").mkdir()
        for jar in (staging / "train-lib").glob("*.jar"):
            shutil.copy2(jar, ctx / "train-lib" / jar.name)
        for pom in ctx.glob("pom*.xml"):
            pom.unlink()
        # What the jars say wins over the catalog: a distribution may be any release.
        jars = (p.name for p in (staging / "lib").glob("*.jar"))
        version = version_from_jar_names(jars) or self._proxy_release.version
        self._docker_build(
            "shardingsphere-proxy",
            ctx,
            buildargs={"ENGINE_LINE": training_line(version)},
            labels={catalog.ENGINE_VERSION_LABEL: version},
        )

    # -- helpers -------------------------------------------------------------------------
    def _context(self, name: str) -> Path:
        ctx = self._cache / "context" / name
        if ctx.exists():
            shutil.rmtree(ctx)
        shutil.copytree(catalog.context_dir(name), ctx)
        dockerfile = ctx / "Dockerfile"
        parent = catalog.role(name).parent
        text = dockerfile.read_text()
        if parent is not None:
            text = text.replace("@BASE@", self.tag(parent))
        dockerfile.write_text(text)
        return ctx

    def _docker_build(
        self,
        name: str,
        ctx: Path,
        *,
        buildargs: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        self._say(name, "docker build")
        try:
            self._client.images.build(
                path=str(ctx),
                tag=self.tag(name),
                rm=True,
                forcerm=True,
                pull=False,
                buildargs=buildargs or {},
                labels={catalog.IMAGE_ROLE_LABEL: name, **(labels or {})},
            )
        except Exception as exc:  # docker.errors.BuildError/APIError
            log = getattr(exc, "build_log", None) or []
            tail = "".join(str(e.get("stream", e.get("error", ""))) for e in list(log)[-20:])
            raise ImageBuildError(name, "docker build", f"{exc}\n{tail}") from exc
        finally:
            shutil.rmtree(ctx, ignore_errors=True)

    def _say(self, name: str, msg: str) -> None:
        with self._print_lock:
            self._progress(f"[{time.monotonic() - self._started:6.1f}s] {name}: {msg}")

    @contextmanager
    def _lock(self) -> Iterator[None]:
        # One builder at a time per cache (parallel pytest workers, two terminals).
        with (self._cache / "build.lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
