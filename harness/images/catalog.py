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
    "DEFAULT_PROXY_VERSION",
    "ENGINE_VERSION_LABEL",
    "IMAGE_ROLE_LABEL",
    "LOCAL_REPOSITORY",
    "PROXY_RELEASES",
    "ROLES",
    "ImageSource",
    "ProxyRelease",
    "Role",
    "context_dir",
    "local_tag",
    "official_ref",
    "proxy_release",
    "proxy_role",
    "release_of_official",
    "role",
]

ImageSource = Literal["local", "official"]
IMAGE_SOURCES: tuple[ImageSource, ...] = ("local", "official")
LOCAL_REPOSITORY = "harness-local"
# Every image `docker build` makes here carries it (so untagged leftovers can be found).
IMAGE_ROLE_LABEL = "io.harness.image-role"
# A proxy image harness builds names the ShardingSphere release it runs (images/identify.py).
ENGINE_VERSION_LABEL = "io.harness.engine-version"
# Bump when a recipe changes in a way its context files do not show.
RECIPE_VERSION = "1"

DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
TOXIPROXY_VERSION = "v2.12.0"


@dataclass(frozen=True)
class ProxyRelease:
    """A ShardingSphere-Proxy release harness builds offline.

    Two ways in: ``bootstrap`` names the published ``shardingsphere-proxy-bootstrap`` that
    launches a release whose jars are all on Maven Central (5.1.0; 5.1.1, whose own bootstrap
    module was never published, runs on 5.1.0's); ``source_sha1`` marks a release built from
    its official source-release zip on Central (5.5.x, whose proxy modules Central lacks), the
    zip checked against that digest. 5.0.0 and 5.1.2-5.4.x are neither.
    """

    version: str
    bootstrap: str = ""
    source_sha1: str = ""

    @property
    def from_source(self) -> bool:
        return bool(self.source_sha1)


PROXY_RELEASES: dict[str, ProxyRelease] = {
    r.version: r
    for r in (
        ProxyRelease("5.1.0", bootstrap="5.1.0"),
        ProxyRelease("5.1.1", bootstrap="5.1.0"),
        # sha1 of shardingsphere-5.5.2-source-release.zip as Maven Central serves it.
        ProxyRelease("5.5.2", source_sha1="ef8afd4bde9172d2e3865a67b60d7727a1729dd6"),
    )
}
DEFAULT_PROXY_VERSION = "5.5.2"
OFFICIAL_PROXY_REPOSITORY = "apache/shardingsphere-proxy"


@dataclass(frozen=True)
class Role:
    """One buildable image role."""

    name: str
    version: str
    official: str
    parent: str | None = None
    packages: tuple[str, ...] = field(default=())


def proxy_release(version: str) -> ProxyRelease:
    """Look a proxy release up, with an error that lists the buildable ones."""
    try:
        return PROXY_RELEASES[version]
    except KeyError:
        raise SpecError(
            "proxy version",
            version,
            ", ".join(PROXY_RELEASES),
            "pick a listed release, or build your own image and pass --harness-proxy-image",
        ) from None


def proxy_role(version: str = DEFAULT_PROXY_VERSION) -> Role:
    """The proxy role at one release (the catalog's ``shardingsphere-proxy`` is the default)."""
    release = proxy_release(version)
    return Role(
        "shardingsphere-proxy",
        release.version,
        f"{OFFICIAL_PROXY_REPOSITORY}:{release.version}",
        parent="base",
    )


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
        proxy_role(),
    )
}


def release_of_official(ref: str) -> str | None:
    """The release named by an official proxy reference (``apache/shardingsphere-proxy:5.1.1``),
    if it is one harness can build; else None."""
    repo, _, tag = ref.rpartition(":")
    return tag if repo == OFFICIAL_PROXY_REPOSITORY and tag in PROXY_RELEASES else None


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


def local_tag(role_name: str, extra: str = "", proxy_version: str | None = None) -> str:
    """The content-addressed local tag of a role, e.g. ``harness-local/zookeeper:3.8.0-1a2b3c4d5e``.

    ``extra`` folds in inputs that live outside the package (a user's proxy distribution);
    ``proxy_version`` picks the proxy release (default: the pinned one).
    """
    r = role(role_name)
    release = ""
    if role_name == "shardingsphere-proxy":
        r = proxy_role(proxy_version or DEFAULT_PROXY_VERSION)
        pinned = proxy_release(r.version)
        release = f"{pinned.bootstrap}:{pinned.source_sha1}"
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
    if release:  # only the proxy's; every other role's tag stays as it was
        h.update(release.encode())
        h.update(b"\0")
    if r.parent is not None:
        h.update(local_tag(r.parent).encode())
    return f"{LOCAL_REPOSITORY}/{r.name}:{r.version}-{h.hexdigest()[:10]}"


def official_ref(role_name: str) -> str:
    """The official, pinned image reference of a role."""
    return role(role_name).official
