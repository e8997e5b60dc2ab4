"""Resolve the images a topology runs: local content-hash tags, or the official pinned names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import docker.errors

from harness.errors import ProvisionError, SpecError
from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.images.identify import engine_version

__all__ = ["ImageSet", "require_local_image", "resolve_images"]


@dataclass(frozen=True)
class ImageSet:
    proxy: str
    zookeeper: str
    etcd: str
    mariadb: str
    toxiproxy: str
    # The ShardingSphere release the proxy image runs (images/identify.py); None if unknown.
    engine_version: str | None = None


def resolve_images(client: Any, source: str, proxy_image: str | None = None) -> ImageSet:
    """Find every image locally (never pulling a local build); fail before any container.

    With the local source, an official proxy reference of a release in the catalog
    (``apache/shardingsphere-proxy:5.1.1``) means that release's local build, made here if it
    is missing: the matrix's proxy axis is one option whichever source is used.
    """
    if source not in catalog.IMAGE_SOURCES:
        raise SpecError(
            "image source",
            source,
            " | ".join(catalog.IMAGE_SOURCES),
            "set harness_image_source = local (air-gapped) or official",
        )
    builder = ImageBuilder(client)
    refs: dict[str, str] = {}
    for role in ("shardingsphere-proxy", "zookeeper", "etcd", "mariadb", "toxiproxy"):
        ref = builder.tag(role) if source == "local" else catalog.official_ref(role)
        if role == "shardingsphere-proxy" and proxy_image:
            release = catalog.release_of_official(proxy_image) if source == "local" else None
            if release is not None:
                refs[role] = _local_release(client, release)
                continue
            ref = proxy_image
        refs[role] = ref
        _ensure_present(client, ref, local=source == "local")
    return ImageSet(
        refs["shardingsphere-proxy"],
        refs["zookeeper"],
        refs["etcd"],
        refs["mariadb"],
        refs["toxiproxy"],
        engine_version(client, refs["shardingsphere-proxy"]),
    )


def _present(client: Any, ref: str) -> bool:
    try:
        client.images.get(ref)
    except docker.errors.ImageNotFound:
        return False
    return True


def _missing_hint(ref: str) -> str:
    if ref.startswith(catalog.OFFICIAL_PROXY_REPOSITORY + ":"):
        return (
            f"harness builds {catalog.OFFICIAL_PROXY_REPOSITORY} "
            f"{', '.join(catalog.PROXY_RELEASES)} locally; name one of those, or load the image "
            "you named (`docker load`)"
        )
    return "run `harness images build` (or `harness setup`), or load the image you named"


def require_local_image(client: Any, ref: str) -> None:
    """With the local source nothing is pulled: a named proxy image must be here (checked at
    collection, so it is a usage error before any container starts)."""
    if not _present(client, ref):
        raise SpecError(
            "proxy image",
            ref,
            "an image on this Docker engine (the image source is local: nothing is pulled)",
            _missing_hint(ref),
        )


def _ensure_present(client: Any, ref: str, *, local: bool) -> None:
    if _present(client, ref):
        return
    if local:  # local source: nothing is ever pulled
        raise ProvisionError(
            f"image {ref} is missing and the image source is local (nothing is pulled). "
            f"Fix: {_missing_hint(ref)}"
        )
    try:
        client.images.pull(ref)
    except Exception as exc:  # no registry reachable
        raise ProvisionError(
            f"image {ref} is not present and could not be pulled: {exc}. "
            "Fix: set harness_image_source = local and run "
            "`harness images build`"
        ) from exc


def _local_release(client: Any, version: str) -> str:
    """The local build of a catalog proxy release, built (under the build lock) if missing."""
    builder = ImageBuilder(client, proxy_version=version)
    if not builder.present("shardingsphere-proxy"):
        builder.build(["shardingsphere-proxy"])
    return builder.tag("shardingsphere-proxy")
