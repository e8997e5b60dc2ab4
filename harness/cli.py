"""`harness` command line: set-up, offline images, and clean-up of leftovers."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.engine import apt_install, can_install, connect, ensure_engine
from harness.errors import HarnessError
from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.runtime.reaper import reap

__all__ = ["main"]


def _say(msg: str) -> None:
    print(msg, flush=True)


def _builder(client: object) -> ImageBuilder:
    dist = os.environ.get("HARNESS_PROXY_DIST")
    return ImageBuilder(client, progress=_say, proxy_dist=Path(dist) if dist else None)


def _cmd_setup(_args: argparse.Namespace) -> int:

    client = ensure_engine(_say)
    builder = _builder(client)
    if not builder.present("base") and shutil.which("debootstrap") is None and can_install():
        _say("setup: installing debootstrap from Debian")
        apt_install(["debootstrap"])
    results = builder.build()
    built = [r.role for r in results if r.built]
    _say(f"setup: engine ready; images {'built: ' + ', '.join(built) if built else 'up to date'}")
    return 0


def _cmd_images_build(args: argparse.Namespace) -> int:

    results = _builder(connect()).build(args.only or None, force=args.force)
    for r in results:
        _say(f"{r.role:22} {'built' if r.built else 'up to date':10} {r.seconds:6.1f}s  {r.tag}")
    return 0


def _cmd_images_list(_args: argparse.Namespace) -> int:

    builder = _builder(connect())
    for name in catalog.ROLES:
        state = "present" if builder.present(name) else "missing"
        _say(f"{name:22} {state:8} {builder.tag(name):55} official: {catalog.official_ref(name)}")
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:

    removed = reap(connect(), only_dead=not args.all)
    _say(f"clean: removed {removed.summary()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "setup", help="make sure a Docker engine runs and every image exists"
    ).set_defaults(fn=_cmd_setup)
    images = sub.add_parser("images", help="offline images").add_subparsers(
        dest="images_command", required=True
    )
    build = images.add_parser("build", help="build local images (skips unchanged ones)")
    build.add_argument(
        "--only",
        action="append",
        choices=list(catalog.ROLES),
        metavar="ROLE",
        help=f"one of: {', '.join(catalog.ROLES)} (repeatable)",
    )
    build.add_argument("--force", action="store_true", help="rebuild even if the tag exists")
    build.set_defaults(fn=_cmd_images_build)
    images.add_parser("list", help="show each role's tag and whether it exists").set_defaults(
        fn=_cmd_images_list
    )
    clean = sub.add_parser(
        "clean",
        help="remove containers, networks and volumes left by harness runs whose process is gone",
    )
    clean.add_argument("--all", action="store_true", help="also those of live runs")
    clean.set_defaults(fn=_cmd_clean)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.fn(args)
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
