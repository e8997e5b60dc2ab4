"""Topologies kept running for a person to debug with (`harness up/status/down`).

A detached topology carries the ``io.harness.detached`` label, so reapers spare it after the
CLI exits; its connection details (with the per-run password) are kept in a state file
readable by the owner only, under the harness cache folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.images.builder import default_cache_dir
from harness.reuse import KeptState, image_ids, load_state, save_state
from harness.runtime import labels
from harness.runtime.image_set import resolve_images
from harness.runtime.reaper import Reaped, reap
from harness.runtime.seed import SeedStore
from harness.runtime.topology import Topology
from harness.spec import TopologySpec

__all__ = ["UpState", "attach_path", "attach_state", "down", "status", "up"]


@dataclass(frozen=True)
class UpState:
    name: str
    run_id: str
    spec: str
    workdir: str
    nodes: dict[str, str]  # node -> mysql command line
    toxiproxy: dict[str, str]  # node -> Toxiproxy API URL
    registry: str

    def describe(self) -> str:
        lines = [f"{self.name}  ({self.spec})"]
        for node, cmd in self.nodes.items():
            lines.append(f"  {node:8} {cmd}")
            lines.append(f"  {'':8} toxiproxy API {self.toxiproxy[node]}")
        if self.registry:
            lines.append(f"  registry {self.registry}")
        return "\n".join(lines)


def state_dir() -> Path:
    return default_cache_dir() / "up"


def _state_of(topo: Topology) -> UpState:
    nodes: dict[str, str] = {}
    apis: dict[str, str] = {}
    for n in topo.nodes:
        e = n.endpoint
        nodes[n.name] = f"mysql -h {e.host} -P {e.port} -u {e.user} -p{e.password}"
        apis[n.name] = n.toxiproxy.base_url
    registry = ""
    if topo.spec.registry is not None:
        registry = f"{topo.spec.registry} {topo.registry_address}"
    return UpState(
        topo.name, topo.run.run_id, topo.spec.describe(), str(topo.workdir), nodes, apis, registry
    )


def up(
    client: Any,
    spec: TopologySpec,
    image_source: str,
    progress: Callable[[str], None] | None = None,
    seeds: SeedStore | None = None,
) -> UpState:
    """Start ``spec`` detached and record how to reach it; ``progress`` hears each step;
    ``seeds`` seeds a cluster's namespace (harness.runtime.seed)."""
    images = resolve_images(client, image_source, spec.proxy_image)
    topo = Topology(
        spec,
        client=client,
        images=images,
        run=labels.new_run(detached=True),
        seeds=seeds,
        on_event=(lambda e: progress(f"+{e.at:6.2f}s {e.kind}: {e.detail}")) if progress else None,
    )
    topo.start()  # a failed start tears itself down
    state = _state_of(topo)
    for n in topo.nodes:
        n.toxiproxy.close()
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{state.name}.json"
    path.write_text(json.dumps(asdict(state), indent=2))
    os.chmod(path, 0o600)
    # What `pytest --harness-attach=NAME` needs to attach to it.
    kept = KeptState.of(topo, image_ids(client, images), [])
    kept.spec_args = asdict(spec)
    save_state(attach_path(state.name), kept)
    return state


def attach_path(name: str) -> Path:
    """Where a `harness up` topology's attach record is (beside its state)."""
    return state_dir() / f"{name}.attach"


def attach_state(name: str) -> KeptState | None:
    """The attach record of the `harness up` topology ``name``, if it is up."""
    return load_state(attach_path(name))


def _states() -> list[tuple[Path, UpState]]:
    if not state_dir().is_dir():
        return []
    return [(p, UpState(**json.loads(p.read_text()))) for p in sorted(state_dir().glob("*.json"))]


def status(client: Any) -> list[tuple[UpState, dict[str, str]]]:
    """Each recorded topology with its containers' states (a missing one reads ``gone``)."""
    out = []
    for _path, state in _states():
        found = {
            c.name.removeprefix(state.name + "-"): c.status
            for c in client.containers.list(
                all=True,
                ignore_removed=True,
                filters={"label": [f"{labels.TOPOLOGY}={state.name}"]},
            )
        }
        out.append((state, found or {"all containers": "gone"}))
    return out


def down(client: Any, name: str | None = None) -> list[tuple[str, Reaped]]:
    """Remove one detached topology (or all of them) and its state."""
    removed = []
    for path, state in _states():
        if name is not None and state.name != name:
            continue
        removed.append((state.name, reap(client, run_id=state.run_id, topology=state.name)))
        shutil.rmtree(state.workdir, ignore_errors=True)
        path.unlink()
        attach_path(state.name).unlink(missing_ok=True)
    return removed
