"""What kind of failure a chaos example found: a short signature, the same whichever node or
database it hit, so a run can tell a known behaviour (recorded; the run goes on) from a
finding (shrunk and reported).

A signature is one or more parts, each naming a direction and an object:

- ``a node is ahead of the registry on rule``: the node serves a change the registry does not
  hold (a change applied locally and never persisted);
- ``a node is behind the registry on database``: the registry holds a change the node never
  applied (a missed or failed event); where the run says which databases each faulted node
  served when its fault began, a missed storage unit or rule says which it was:
  ``... on rule (of a database it served before its fault)`` (a change to what it knew) or
  ``... on rule (of a database new to it at its fault)``; and where the database's CREATE
  answered OK through a node cut from the registry, ``... on storage unit (of a database
  created through a node cut from the registry)``, whichever node missed it;
- ``a node and the registry differ on storage unit``: both hold it, with other values;
- ``nodes disagree on rule`` (no registry, or the nodes differ where the registry has no say);
- ``lost: database still there``: a change that returned success is not on any node
  (``... (changed through a node cut from the registry)`` where it answered OK through such
  a node; ``lost: global rule not the last value``: the nodes agree on an older SQL parser
  rule;
  ``... (altered through a node cut from the registry)`` where that last ALTER answered OK
  through such a node);
- ``... on global rule`` / ``... on prop``: a node and the registry differ on a global rule
  or a prop the registry holds (``... on global rule (altered through a node cut from the
  registry)`` where an ALTER of it was sent so, whatever it answered);
- ``membership``: the online compute nodes do not match the live ones;
- ``a node could not join``: a node added during the schedule did not boot;
- ``a node no longer hears changes``: once all agreed, a new database did not reach it.

Pure functions over snapshots, unit-tested without Docker.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from fnmatch import fnmatchcase

from harness.convergence.diff import diff_snapshots
from harness.convergence.loop import ConvergenceResult
from harness.convergence.snapshot import Snapshot, registry_comparable

__all__ = [
    "ALTERED_THROUGH_CUT",
    "CHANGED_THROUGH_CUT",
    "DEAF",
    "JOIN_FAILED",
    "KNOWN_BEFORE",
    "LISTS_UNSERVED",
    "MEMBERSHIP",
    "NEW_AT_FAULT",
    "UNANNOUNCED",
    "divergence",
    "hunted",
    "known_reason",
    "lost",
]

MEMBERSHIP = "membership"
JOIN_FAILED = "a node could not join"
DEAF = "a node no longer hears changes"
# A node that lists a database and answers "Unknown database" (MySQL error 1049) for it: a
# half-applied creation, apart from the other ways a node cannot be read.
LISTS_UNSERVED = "a node lists a database it does not serve"
UNKNOWN_DATABASE = "(1049,"
KNOWN_BEFORE = "(of a database it served before its fault)"
NEW_AT_FAULT = "(of a database new to it at its fault)"
UNANNOUNCED = "(of a database created through a node cut from the registry)"
ALTERED_THROUGH_CUT = "(altered through a node cut from the registry)"
CHANGED_THROUGH_CUT = "(changed through a node cut from the registry)"

# A key's third part (database/<db>/<part>/...) names its object; config keys name it next.
_OBJECTS = {
    "exists": "database",
    "storage_unit": "storage unit",
    "sharding_table_rule": "rule",
    "rule": "rule",
}


def _object(key: str) -> str:
    parts = key.split("/")
    if parts[0] == "global":
        return "prop" if parts[1:2] == ["props"] else "global rule"
    if len(parts) < 3 or parts[0] != "database":
        return parts[0]
    part = parts[3] if parts[2] == "config" and len(parts) > 3 else parts[2]
    return _OBJECTS.get(part, part)


def _whole(keys: Iterable[str]) -> set[str]:
    """Databases present on one side only: one part for each, not one per object in it."""
    return {k.split("/")[1] for k in keys if k.startswith("database/") and k.endswith("/exists")}


def _against_registry(
    node: Mapping[str, str],
    registry: Mapping[str, str],
    served: Collection[str] | None,
    unannounced: Collection[str],
    global_through_cut: bool,
) -> set[str]:
    keys = [k for k in {*node, *registry} if registry_comparable(k, registry)]
    differing = [k for k in keys if node.get(k) != registry.get(k)]
    whole = _whole(differing)
    out: set[str] = set()
    for key in differing:
        mine, theirs = node.get(key), registry.get(key)
        if key.endswith("/exists"):
            direction = "ahead of" if mine == "yes" else "behind"
        elif key.split("/")[1] in whole:
            continue
        elif theirs is None:
            direction = "ahead of"
        elif mine is None:
            if key.startswith("database/") and key.split("/")[1] in unannounced:
                out.add(f"a node is behind the registry on {_object(key)} {UNANNOUNCED}")
                continue
            if served is not None and key.startswith("database/"):
                known = key.split("/")[1] in served
                qualifier = KNOWN_BEFORE if known else NEW_AT_FAULT
                out.add(f"a node is behind the registry on {_object(key)} {qualifier}")
                continue
            direction = "behind"
        else:
            what = _object(key)
            if global_through_cut and what == "global rule":
                what = f"{what} {ALTERED_THROUGH_CUT}"
            out.add(f"a node and the registry differ on {what}")
            continue
        out.add(f"a node is {direction} the registry on {_object(key)}")
    return out


def divergence(
    result: ConvergenceResult,
    served_before: Mapping[str, Collection[str]] | None = None,
    unannounced: Collection[str] = (),
    *,
    global_through_cut: bool = False,
) -> list[str]:
    """The signature of a convergence failure: each kind of difference, sorted.
    ``served_before``: for each node that had a fault, the databases it served when the
    fault began; a storage unit or rule it missed then says whether it knew the database.
    ``unannounced``: databases whose CREATE answered OK through a node cut from the registry
    (its peers may first hear of one when a storage unit or rule is written to it): a storage
    unit or rule a node missed there says so, whichever node it is. ``global_through_cut``:
    an ALTER of the global rule answered OK through a node cut from the registry; a node and
    the registry that differ on it say so."""
    nodes = [s for s in result.snapshots if s.error is None]
    parts: set[str] = set()
    registry: Snapshot | None = result.registry
    if registry is not None and registry.error is None:
        reference = registry.as_dict()
        for snapshot in nodes:
            served = (served_before or {}).get(snapshot.source)
            parts |= _against_registry(
                snapshot.as_dict(), reference, served, unannounced, global_through_cut
            )
    if not parts:
        differing = diff_snapshots(nodes)
        whole = _whole(differing)
        parts = {
            f"nodes disagree on {_object(key)}"
            for key in differing
            if key.endswith("/exists") or key.split("/")[1] not in whole
        }
    for snapshot in result.snapshots:
        if snapshot.error is not None:
            unknown = UNKNOWN_DATABASE in snapshot.error
            parts.add(LISTS_UNSERVED if unknown else "a node is unreadable")
    return sorted(parts) or ["nodes did not settle"]


def lost(what: str, state: str) -> str:
    """The signature part of a change that returned success and is ``state`` on the nodes."""
    return f"lost: {what} {state}"


def known_reason(signature: Iterable[str], known: Mapping[str, str]) -> str | None:
    """The reasons, if every part of ``signature`` matches a pattern of ``known`` (shell-style
    wildcards, e.g. ``a node is ahead of the registry on *``); None if any part is new."""
    reasons: list[str] = []
    for part in signature:
        reason = next((r for p, r in known.items() if fnmatchcase(part, p)), None)
        if reason is None:
            return None
        if reason not in reasons:
            reasons.append(reason)
    return "; ".join(reasons) if reasons else None


def hunted(signature: Iterable[str], patterns: Iterable[str]) -> bool:
    """Whether a part of ``signature`` matches one of ``patterns`` (shell-style wildcards, as
    the known ones): a run hunting a known behaviour stops at it and shrinks it instead of
    recording it."""
    wanted = list(patterns)
    return any(fnmatchcase(part, p) for part in signature for p in wanted)
