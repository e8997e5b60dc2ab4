"""The registry's side of a snapshot, over a dict-backed reader: what it reads, what it makes."""

from __future__ import annotations

from typing import Any

from harness.convergence.registry_view import read_registry_snapshot
from harness.dialect import dialect_named

ROOT = "/governance_ds"
UNIT = "url: jdbc:mysql://127.0.0.1:13306/ds\nusername: root\n"


class DictReader:
    """Keys in a dict; remembers every subtree it was asked for."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.keys = keys
        self.trees: list[str] = []

    def tree(self, root: str) -> dict[str, str]:
        self.trees.append(root)
        return {k: v for k, v in self.keys.items() if k == root or k.startswith(root + "/")}

    def children(self, path: str) -> list[str]:
        base = path + "/"
        return sorted({k[len(base) :].split("/")[0] for k in self.keys if k.startswith(base)})

    def exists(self, path: str) -> bool:
        return path in self.keys


def test_only_a_databases_configuration_is_read_not_its_table_metadata() -> None:
    base = f"{ROOT}/metadata/db"
    keys = {
        f"{base}/data_sources/units/ds_0/active_version": "0",
        f"{base}/data_sources/units/ds_0/versions/0": UNIT,
        **{f"{base}/schemas/db/tables/t_{i}/versions/0": "columns: {}" for i in range(50)},
        f"{ROOT}/metadata/new": "",
    }
    reader = DictReader(keys)
    fake: Any = reader  # the three reads the registry side uses, of RegistryReader's many
    snapshot = read_registry_snapshot(fake, ROOT, ["db", "new", "gone"], dialect_named("5.5"))
    assert reader.trees == [
        f"{base}/data_sources",
        f"{base}/rules",
        f"{ROOT}/metadata/gone/data_sources",
        f"{ROOT}/metadata/gone/rules",
        f"{ROOT}/metadata/new/data_sources",
        f"{ROOT}/metadata/new/rules",
    ]
    view = snapshot.as_dict()
    assert view["database/db/exists"] == "yes"
    assert any(k.startswith("database/db/config/storage_unit/ds_0/") for k in view)
    assert view["database/new/exists"] == "yes"  # one empty key: 5.5's new database
    assert view["database/gone/exists"] == "no"


def test_the_versioned_51_layout_reads_the_databases_own_versions() -> None:
    base = f"{ROOT}/metadata/db"
    keys = {
        f"{base}/db/active_version": "1",
        f"{base}/db/versions/1/dataSources": "ds_0:\n  url: jdbc:mysql://h/ds\n",
        f"{base}/db/versions/1/rules": "[]",
        f"{base}/schemas/db/tables/t_order": "columns: {}",
    }
    reader = DictReader(keys)
    fake: Any = reader
    snapshot = read_registry_snapshot(fake, ROOT, ["db"], dialect_named("5.1.1"))
    assert reader.trees == [f"{base}/db"]
    assert any(k.startswith("database/db/config/storage_unit/ds_0/") for k in snapshot.as_dict())
