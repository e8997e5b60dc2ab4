"""The 5.5.x source build: which modules it compiles, and how an image's release is told."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.images import catalog
from harness.images.builder import ImageBuilder, training_line
from harness.images.identify import version_from_jar_names
from harness.images.reactor import closure, read_reactor
from harness.images.source_build import modules_to_build

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  {parent}<groupId>org.apache.shardingsphere</groupId><artifactId>{artifact}</artifactId>
  <modules>{modules}</modules>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.apache.shardingsphere</groupId><artifactId>unused</artifactId>
    </dependency></dependencies></dependencyManagement>
  <dependencies>{deps}</dependencies>
</project>"""


def _pom(
    root: Path,
    rel: str,
    artifact: str,
    *,
    parent: str = "",
    modules: tuple[str, ...] = (),
    deps: tuple[str, ...] = (),
) -> None:
    folder = root / rel
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pom.xml").write_text(
        POM.format(
            parent=f"<parent><artifactId>{parent}</artifactId></parent>" if parent else "",
            artifact=artifact,
            modules="".join(f"<module>{m}</module>" for m in modules),
            deps="".join(
                f"<dependency><groupId>${{project.groupId}}</groupId><artifactId>{d}"
                "</artifactId></dependency>"
                for d in deps
            ),
        )
    )


@pytest.fixture
def release(tmp_path: Path) -> Path:
    _pom(tmp_path, ".", "root", modules=("infra", "proxy", "unused"))
    _pom(tmp_path, "infra", "infra", parent="root", modules=("common",))
    _pom(tmp_path, "infra/common", "infra-common", parent="infra")
    _pom(tmp_path, "proxy", "proxy", parent="root", modules=("bootstrap",))
    _pom(tmp_path, "proxy/bootstrap", "proxy-bootstrap", parent="proxy", deps=("infra-common",))
    _pom(tmp_path, "unused", "unused", parent="root")
    return tmp_path


def test_closure_is_what_also_make_builds(release: Path) -> None:
    reactor = read_reactor(release)
    assert set(reactor) == {"root", "infra", "infra-common", "proxy", "proxy-bootstrap", "unused"}
    paths = [m.path for m in closure(reactor, "proxy/bootstrap")]
    # Dependencies and every parent pom on the way; a managed-only artifact is not one.
    assert paths == [".", "infra", "infra/common", "proxy", "proxy/bootstrap"]


def test_only_what_central_lacks_is_built(release: Path) -> None:
    on_central = {"root", "infra", "infra-common"}
    said: list[str] = []
    got = modules_to_build(release, "5.5.2", said.append, lambda a, _v: a in on_central)
    assert got == ["proxy", "proxy/bootstrap"]
    assert said == ["2 of 5 modules are not on Maven Central; building those"]


def test_whole_closure_when_central_cannot_be_asked(release: Path) -> None:
    def offline(_artifact: str, _version: str) -> bool:
        raise OSError("Temporary failure in name resolution")

    said: list[str] = []
    got = modules_to_build(release, "5.5.2", said.append, offline)
    assert got == [".", "infra", "infra/common", "proxy", "proxy/bootstrap"]
    assert "building all 5" in said[0]


@pytest.mark.parametrize(
    ("jars", "version"),
    [
        (["lib/shardingsphere-proxy-backend-core-5.5.2.jar", "lib/x-1.0.0.jar"], "5.5.2"),
        # 5.1.1's image runs 5.1.0's bootstrap: the backend says the release.
        (
            ["shardingsphere-proxy-bootstrap-5.1.0.jar", "shardingsphere-proxy-backend-5.1.1.jar"],
            "5.1.1",
        ),
        (["shardingsphere-infra-common-5.3.2.jar"], "5.3.2"),
        (["sphereex-dbplusengine-proxy-1.3.0.jar", "netty-4.1.1.jar"], None),
    ],
)
def test_release_told_by_jar_names(jars: list[str], version: str | None) -> None:
    assert version_from_jar_names(jars) == version


def test_training_line() -> None:
    assert training_line("5.1.1") == "5.1"
    assert training_line("5.5.2") == "5.5"
    assert training_line("5.2.0") == "5.5"


def _dist(tmp_path: Path, *jars: str) -> Path:
    root = tmp_path / "dist"
    (root / "lib").mkdir(parents=True)
    (root / "ext-lib").mkdir()
    for jar in jars:
        (root / "lib" / jar).write_text("")
    return root


def test_a_55_distribution_gets_the_driver_and_vertx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extras = tmp_path / "extras"
    for folder, jar in (("ext-lib", "mysql-connector-j-8.3.0.jar"), ("train-lib", "m.jar")):
        (extras / folder).mkdir(parents=True)
        (extras / folder / jar).write_text("")
    builder = ImageBuilder(None, cache_dir=tmp_path / "cache")
    monkeypatch.setattr(builder, "_resolve_jars", lambda *_a, **_k: extras)
    root = _dist(tmp_path, "shardingsphere-proxy-backend-core-5.5.2.jar")
    composed = builder._with_extras(root, catalog.context_dir("shardingsphere-proxy"))
    assert composed != root
    assert (composed / "lib" / "shardingsphere-proxy-backend-core-5.5.2.jar").exists()
    assert (composed / "ext-lib" / "mysql-connector-j-8.3.0.jar").exists()
    assert not (root / "ext-lib" / "mysql-connector-j-8.3.0.jar").exists()  # the user's, untouched


@pytest.mark.parametrize(
    "jars",
    [
        ("shardingsphere-proxy-backend-5.1.1.jar",),  # 5.1: taken as it is
        ("shardingsphere-proxy-backend-core-5.5.2.jar", "mysql-connector-j-8.3.0.jar"),
        ("dbplusengine-proxy-1.3.0.jar",),  # release not told
    ],
)
def test_other_distributions_are_taken_as_they_are(tmp_path: Path, jars: tuple[str, ...]) -> None:
    builder = ImageBuilder(None, cache_dir=tmp_path / "cache")
    root = _dist(tmp_path, *jars)
    assert builder._with_extras(root, catalog.context_dir("shardingsphere-proxy")) == root
