"""Find a Docker engine, or start one where this machine allows it (root on Debian)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker

from harness.errors import EngineError

__all__ = ["apt_install", "can_install", "connect", "ensure_engine"]

DEFAULT_SOCKET = "/var/run/docker.sock"
DOCKERD_LOG = Path("/var/log/harness-dockerd.log")


def connect(timeout: float = 120) -> Any:
    """A docker client for DOCKER_HOST or the default socket; raises EngineError if unreachable."""
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
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "docker.io"]):
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise EngineError(
                    f"`{' '.join(argv)}` failed ({proc.returncode}):\n"
                    f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
                )
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
