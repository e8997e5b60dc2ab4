"""The image catalog: one entry per role, pinned versions, official names and local tags.

Local tags carry a content hash of every build input (recipe version, context files, package
list, pinned versions, the parent's tag), so an unchanged image is never rebuilt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from harness.errors import SpecError

__all__ = [
    "LOCAL_REPOSITORY",
    "ROLES",
    "ImageSource",
    "Role",
    "context_dir",
    "local_tag",
    "official_ref",
    "role",
]

ImageSource = Literal["local", "official"]
IMAGE_SOURCES: tuple[ImageSource, ...] = ("local", "official")
LOCAL_REPOSITORY = "harness-local"
# Bump when a recipe changes in a way its context files do not show.
RECIPE_VERSION = "1"

DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
PROXY_VERSION = "5.1.0"
TOXIPROXY_VERSION = "v2.12.0"


@dataclass(frozen=True)
class Role:
    """One buildable image role."""

    name: str
    version: str
    official: str
    parent: str | None = None
    packages: tuple[str, ...] = field(default=())


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role(
            "base",
            DEBIAN_SUITE,
            "debian:bookworm-slim",
            packages=("openjdk-17-jre-headless", "procps"),
        ),
        Role("zookeeper", "3.8.0", "zookeeper:3.8.0", parent="base", packages=("zookeeper",)),
        Role(
            "etcd",
            "3.4.23",
            "quay.io/coreos/etcd:v3.4.23",
            parent="base",
            packages=("etcd-server",),
        ),
        Role("mariadb", "10.11", "mariadb:10.11", parent="base", packages=("mariadb-server",)),
        Role(
            "toxiproxy",
            TOXIPROXY_VERSION.lstrip("v"),
            f"ghcr.io/shopify/toxiproxy:{TOXIPROXY_VERSION.lstrip('v')}",
        ),
        Role(
            "shardingsphere-proxy",
            PROXY_VERSION,
            f"apache/shardingsphere-proxy:{PROXY_VERSION}",
            parent="base",
        ),
    )
}


def role(name: str) -> Role:
    """Look a role up by name, with an error that lists the roles."""
    try:
        return ROLES[name]
    except KeyError:
        raise SpecError(
            "image role", name, ", ".join(ROLES), "pass one of the listed roles to --only"
        ) from None


def context_dir(role_name: str) -> Path:
    """The build-context folder shipped inside the package for a role."""
    return Path(str(resources.files("harness.images") / "context" / role_name))


def _context_digest(role_name: str) -> str:
    folder = context_dir(role_name)
    h = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def local_tag(role_name: str, extra: str = "") -> str:
    """The content-addressed local tag of a role, e.g. ``harness-local/zookeeper:3.8.0-1a2b3c4d5e``.

    ``extra`` folds in inputs that live outside the package (a user's proxy distribution).
    """
    r = role(role_name)
    h = hashlib.sha256()
    for part in (
        RECIPE_VERSION,
        r.name,
        r.version,
        " ".join(r.packages),
        DEBIAN_MIRROR,
        _context_digest(role_name),
        extra,
    ):
        h.update(part.encode())
        h.update(b"\0")
    if r.parent is not None:
        h.update(local_tag(r.parent).encode())
    return f"{LOCAL_REPOSITORY}/{r.name}:{r.version}-{h.hexdigest()[:10]}"


def official_ref(role_name: str) -> str:
    """The official, pinned image reference of a role."""
    return role(role_name).official
