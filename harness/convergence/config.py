"""Canonical logical-database configuration, from the node (``EXPORT SCHEMA CONFIG``) and from
the registry (``metadata/<db>/dataSources`` and ``rules``), in one key space.

Both sides are reduced to what must agree: each storage unit's URL and user, and each rule
decoded from YAML. Secrets and pool tuning (whose key names differ between the two forms)
are dropped.
"""

from __future__ import annotations

from typing import Any

__all__ = ["canonical_config"]

DATA_SOURCE_KEYS = {"url": ("url", "jdbcUrl"), "username": ("username", "user")}


def _data_sources(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, given in (raw or {}).items():
        props = dict(given or {})
        if isinstance(props.get("props"), dict):
            props.update(props["props"])  # the registry form nests pool properties
        entry = {}
        for key, aliases in DATA_SOURCE_KEYS.items():
            for alias in aliases:
                if alias in props:
                    entry[key] = str(props[alias])
                    break
        out[str(name)] = entry
    return out


def _rules(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rule in raw or []:
        if isinstance(rule, dict):
            body = {k: v for k, v in rule.items() if k != "__tag__"}
            out[str(rule.get("__tag__", "UNTAGGED"))] = body
    return out


def canonical_config(data_sources: Any, rules: Any) -> dict[str, Any]:
    """``{"storage_unit": {...}, "rule": {TAG: {...}}}`` from decoded YAML of either side."""
    return {"storage_unit": _data_sources(data_sources), "rule": _rules(rules)}
