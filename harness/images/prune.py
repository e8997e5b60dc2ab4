"""Stale local images: ``harness-local/<role>`` tags that this checkout's recipes no longer give.

Tags carry a content hash of their inputs, so every change to an image's inputs leaves the old
image behind, and nothing else ever removes it (about 0.5 GB per proxy image). A forced rebuild
moves a tag and leaves the old image untagged ("dangling"); those carry the role label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import docker.errors

from harness.images import catalog

__all__ = ["Removal", "current_tags", "dangling", "prune_dangling", "remove_tags", "stale_tags"]


@dataclass(frozen=True)
class Removal:
    tag: str
    removed: bool
    why_kept: str = ""


def current_tags(extra: Iterable[str] = ()) -> set[str]:
    """Every role's tag for this checkout, the proxy's for each release, plus ``extra`` (a
    proxy image built from ``HARNESS_PROXY_DIST``)."""
    tags = {catalog.local_tag(name) for name in catalog.ROLES}
    tags |= {
        catalog.local_tag("shardingsphere-proxy", proxy_version=v) for v in catalog.PROXY_RELEASES
    }
    return tags | set(extra)


def stale_tags(client: Any, keep: set[str]) -> list[str]:
    """The local tags of harness's roles that are not in ``keep``."""
    out: set[str] = set()
    for name in catalog.ROLES:
        repository = f"{catalog.LOCAL_REPOSITORY}/{name}"
        for image in client.images.list(name=repository):
            out |= {t for t in image.tags if t.startswith(repository + ":") and t not in keep}
    return sorted(out)


def remove_tags(client: Any, tags: Iterable[str]) -> list[Removal]:
    """Untag each image, never forced: an image a container still uses is kept, with why."""
    out = []
    for tag in tags:
        try:
            client.images.remove(tag)
        except docker.errors.ImageNotFound:
            pass  # gone meanwhile: what was asked for
        except docker.errors.APIError as exc:
            out.append(Removal(tag, False, str(exc.explanation or exc)))
            continue
        out.append(Removal(tag, True))
    return out


_DANGLING = {"dangling": True, "label": catalog.IMAGE_ROLE_LABEL}


def dangling(client: Any) -> list[str]:
    """Untagged images harness built (short ids)."""
    return sorted(str(i.short_id) for i in client.images.list(filters=_DANGLING))


def prune_dangling(client: Any) -> tuple[int, int]:
    """Remove untagged images harness built and no container uses: (how many, bytes freed)."""
    result = client.images.prune(filters=_DANGLING)
    deleted = [d for d in result.get("ImagesDeleted") or [] if "Deleted" in d]
    return len(deleted), int(result.get("SpaceReclaimed") or 0)
