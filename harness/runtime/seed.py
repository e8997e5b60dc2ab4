"""Seeded namespaces: what a cluster's first node writes to an empty registry namespace,
kept and written again before the next topology of the same kind boots.

On 5.5.2 the first node on an empty namespace persists every system schema's metadata
(about 630 ZooKeeper nodes, one synchronous write each): 3.6 s of a 6.3 s 3-node start, and
as first boots race there (``Dialect.first_boots_race``) the other nodes must wait for it.
What it writes depends only on the proxy image and the global configuration, so the first
topology of each kind captures it and later ones write it before any node starts: every node
then joins a populated namespace, all at once, as nodes joining a running cluster do.

Only the shared configuration and metadata are kept (``KEPT``); what nodes write about
themselves (``/nodes``, ``/states``) is not. The topology's password, which the authority
rule holds, is kept as a placeholder. Seeds live in the cache directory, one JSON file per
key (image id, registry, configuration); a changed image or configuration is a new key.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from harness.clients.registry import RegistryReader
from harness.images.builder import default_cache_dir

__all__ = ["KEPT", "SeedStore", "seed_key"]

# The namespace's shared parts a first boot writes (MetaDataContextsFactory.createByLocal).
KEPT = ("metadata", "rules", "props")
PASSWORD_SLOT = "${harness.seed.password}"  # noqa: S105 (a placeholder, not a secret)
FORMAT = 2


def seed_key(*parts: str) -> str:
    """A key for everything the first boot's writes depend on (image id, registry kind, the
    global configuration rendered without node, namespace or password)."""
    digest = hashlib.sha256(json.dumps([FORMAT, *parts]).encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class SeedStore:
    """Seeds on disk: ``<dir>/<key>.json`` holding the format, the proxy image id and the
    ``{path relative to the namespace: value}`` entries."""

    directory: Path

    @classmethod
    def default(cls) -> SeedStore:
        env = os.environ.get("HARNESS_SEED_DIR")
        return cls(Path(env) if env else default_cache_dir() / "seeds")

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def read(self, key: str) -> dict[str, str] | None:
        """The seed ``key`` (paths relative to the namespace), or None if there is none
        usable (missing, unreadable, not a seed)."""
        doc = self._load(self._path(key))
        entries = doc.get("entries") if doc else None
        if not isinstance(entries, dict) or not entries:
            return None
        return {str(k): str(v) for k, v in entries.items()}

    @staticmethod
    def _load(path: Path) -> dict[str, object] | None:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return doc if isinstance(doc, dict) and doc.get("format") == FORMAT else None

    def prune(self, image_ids: set[str], *, dry_run: bool = False) -> list[Path]:
        """Remove the seeds of images not in ``image_ids`` (and files that are no seed of
        this format); return them."""
        gone = []
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []:
            doc = self._load(path)
            if doc is None or doc.get("image") not in image_ids:
                gone.append(path)
                if not dry_run:
                    path.unlink(missing_ok=True)
        return gone

    def capture(
        self, key: str, reader: RegistryReader, root: str, password: str, *, image: str = ""
    ) -> int:
        """Keep the shared parts of the namespace at ``root`` as seed ``key`` of the proxy
        image ``image`` (its id; ``prune`` goes by it); return how many keys."""
        entries: dict[str, str] = {}
        for part in KEPT:
            for path, value in reader.dump(f"{root}/{part}").items():
                entries[path[len(root) :]] = value.replace(password, PASSWORD_SLOT)
        if not entries:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a concurrent reader sees no seed or all of it.
        tmp = self._path(key).with_suffix(f".{os.getpid()}.tmp")
        doc = {"format": FORMAT, "image": image, "entries": entries}
        tmp.write_text(json.dumps(doc, sort_keys=True))
        tmp.replace(self._path(key))
        return len(entries)

    @staticmethod
    def restore(entries: dict[str, str], reader: RegistryReader, root: str, password: str) -> None:
        """Write a seed's ``entries`` under ``root``."""
        reader.load({root + k: v.replace(PASSWORD_SLOT, password) for k, v in entries.items()})
