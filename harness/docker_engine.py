"""Find a Docker engine, or start one where this machine allows it (root on Debian)."""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import docker

from harness.errors import EngineError, SpecError

__all__ = ["apt_install", "can_install", "check_local", "connect", "ensure_engine", "remote_host"]

DEFAULT_SOCKET = "/var/run/docker.sock"
DOCKERD_LOG = Path("/var/log/harness-dockerd.log")
# Set to 1 when DOCKER_HOST names this machine by a non-loopback name (its 127.0.0.1 is ours).
LOCAL_OVERRIDE = "HARNESS_ENGINE_IS_LOCAL"


def remote_host(docker_host: str | None) -> str | None:
    """The host of an engine on another machine, or None when the engine is this machine's:
    no DOCKER_HOST, a socket (unix, npipe, fd), or tcp/http(s)/ssh to a loopback name.
    Decided from the address alone: nothing is resolved or contacted."""
    if not docker_host or os.environ.get(LOCAL_OVERRIDE) == "1":
        return None
    parts = urlsplit(docker_host if "://" in docker_host else f"tcp://{docker_host}")
    if parts.scheme in ("unix", "npipe", "fd"):
        return None
    host = parts.hostname or ""
    if host in ("", "localhost") or host.endswith(".localhost"):
        return None
    try:
        return None if ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return host


def check_local(docker_host: str | None = None) -> None:
    """SpecError (before any container starts) when the engine is on another machine.

    harness publishes every container port on the engine's 127.0.0.1 only, so that nothing
    outside the engine's host can reach a proxy with a test password or a Toxiproxy API that
    breaks links on request. On a remote engine that address is not this process's, and
    publishing on a routable one would expose both; so a remote engine is refused, not guessed.
    """
    value = docker_host if docker_host is not None else os.environ.get("DOCKER_HOST")
    host = remote_host(value)
    if host is not None:
        raise SpecError(
            "DOCKER_HOST",
            value,
            "an engine on this machine: unset (the default socket), unix:///path/docker.sock, "
            "or tcp:// / ssh:// to localhost or 127.0.0.1",
            f"run the tests on {host} itself (e.g. in the CI job's own container next to its "
            f"dockerd), or start a local engine (`harness setup` as root on Debian); if {host} "
            f"is this machine, set {LOCAL_OVERRIDE}=1",
        )


def connect(timeout: float = 120) -> Any:
    """A docker client for DOCKER_HOST or the default socket; raises EngineError if the engine
    is unreachable or on another machine (see check_local)."""
    try:
        check_local()
    except SpecError as exc:
        raise EngineError(str(exc)) from None
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except Exception as exc:  # docker raises DockerException or requests errors
        raise EngineError(
            f"no Docker engine answers at {os.environ.get('DOCKER_HOST', DEFAULT_SOCKET)}: "
            f"{exc}. Fix: start dockerd, or set DOCKER_HOST, or run `harness setup` as root "
            "on Debian to install and start docker.io"
        ) from exc
    return client


def _is_debian() -> bool:
    return Path("/etc/debian_version").exists()


def can_install() -> bool:
    """True where set-up may install Debian packages: root on Debian."""
    return os.geteuid() == 0 and _is_debian()


def apt_install(packages: list[str]) -> None:
    """Install Debian packages (root on Debian only); EngineError with the output on failure."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *packages]):
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise EngineError(
                f"`{' '.join(argv)}` failed ({proc.returncode}):\n"
                f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            )


def ensure_engine(say: Callable[[str], None] = print, wait: float = 60) -> Any:
    """Return a connected client, installing and starting dockerd first if needed and allowed."""
    try:
        return connect()
    except EngineError as first:
        if os.environ.get("DOCKER_HOST"):
            raise
        if os.geteuid() != 0 or not _is_debian():
            raise EngineError(
                f"{first}\nNo engine could be started here: that needs root on Debian "
                f"(uid={os.geteuid()}, debian={_is_debian()}). Fix: start a Docker engine "
                "yourself and set DOCKER_HOST if it is not on the default socket"
            ) from None
    if shutil.which("dockerd") is None:
        say("engine: installing docker.io from Debian")
        apt_install(["docker.io"])
    say(f"engine: starting dockerd (log: {DOCKERD_LOG})")
    with DOCKERD_LOG.open("ab") as log:
        subprocess.Popen(
            ["dockerd", "--storage-driver=overlay2"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + wait
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            return connect()
        except EngineError as exc:
            last = exc
            time.sleep(0.25)
    tail = DOCKERD_LOG.read_text(errors="replace")[-2000:] if DOCKERD_LOG.exists() else ""
    raise EngineError(f"dockerd did not answer within {wait:.0f}s: {last}\n{tail}")
