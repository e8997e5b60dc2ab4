"""Frozen plugin settings, parsed once from options and ini at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.spec import Mode, RegistryKind, TopologySpec

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    image_source: str
    mode: Mode
    registry: RegistryKind | None
    nodes: int
    proxy_image: str | None
    report_dir: Path
    proxy_dialect: str | None = None
    reuse: bool = False  # keep topologies for the next session, attach to kept ones
    attach: str | None = None  # the `harness up` topology the default spec runs on
    prefetch: bool = True  # start the next test's topology while the current one runs
    seed: bool = True  # seeded cluster namespaces (harness.runtime.seed)

    def spec(self, **overrides: Any) -> TopologySpec:
        """The session's default spec, with marker arguments on top (validated)."""
        args: dict[str, Any] = {
            "mode": self.mode,
            "registry": self.registry,
            "nodes": self.nodes,
            "proxy_image": self.proxy_image,
            "proxy_dialect": self.proxy_dialect,
        }
        args.update(overrides)
        if args["mode"] != "cluster" and "registry" not in overrides:
            args["registry"] = None
        return TopologySpec.create(**args)
