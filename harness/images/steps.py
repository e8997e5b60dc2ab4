"""Host-side build steps: subprocesses whose failure names the step and shows the output tail."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from harness.errors import ImageBuildError

__all__ = ["Progress", "chroot_install", "require_tool", "run_step"]

Progress = Callable[[str], None]
TAIL_LINES = 40


def require_tool(tool: str, role: str, hint: str) -> str:
    """Return the path of ``tool`` or fail naming the package that provides it."""
    path = shutil.which(tool)
    if path is None:
        raise ImageBuildError(role, f"find {tool}", f"{tool} is not on PATH. Fix: {hint}")
    return path


def run_step(
    role: str,
    step: str,
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 1800,
) -> None:
    """Run one command; on failure raise ImageBuildError with the tail of its output."""
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise ImageBuildError(role, step, f"cannot run {argv[0]}: {exc}") from exc
    assert proc.stdout is not None
    for line in proc.stdout:
        tail.append(line.rstrip("\n"))
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        raise ImageBuildError(role, step, f"timed out after {timeout:.0f}s") from exc
    if code != 0:
        shown = "\n".join(tail)
        raise ImageBuildError(
            role, step, f"`{' '.join(argv)}` exited {code}; last output:\n{shown}"
        )


@contextmanager
def _mounted(role: str, argv: Sequence[str], target: Path) -> Iterator[None]:
    run_step(role, f"mount {target.name}", argv)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


def chroot_install(
    role: str, base_rootfs: Path, work: Path, packages: Sequence[str], progress: Progress
) -> Path:
    """Install Debian packages over a read-only base root filesystem; return the new files.

    An overlay mount keeps the base untouched, so the upper directory holds exactly the layer
    to add ``FROM`` the base image. Packages come from the host's mirror through the chroot:
    containers never run apt (they reach only the project's own networks).
    """
    upper, workdir, merged = work / "upper", work / "work", work / "merged"
    if work.exists():
        shutil.rmtree(work)
    for d in (upper, workdir, merged):
        d.mkdir(parents=True)
    overlay = [
        "mount",
        "-t",
        "overlay",
        "overlay",
        "-o",
        f"lowerdir={base_rootfs},upperdir={upper},workdir={workdir}",
        str(merged),
    ]
    env = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
    with (
        _mounted(role, overlay, merged),
        _mounted(role, ["mount", "-t", "proc", "proc", str(merged / "proc")], merged / "proc"),
    ):
        shutil.copyfile("/etc/resolv.conf", merged / "etc/resolv.conf")
        # Keep maintainer scripts from starting services inside the chroot.
        policy = merged / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        progress("apt-get update")
        run_step(
            role, "apt-get update", ["chroot", str(merged), "apt-get", "update", "-q"], env=env
        )
        progress(f"apt-get install {' '.join(packages)}")
        run_step(
            role,
            "apt-get install",
            [
                "chroot",
                str(merged),
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                *packages,
            ],
            env=env,
        )
        run_step(role, "apt-get clean", ["chroot", str(merged), "apt-get", "clean"], env=env)
        policy.unlink()
    _prune_layer(upper)
    return upper


def _prune_layer(upper: Path) -> None:
    """Drop caches, docs and overlay whiteouts (char devices docker cannot ADD)."""
    for rel in (
        "var/lib/apt/lists",
        "var/cache/apt",
        "usr/share/doc",
        "usr/share/man",
        "etc/resolv.conf",
        "var/log/apt",
        "var/cache/debconf/templates.dat-old",
    ):
        target = upper / rel
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for path in list(upper.rglob("*")):
        if path.is_char_device():
            path.unlink()
