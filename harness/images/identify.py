"""Which ShardingSphere release an image runs, told by what the image is, not by its name.

A harness-built image says it in a label. Any other image (the official one, a DBPlusEngine
build, a local build re-tagged ``mycorp/proxy:latest``) is read: the proxy's own jars carry the
release in their file names. The image is only created, never started, and the answer is
remembered per image id.
"""

from __future__ import annotations

import contextlib
import re
import tarfile
from collections.abc import Iterable
from typing import IO, Any, cast

import docker.errors

from harness.images.catalog import (
    DEFAULT_PROXY_VERSION,
    ENGINE_VERSION_LABEL,
    OFFICIAL_PROXY_REPOSITORY,
    release_of_official,
)

__all__ = [
    "LIB_DIRS",
    "engine_version",
    "engine_version_of_image",
    "version_from_jar_names",
]

# The official image's layout (and every harness build's).
LIB_DIRS = ("/opt/shardingsphere-proxy/lib",)
# The backend module exists in every release, under one of two names (5.1, 5.5).
_BACKEND_JAR = re.compile(r"^shardingsphere-proxy-backend(?:-core)?-(\d+\.\d+\.\d+)\.jar$")
_ANY_JAR = re.compile(r"^shardingsphere-infra-common-(\d+\.\d+\.\d+)\.jar$")
_cache: dict[str, str | None] = {}


def version_from_jar_names(names: Iterable[str]) -> str | None:
    """The release of a proxy's ``lib/`` from its jar names, e.g. 5.5.2; None if not told."""
    names = [n.rsplit("/", 1)[-1] for n in names]
    for pattern in (_BACKEND_JAR, _ANY_JAR):
        for name in names:
            match = pattern.match(name)
            if match:
                return match.group(1)
    return None


def _jar_names(client: Any, image: Any) -> list[str]:
    container = client.containers.create(image.id, command=["true"], entrypoint=[])
    try:
        for folder in LIB_DIRS:
            try:
                stream, _ = container.get_archive(folder)
            except docker.errors.NotFound:  # not this layout
                continue
            with tarfile.open(fileobj=cast(IO[bytes], _Chunks(stream)), mode="r|") as tf:
                return [member.name for member in tf]
        return []
    finally:
        container.remove(force=True)


class _Chunks:
    """A file-like view of the SDK's chunk iterator, for tarfile's stream mode."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._buf = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buf) < size:
            try:
                self._buf += next(self._it)
            except StopIteration:
                break
        if size < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out


def engine_version_of_image(client: Any, ref: str) -> str | None:
    """The ShardingSphere release ``ref`` runs: its harness label, else its jars; None when
    neither tells (a DBPlusEngine build names its jars its own way)."""
    image = client.images.get(ref)
    if image.id in _cache:
        return _cache[image.id]
    labels = (image.attrs.get("Config") or {}).get("Labels") or {}
    version: str | None = labels.get(ENGINE_VERSION_LABEL) or version_from_jar_names(
        _jar_names(client, image)
    )
    _cache[image.id] = version
    return version


def engine_version(client: Any, ref: str | None) -> str | None:
    """The release a proxy reference runs. None is the catalog's default; an official
    reference of a catalog release is that release; anything else is the image itself
    (``engine_version_of_image``), or, for an official reference not present yet (it will be
    pulled), its tag. None when nothing tells."""
    if ref is None:
        return DEFAULT_PROXY_VERSION
    official = release_of_official(ref)
    if official is not None:
        return official
    with contextlib.suppress(docker.errors.ImageNotFound):
        return engine_version_of_image(client, ref)
    repo, _, tag = ref.rpartition(":")
    if repo == OFFICIAL_PROXY_REPOSITORY and re.fullmatch(r"\d+\.\d+\.\d+", tag):
        return tag
    return None
