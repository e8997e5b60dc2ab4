"""`harness` command line: set-up, offline images, topologies to debug with, reports, and
clean-up of leftovers."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import behaviour_table, detached, reuse
from harness.dialect import DIALECTS
from harness.docker_engine import apt_install, can_install, connect, ensure_engine
from harness.errors import EngineError, HarnessError
from harness.images import catalog
from harness.images.builder import ImageBuilder
from harness.images.prune import current_tags, dangling, prune_dangling, remove_tags, stale_tags
from harness.runtime.reaper import reap
from harness.runtime.seed import SeedStore
from harness.spec import MODES, REGISTRIES, TopologySpec

__all__ = ["main"]


def _say(msg: str) -> None:
    print(msg, flush=True)


def _builder(client: object, proxy_version: str = catalog.DEFAULT_PROXY_VERSION) -> ImageBuilder:
    dist = os.environ.get("HARNESS_PROXY_DIST")
    return ImageBuilder(
        client,
        progress=_say,
        proxy_dist=Path(dist) if dist else None,
        proxy_version=proxy_version,
    )


def _cmd_setup(args: argparse.Namespace) -> int:

    client = ensure_engine(_say)
    builder = _builder(client)
    if not builder.present("base") and shutil.which("debootstrap") is None and can_install():
        _say("setup: installing debootstrap from Debian")
        apt_install(["debootstrap"])
    results = builder.build()
    built = [r.role for r in results if r.built]
    _say(f"setup: engine ready; images {'built: ' + ', '.join(built) if built else 'up to date'}")
    if args.browser and shutil.which("chromium") is None:
        if not can_install():
            raise EngineError(
                "chromium is missing (the HTML report's browser test needs it). Fix: install "
                "Debian's `chromium` package, or run set-up as root on Debian"
            )
        _say("setup: installing chromium from Debian (for the report's browser test)")
        apt_install(["chromium"])
    return 0


def _cmd_images_build(args: argparse.Namespace) -> int:

    results = _builder(connect(), args.proxy_version).build(args.only or None, force=args.force)
    for r in results:
        _say(f"{r.role:22} {'built' if r.built else 'up to date':10} {r.seconds:6.1f}s  {r.tag}")
    return 0


def _cmd_images_list(args: argparse.Namespace) -> int:

    builder = _builder(connect(), args.proxy_version)
    for name in catalog.ROLES:
        state = "present" if builder.present(name) else "missing"
        official = catalog.official_ref(name)
        if name == "shardingsphere-proxy":
            official = catalog.proxy_role(args.proxy_version).official
        _say(f"{name:22} {state:8} {builder.tag(name):55} official: {official}")
    return 0


def _cmd_images_prune(args: argparse.Namespace) -> int:

    client = connect()
    keep = current_tags(extra=[_builder(client).tag("shardingsphere-proxy")])
    stale = stale_tags(client, keep)
    if args.dry_run:
        for tag in stale:
            _say(f"would remove {tag}")
        for image_id in dangling(client):
            _say(f"would remove untagged {image_id}")
        for path in _prune_seeds(client, stale, dry_run=True):
            _say(f"would remove seed {path.name}")
        _say("prune: nothing removed (--dry-run)")
        return 0
    results = remove_tags(client, stale)
    for r in results:
        _say(f"removed {r.tag}" if r.removed else f"kept {r.tag}: {r.why_kept}")
    kept = [r for r in results if not r.removed]
    count, freed = prune_dangling(client)
    seeds = _prune_seeds(client, [])
    _say(
        f"prune: removed {len(results) - len(kept)} stale tag(s), kept {len(kept)} in use; "
        f"{count} untagged image(s) and build steps deleted, {freed / 2**30:.2f} GiB freed; "
        f"{len(seeds)} namespace seed(s) of images gone removed"
    )
    return 0


def _prune_seeds(client: Any, leaving: list[str], *, dry_run: bool = False) -> list[Path]:
    """Seeds (harness.runtime.seed) of images that are gone, or are about to go (``leaving``:
    tags a dry run would remove)."""
    images = client.images.list()
    ids = {str(i.id) for i in images if not set(i.tags) or not set(i.tags) <= set(leaving)}
    return SeedStore.default().prune(ids, dry_run=dry_run)


def _cmd_clean(args: argparse.Namespace) -> int:
    client = connect()
    if args.all:  # kept topologies too (those no running session holds)
        for name, what in reuse.remove_kept(client):
            _say(f"clean: kept topology {name}: {what}")
    removed = reap(client, only_dead=not args.all)
    _say(f"clean: removed {removed.summary()}")
    return 0


def _cmd_up(args: argparse.Namespace) -> int:
    # Validate before touching Docker: a bad spec starts nothing.
    spec = TopologySpec.create(
        mode=args.mode,
        registry=args.registry,
        nodes=args.nodes,
        proxy_image=args.proxy_image,
        proxy_dialect=args.proxy_dialect,
    )
    _say(f"up: starting {spec.describe()} (kept running until `harness down`)")
    seeds = None if args.no_seed else SeedStore.default()
    state = detached.up(connect(), spec, args.image_source, progress=_say, seeds=seeds)
    _say(state.describe())
    return 0


def _cmd_status(_args: argparse.Namespace) -> int:
    client = connect()
    found = detached.status(client)
    kept = reuse.kept(client)
    if not found and not kept:
        _say(
            "status: no topology is up (start one with `harness up`, or keep one with "
            "`pytest --harness-reuse`)"
        )
    for state, containers in found:
        _say(state.describe())
        for name, st in sorted(containers.items()):
            _say(f"    {name:24} {st}")
    for kept_state, held, containers in kept:
        use = "in use by a running session" if held else "free"
        _say(f"{kept_state.name}  (kept for reuse, {use}; harness {kept_state.harness_version})")
        for name, st in sorted(containers.items()):
            _say(f"    {name:24} {st}")
    return 0


def _cmd_down(args: argparse.Namespace) -> int:
    client = connect()
    removed = [(name, f"removed {r.summary()}") for name, r in detached.down(client, args.name)]
    removed += reuse.remove_kept(client, args.name)
    if args.name is not None and not removed:
        _say(f"down: no topology named {args.name!r} is up (see `harness status`)")
        return 1
    for name, what in removed:
        _say(f"down: {name}: {what}")
    if not removed:
        _say("down: nothing was up")
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    paths = [p / "report.json" if p.is_dir() else p for p in args.reports]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        _say(f"table: no report at {', '.join(missing)} (pass report.json files or run folders)")
        return 2
    md, page = behaviour_table.write(paths, args.out, args.provenance or _provenance())
    _say(f"table: {md} and {page}")
    return 0


def _provenance() -> str:
    """The commit and date the table comes from."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"commit {commit or 'unknown'}, {datetime.now(tz=UTC):%Y-%m-%d}"


def _cmd_report(args: argparse.Namespace) -> int:
    latest = Path(args.report_dir) / "latest"
    page = latest / "index.html"
    if not page.is_file():
        _say(f"report: no report under {args.report_dir}/ yet (run the scenarios first)")
        return 1
    _say(str(page.resolve()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    setup = sub.add_parser("setup", help="make sure a Docker engine runs and every image exists")
    setup.add_argument(
        "--browser", action="store_true", help="also Debian's chromium, for the report test"
    )
    setup.set_defaults(fn=_cmd_setup)
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
    listing = images.add_parser("list", help="show each role's tag and whether it exists")
    listing.set_defaults(fn=_cmd_images_list)
    prune = images.add_parser(
        "prune",
        help="remove local images this checkout no longer builds (their inputs changed, for "
        "every role and proxy release) and untagged ones a forced rebuild left",
    )
    prune.add_argument("--dry-run", action="store_true", help="list them, remove nothing")
    prune.set_defaults(fn=_cmd_images_prune)
    for cmd in (build, listing):
        cmd.add_argument(
            "--proxy-version",
            default=catalog.DEFAULT_PROXY_VERSION,
            choices=list(catalog.PROXY_RELEASES),
            help=f"proxy release (default {catalog.DEFAULT_PROXY_VERSION})",
        )
    clean = sub.add_parser(
        "clean",
        help="remove containers, networks and volumes left by harness runs whose process is gone",
    )
    clean.add_argument(
        "--all", action="store_true", help="also those of live runs and of `harness up`"
    )
    clean.set_defaults(fn=_cmd_clean)
    up = sub.add_parser("up", help="start a topology and keep it running; print how to reach it")
    up.add_argument("--mode", default="cluster", choices=MODES)
    up.add_argument("--registry", default=None, choices=REGISTRIES, help="cluster mode only")
    up.add_argument("--nodes", default="3", help="number of compute nodes")
    up.add_argument("--proxy-image", default=None, help="proxy image instead of the catalog's")
    up.add_argument(
        "--proxy-dialect",
        default=None,
        choices=list(DIALECTS),
        help="how to speak to the proxy (default: told by the image)",
    )
    up.add_argument(
        "--image-source",
        default=os.environ.get("HARNESS_IMAGE_SOURCE", "local"),
        choices=catalog.IMAGE_SOURCES,
        help="local (built offline, the default here) or official",
    )
    up.add_argument(
        "--no-seed",
        action="store_true",
        help="boot the cluster from an empty namespace (by default it is seeded when the "
        "engine's first boots race; see the README's Seeded namespaces)",
    )
    up.set_defaults(fn=_cmd_up)
    sub.add_parser("status", help="topologies started by `harness up`").set_defaults(fn=_cmd_status)
    down = sub.add_parser("down", help="remove topologies started by `harness up`")
    down.add_argument("name", nargs="?", help="one topology (default: all of them)")
    down.set_defaults(fn=_cmd_down)
    report = sub.add_parser("report", help="print the path of the newest HTML report")
    report.add_argument("--report-dir", default="reports")
    report.set_defaults(fn=_cmd_report)
    table = sub.add_parser(
        "table", help="one behaviour table (scenario x run) from several runs' report.json"
    )
    table.add_argument("reports", nargs="+", type=Path, help="report.json files (or run folders)")
    table.add_argument("--out", type=Path, default=Path("reports"), help="folder to write into")
    table.add_argument(
        "--provenance", default="", help="what produced the runs (default: commit and date)"
    )
    table.set_defaults(fn=_cmd_table)
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
