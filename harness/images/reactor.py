"""The Maven reactor of a ShardingSphere source release, read from its poms (no Maven run).

The 5.5.x proxy is built from the official source release, but only the modules Maven Central
lacks are compiled: the shardingsphere-jdbc closure (infra, parsers, kernel, mode core) is
published at the same version and is resolved instead. This module finds which modules the
proxy's bootstrap needs (its in-reactor dependencies and their parent poms, what
``mvn -pl proxy/bootstrap -am`` would build) so the builder can ask Central which are missing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Module", "closure", "read_reactor"]

_NS = "{http://maven.apache.org/POM/4.0.0}"


@dataclass(frozen=True)
class Module:
    """One reactor module: its folder relative to the release root and what it refers to."""

    path: str
    artifact_id: str
    group_id: str
    parent: str | None
    dependencies: tuple[str, ...]


def _text(elem: ET.Element | None, tag: str) -> str:
    if elem is None:
        return ""
    child = elem.find(f"{_NS}{tag}")
    return (child.text or "").strip() if child is not None else ""


def _read(root: Path, rel: str, group: str) -> tuple[Module, list[str]]:
    # The release's own poms, from the zip checked against its pinned sha1.
    pom = ET.parse(root / rel / "pom.xml").getroot()  # noqa: S314
    parent_elem = pom.find(f"{_NS}parent")
    group_id = _text(pom, "groupId") or _text(parent_elem, "groupId") or group
    # Direct and profile dependencies; dependencyManagement only pins versions.
    paths = (f"{_NS}dependencies/", f"{_NS}profiles/{_NS}profile/{_NS}dependencies/")
    deps = [
        _text(dep, "artifactId")
        for path in paths
        for dep in pom.findall(f"{path}{_NS}dependency")
        if _text(dep, "groupId") in ("${project.groupId}", group_id)
    ]
    modules = [
        f"{rel}/{m.text.strip()}".lstrip("./") if rel != "." else m.text.strip()
        for m in pom.iter(f"{_NS}module")
        if m.text
    ]
    parent = _text(parent_elem, "artifactId") or None
    return Module(rel, _text(pom, "artifactId"), group_id, parent, tuple(deps)), modules


def read_reactor(root: Path) -> dict[str, Module]:
    """Every module of the release, by artifactId."""
    found: dict[str, Module] = {}
    todo = ["."]
    while todo:
        rel = todo.pop()
        module, children = _read(root, rel, "org.apache.shardingsphere")
        found[module.artifact_id] = module
        todo.extend(children)
    return found


def closure(reactor: dict[str, Module], target: str) -> list[Module]:
    """``target``'s in-reactor dependencies, transitively, with every parent pom on the way
    (what ``-am`` builds), in a stable order."""
    by_path = {m.path: m for m in reactor.values()}
    start = by_path[target]
    seen: dict[str, Module] = {}
    stack: list[Module] = [start]
    while stack:
        module = stack.pop()
        if module.artifact_id in seen:
            continue
        seen[module.artifact_id] = module
        refs: Iterable[str] = (*module.dependencies, *((module.parent,) if module.parent else ()))
        stack.extend(reactor[r] for r in refs if r in reactor)
    return sorted(seen.values(), key=lambda m: m.path)
