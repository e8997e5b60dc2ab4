"""The reaper spares live runs and removes what dead runs left, by label (fake docker)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any

import docker.errors
import pytest

from harness.runtime import labels
from harness.runtime.reaper import reap


@dataclass
class FakeResource:
    name: str
    labels: dict[str, str]
    removed: bool = False
    image: str = "sha256:present"
    gone: bool = False  # removed by another run between the engine's list and its inspect

    @property
    def attrs(self) -> dict[str, Any]:
        return {"Labels": self.labels, "Image": self.image}

    def remove(self, **_kw: Any) -> None:
        self.removed = True


@dataclass
class FakeCollection:
    items: list[FakeResource] = field(default_factory=list)

    def list(self, **kw: Any) -> list[FakeResource]:
        wanted = [w.split("=", 1) for w in kw["filters"]["label"]]
        # As docker-py: a container gone between the list and its inspect is a NotFound,
        # unless the caller passes ignore_removed.
        if any(r.gone for r in self.items) and not kw.get("ignore_removed"):
            raise docker.errors.NotFound("No such container")
        # "key=value" matches that value; a bare "key" matches any resource that has it.
        return [
            r
            for r in self.items
            if not r.gone
            and all(r.labels.get(w[0]) == w[1] if len(w) == 2 else w[0] in r.labels for w in wanted)
        ]


class FakeImages:
    def get(self, image_id: str) -> object:
        if image_id != "sha256:present":
            raise docker.errors.ImageNotFound(image_id)
        return object()


class FakeDocker:
    def __init__(self, items: list[FakeResource]) -> None:
        self.containers = FakeCollection(items)
        self.networks = FakeCollection([])
        self.volumes = FakeCollection([])
        self.images = FakeImages()


def _dead_pid() -> int:
    pid = 2**22 - 1
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        pid -= 1


def test_reaps_dead_owners_only() -> None:
    live = labels.RunIdentity("live", os.getpid(), socket.gethostname())
    dead = labels.RunIdentity("dead", _dead_pid(), socket.gethostname())
    foreign = labels.RunIdentity("far", _dead_pid(), "another-host")
    items = [
        FakeResource("a", live.labels("t", "proxy")),
        FakeResource("b", dead.labels("t", "proxy")),
        FakeResource("c", foreign.labels("t", "proxy")),
    ]
    out = reap(FakeDocker(items))
    assert out.containers == ["b"]
    assert [r.removed for r in items] == [False, True, False]


def test_a_container_another_run_removes_meanwhile_is_skipped() -> None:
    # `harness clean` beside a live run that is tearing its own topology down.
    dead = labels.RunIdentity("dead", _dead_pid(), socket.gethostname())
    live = labels.RunIdentity("live", os.getpid(), socket.gethostname())
    items = [
        FakeResource("b", dead.labels("t", "proxy")),
        FakeResource("gone", live.labels("u", "proxy"), gone=True),
    ]
    assert reap(FakeDocker(items)).containers == ["b"]


def test_reaps_one_run_regardless_of_owner() -> None:
    live = labels.RunIdentity("mine", os.getpid(), socket.gethostname())
    items = [FakeResource("a", live.labels("t", "proxy"))]
    assert reap(FakeDocker(items), run_id="mine").containers == ["a"]


def test_detached_topologies_outlive_their_process_until_clean_all() -> None:
    up = labels.RunIdentity("up", _dead_pid(), socket.gethostname(), detached=True)
    items = [FakeResource("a", up.labels("t", "proxy"))]
    assert reap(FakeDocker(items)).containers == []
    assert reap(FakeDocker(items[:1]), only_dead=False).containers == ["a"]  # clean --all


def test_kept_topologies_outlive_their_process_while_their_images_exist() -> None:
    kept = labels.RunIdentity("kept", _dead_pid(), socket.gethostname(), reuse="slot-0")
    stale = labels.RunIdentity("stale", _dead_pid(), socket.gethostname(), reuse="slot-1")
    items = [
        FakeResource("a", kept.labels("t1", "proxy")),
        FakeResource("b", stale.labels("t2", "proxy"), image="sha256:rebuilt-away"),
        FakeResource("c", stale.labels("t2", "toxiproxy")),
    ]
    assert sorted(reap(FakeDocker(items)).containers) == ["b", "c"]
    assert reap(FakeDocker(items[:1]), only_dead=False).containers == ["a"]  # clean --all


class EngineRefusal(Exception):
    """An engine error as docker-py raises it: an HTTP status and the engine's explanation."""

    def __init__(self, status_code: int, explanation: str) -> None:
        super().__init__(f"{status_code} Client Error: {explanation}")
        self.status_code = status_code


@dataclass
class RacedResource(FakeResource):
    """A container another reaper is removing: removal is refused, waiting sees it go."""

    waited_for: str = ""

    def remove(self, **_kw: Any) -> None:
        raise EngineRefusal(409, 'Conflict ("removal of container x is already in progress")')

    def wait(self, **kw: Any) -> None:
        self.waited_for = kw["condition"]


def test_a_removal_already_in_progress_is_waited_for_not_raised() -> None:
    dead = labels.RunIdentity("dead", _dead_pid(), socket.gethostname())
    raced = RacedResource("a", dead.labels("t", "proxy"))
    out = reap(FakeDocker([raced]))
    assert out.containers == ["a"]
    assert raced.waited_for == "removed"


def test_other_engine_errors_still_raise() -> None:
    dead = labels.RunIdentity("dead", _dead_pid(), socket.gethostname())

    class Refused(FakeResource):
        def remove(self, **_kw: Any) -> None:
            raise RuntimeError("500 Server Error: driver failed")

    with pytest.raises(RuntimeError, match="driver failed"):
        reap(FakeDocker([Refused("a", dead.labels("t", "proxy"))]))


@dataclass
class LaggingNetwork(FakeResource):
    """A network whose last endpoint outlived its container: removal is refused until that
    endpoint is forced off."""

    endpoints: dict[str, Any] = field(default_factory=lambda: {"abc123": {}})
    refusals: int = 0

    @property
    def attrs(self) -> dict[str, Any]:
        return {"Labels": self.labels, "Containers": dict(self.endpoints)}

    def reload(self) -> None:
        pass

    def disconnect(self, container: str, force: bool = False) -> None:
        assert force
        self.endpoints.pop(container)

    def remove(self, **_kw: Any) -> None:
        if self.endpoints:
            self.refusals += 1
            raise EngineRefusal(403, 'Forbidden ("network n has active endpoints")')
        self.removed = True


def test_a_network_with_a_lingering_endpoint_is_freed_then_removed() -> None:
    dead = labels.RunIdentity("dead", _dead_pid(), socket.gethostname())
    net = LaggingNetwork("n", dead.labels("t", "network"))
    docker = FakeDocker([])
    docker.networks = FakeCollection([net])
    out = reap(docker)
    assert out.networks == ["n"]
    assert (net.refusals, net.removed, net.endpoints) == (1, True, {})
