"""Compile a ShardingSphere release's proxy from its official source release on Maven Central.

5.5.x publishes no proxy modules to Central, but its source-release zip is there (with a
sha1), and so is the shardingsphere-jdbc closure the proxy is built on. So: fetch the zip and
check it against the pinned digest, unpack it, ask Central which modules of the proxy's
reactor closure it lacks (about 112 of 293 at 5.5.2), and ``mvn install`` just those, with
tests, javadoc and the style checks off; the rest resolves from Central. If Central cannot be
asked, the whole closure is built (``-am``), which is slower but needs nothing else.

Every step leaves a marker in the cache, keyed by the digest and ``RECIPE``, so a warm build
(or a rebuild after an unrelated change) never recompiles ShardingSphere.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from harness.errors import ImageBuildError
from harness.images.reactor import Module, closure, read_reactor
from harness.images.steps import require_tool, run_step

__all__ = ["CENTRAL", "MAVEN_SKIPS", "build_from_source", "fetch_source_release"]

ROLE = "shardingsphere-proxy"
CENTRAL = "https://repo.maven.apache.org/maven2"
GROUP_PATH = "org/apache/shardingsphere"
TARGET = "proxy/bootstrap"
# maven-dependency-plugin 2.8 (Maven 3.8's default) drags test-scope artifacts into `get`.
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
# Bump when the commands below change in a way the digest does not show.
RECIPE = "1"
MAVEN_SKIPS = (
    "-Dmaven.test.skip=true",
    "-Dmaven.javadoc.skip=true",
    "-Dmaven.source.skip=true",
    "-Dcheckstyle.skip",
    "-Dspotless.check.skip=true",
    "-Dspotless.apply.skip=true",
    "-Djacoco.skip=true",
    "-Drat.skip=true",
)

Say = Callable[[str], None]
Published = Callable[[str, str], bool]


def _central_lookup() -> Published:
    """Asks Central whether it serves an artifact, over one pooled connection; a failed
    request is retried, since one lookup among a hundred may meet a DNS hiccup."""
    retry = httpx.HTTPTransport(retries=3)
    client = httpx.Client(timeout=15, follow_redirects=True, transport=retry)

    def published(artifact: str, version: str) -> bool:
        url = f"{CENTRAL}/{GROUP_PATH}/{artifact}/{version}/{artifact}-{version}.pom"
        status = client.head(url).status_code
        if status not in (200, 404):
            raise OSError(f"Maven Central answered {status} for {url}")
        return status == 200

    return published


def _sha1(path: Path) -> str:
    h = hashlib.sha1()  # noqa: S324 - the digest Central publishes beside the zip
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_source_release(version: str, sha1: str, cache: Path, say: Say) -> Path:
    """The release's unpacked source tree, fetched with Maven and checked against ``sha1``."""
    root = cache / "src" / f"shardingsphere-{version}-{sha1[:10]}"
    if (root / ".unpacked").exists():
        return root / f"shardingsphere-{version}"
    require_tool("mvn", ROLE, "apt-get install maven (Debian)")
    artifact = f"org.apache.shardingsphere:shardingsphere:{version}:zip:source-release"
    say(f"fetching the {version} source release from Maven Central")
    repo = cache / "m2"
    run_step(
        ROLE,
        "mvn dependency:get (source release)",
        [
            "mvn",
            "-B",
            "-q",
            f"-Dmaven.repo.local={repo}",
            f"{DEPENDENCY_PLUGIN}:get",
            f"-Dartifact={artifact}",
            "-Dtransitive=false",
        ],
    )
    zipped = repo / GROUP_PATH / "shardingsphere" / version
    zipped = zipped / f"shardingsphere-{version}-source-release.zip"
    got = _sha1(zipped)
    if got != sha1:
        zipped.unlink()
        raise ImageBuildError(
            ROLE,
            "check source release",
            f"{zipped.name} has sha1 {got}, the catalog pins {sha1}. Fix: retry (a corrupt "
            "download was removed); if it persists, the mirror serves another file",
        )
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    say("unpacking the source release")
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(root)
    (root / ".unpacked").touch()
    return root / f"shardingsphere-{version}"


def modules_to_build(
    source: Path, version: str, say: Say, published: Published | None = None
) -> list[str]:
    """Folders of the proxy's reactor closure that Central does not serve at ``version``;
    the whole closure when Central cannot be asked."""
    needed = closure(read_reactor(source), TARGET)
    ask = published or _central_lookup()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            flags = list(pool.map(lambda m: ask(m.artifact_id, version), needed))
    except (OSError, httpx.HTTPError) as exc:
        say(f"cannot ask Maven Central which modules it has ({exc}); building all {len(needed)}")
        return [m.path for m in needed]
    missing: list[Module] = [m for m, on in zip(needed, flags, strict=True) if not on]
    say(f"{len(missing)} of {len(needed)} modules are not on Maven Central; building those")
    return [m.path for m in missing]


def build_from_source(
    version: str, sha1: str, cache: Path, say: Say, published: Published | None = None
) -> tuple[Path, Path]:
    """Install the release's proxy modules into the cache's Maven repository; return the
    source tree and that repository."""
    source = fetch_source_release(version, sha1, cache, say)
    repo = cache / "m2"
    marker = source.parent / f".installed-{RECIPE}"
    if marker.exists():
        return source, repo
    modules = modules_to_build(source, version, say, published)
    say(f"compiling {len(modules)} modules (mvn install; a few minutes cold)")
    run_step(
        ROLE,
        "mvn install (proxy modules)",
        [
            "mvn",
            "-B",
            "-q",
            "-T",
            "2",
            f"-Dmaven.repo.local={repo}",
            *MAVEN_SKIPS,
            "install",
            "-pl",
            ",".join(modules),
        ],
        cwd=source,
        timeout=3600,
    )
    marker.touch()
    return source, repo
