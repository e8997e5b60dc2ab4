"""Containers of a topology, one small class per role, started through the Docker SDK.

Straight through the SDK, not testcontainers: harness reaps by its own labels, and
testcontainers' only switch for its Ryuk reaper is a process-wide setting that a plugin must
not flip in other people's sessions (their own testcontainers containers would lose Ryuk).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from harness.errors import FaultError, ProvisionError
from harness.waiting import SYSTEM_CLOCK, Clock, WaitTimeout, poll

__all__ = ["ContainerSpec", "RunningContainer"]

LOOPBACK = "127.0.0.1"
# runc's answer when its cgroup-v1 freezer gave up on a container (see RunningContainer.pause).
FREEZE_REFUSED = "unable to freeze"
PAUSE_RETRY_S = 10.0


class _FreezeRefused(Exception):
    """A pause refused by runc's freezer, to be asked again."""


@dataclass
class ContainerSpec:
    """Everything needed to start one container."""

    name: str
    image: str
    role: str
    labels: dict[str, str]
    network: str | None = None
    network_mode: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    publish: tuple[int, ...] = ()
    volumes: dict[str, dict[str, str]] = field(default_factory=dict)
    # Arguments after the image's entrypoint; empty keeps the image's own command.
    command: tuple[str, ...] = ()


class RunningContainer:
    """A started container: host ports (127.0.0.1 only), logs, kill/pause/restart, removal."""

    def __init__(self, spec: ContainerSpec, client: Any) -> None:
        self.spec = spec
        self._client = client
        self._container: Any = None

    @classmethod
    def existing(cls, container: Any, client: Any) -> RunningContainer:
        """A container harness started earlier (a kept topology's), known by its labels."""
        labels = container.labels or {}
        spec = ContainerSpec(
            name=container.name,
            image=str(container.attrs["Config"]["Image"]),
            role=labels.get("io.harness.role", ""),
            labels=labels,
        )
        running = cls(spec, client)
        running._container = container
        return running

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def image_id(self) -> str:
        """The id of the image the container runs."""
        return str(self.container.attrs["Image"])

    def start(self) -> RunningContainer:
        s = self.spec
        kwargs: dict[str, Any] = {
            "name": s.name,
            "environment": s.env,
            "labels": s.labels,
            "privileged": False,
            # Loopback only, a random host port each.
            "ports": {f"{p}/tcp": (LOOPBACK, None) for p in s.publish},
            "volumes": s.volumes,
        }
        if s.command:
            kwargs["command"] = list(s.command)
        if s.network_mode:
            kwargs["network_mode"] = s.network_mode
        elif s.network:
            kwargs["network"] = s.network
        try:
            # create + start, not run: run pulls a missing image, and no registry is ours to ask.
            self._container = self._client.containers.create(s.image, **kwargs)
            self._container.start()
        except docker.errors.DockerException as exc:
            raise ProvisionError(
                f"could not start {s.role} container {s.name} from "
                f"{s.image}: {exc}. Fix: run `harness images build` "
                "if the image is missing"
            ) from exc
        return self

    @property
    def container(self) -> Any:
        if self._container is None:
            raise ProvisionError(f"{self.name} is not started")
        return self._container

    def host_port(self, port: int) -> int:
        c = self.container
        c.reload()
        bindings = c.attrs["NetworkSettings"]["Ports"].get(f"{port}/tcp") or []
        for b in bindings:
            if b.get("HostIp") in (LOOPBACK, "") and b.get("HostPort"):
                return int(b["HostPort"])
        raise ProvisionError(f"{self.name}: port {port} is not published")

    def status(self) -> str:
        c = self.container
        c.reload()
        return str(c.status)

    def logs(self, tail: int | str = "all") -> str:
        try:
            raw: bytes = self.container.logs(tail=tail, timestamps=False)
        except docker.errors.DockerException as exc:  # container already removed
            return f"<no logs: {exc}>"
        return raw.decode("utf-8", errors="replace")

    def kill(self, signal: str = "SIGKILL") -> None:
        self.container.kill(signal=signal)

    def pause(self, clock: Clock = SYSTEM_CLOCK) -> None:
        """Freeze every process of the container. runc's cgroup-v1 freezer gives up ("unable
        to freeze") when a task does not freeze in time, as happened under a CI run's load; it
        thaws what it froze first, so asking again is safe, for at most ``PAUSE_RETRY_S``."""

        def attempt() -> bool:
            try:
                self.container.pause()
            except docker.errors.APIError as exc:
                if FREEZE_REFUSED in str(exc):
                    raise _FreezeRefused(str(exc)) from exc
                raise
            return True

        try:
            poll(
                attempt,
                timeout=PAUSE_RETRY_S,
                what=f"pause {self.name}",
                interval=0.1,
                clock=clock,
                retry_on=(_FreezeRefused,),
            )
        except WaitTimeout as exc:
            raise FaultError(
                f"Docker could not pause {self.name} in {PAUSE_RETRY_S:.0f} s "
                f"({exc.attempts} attempts): {exc.last}"
            ) from None

    def unpause(self) -> None:
        self.container.unpause()

    def stop(self, timeout: int = 10) -> None:
        self.container.stop(timeout=timeout)

    def start_again(self) -> None:
        self.container.start()

    def remove(self) -> None:
        if self._container is None:
            return
        with contextlib.suppress(docker.errors.NotFound):  # already gone
            self._container.remove(force=True, v=True)
        self._container = None
