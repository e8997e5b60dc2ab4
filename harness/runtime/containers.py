"""Containers of a topology, one small class per role, on testcontainers (Ryuk disabled)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import docker.errors
from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer

from harness.errors import ProvisionError

__all__ = ["ContainerSpec", "RunningContainer"]

# Ryuk needs a pulled image; the harness reaps by its own labels instead.
testcontainers_config.ryuk_disabled = True
LOOPBACK = "127.0.0.1"


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
    command: list[str] | None = None
    publish: tuple[int, ...] = ()
    volumes: dict[str, dict[str, str]] = field(default_factory=dict)
    mem_limit: str | None = None


class RunningContainer:
    """A started container: host ports (127.0.0.1 only), logs, kill/pause/restart, removal."""

    def __init__(self, spec: ContainerSpec) -> None:
        self.spec = spec
        self._tc: DockerContainer | None = None
        self._container: Any = None

    @property
    def name(self) -> str:
        return self.spec.name

    def start(self) -> RunningContainer:
        s = self.spec
        tc = DockerContainer(s.image)
        tc.with_name(s.name)
        for k, v in s.env.items():
            tc.with_env(k, v)
        if s.command:
            tc.with_command(s.command)
        for host_path, mount in s.volumes.items():
            tc.with_volume_mapping(host_path, mount["bind"], mount.get("mode", "ro"))
        # network=None still counts as "given", which stops testcontainers guessing a network.
        kwargs: dict[str, Any] = {"labels": s.labels, "privileged": False, "network": s.network}
        if s.network_mode:
            kwargs["network_mode"] = s.network_mode
            kwargs["network"] = None
        ports: dict[int, Any] = cast(dict[int, Any], tc.ports)
        for p in s.publish:
            ports[p] = (LOOPBACK,)  # loopback only, random host port
        if s.mem_limit:
            kwargs["mem_limit"] = s.mem_limit
        tc.with_kwargs(**kwargs)
        self._tc = tc
        try:
            tc.start()
        except Exception as exc:  # docker SDK errors are untyped
            raise ProvisionError(
                f"could not start {s.role} container {s.name} from "
                f"{s.image}: {exc}. Fix: run `harness images build` "
                "if the image is missing"
            ) from exc
        self._container = tc.get_wrapped_container()
        self._container.reload()
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

    def pause(self) -> None:
        self.container.pause()

    def unpause(self) -> None:
        self.container.unpause()

    def stop(self, timeout: int = 10) -> None:
        self.container.stop(timeout=timeout)

    def start_again(self) -> None:
        self.container.start()

    def remove(self) -> None:
        if self._container is None:
            return
        try:
            self._container.remove(force=True, v=True)
        except Exception as exc:  # NotFound: already gone
            if type(exc).__name__ != "NotFound":
                raise
        self._container = None
