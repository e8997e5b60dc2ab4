"""SeedStore on a fake registry: what is kept, the password slot, and unusable seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.runtime.seed import KEPT, SeedStore, seed_key


class FakeRegistry:
    def __init__(self, entries: dict[str, str] | None = None) -> None:
        self.entries = dict(entries or {})

    def dump(self, root: str) -> dict[str, str]:
        return {k: v for k, v in self.entries.items() if k == root or k.startswith(root + "/")}

    def load(self, entries: dict[str, str]) -> None:
        self.entries.update(entries)

    # The rest of RegistryReader, unused here.
    def tree(self, root: str) -> dict[str, str]:
        return self.dump(root)

    def children(self, path: str) -> list[str]:
        return []

    def exists(self, path: str) -> bool:
        return path in self.entries

    def put(self, key: str, value: str) -> None:
        self.entries[key] = value

    def roots(self) -> list[str]:
        return []

    def delete_tree(self, root: str) -> None:
        self.entries = {k: v for k, v in self.dump("/").items() if not k.startswith(root)}

    def watch(self, root: str, on_change: Callable[[], None]) -> Callable[[], None]:
        return lambda: None

    def close(self) -> None:
        pass


FIRST_BOOT = {
    "/ns/metadata": "",
    "/ns/metadata/sys/schemas/sys/tables/t/versions/0": "name: t",
    "/ns/rules/authority/versions/0": "users:\n- password: s3cret-1\n",
    "/ns/props/versions/0": "sql-show: false",
    "/ns/nodes/compute_nodes/online/proxy/abc": "instance",
    "/ns/states/listener_assisted/db": "x",
}


def test_kept_parts_only_and_the_password_becomes_the_next_topologys(tmp_path: Path) -> None:
    store = SeedStore(tmp_path)
    assert store.capture("k", FakeRegistry(FIRST_BOOT), "/ns", "s3cret-1", image="sha256:1") == 4
    seed = store.read("k")
    assert seed is not None
    assert set(seed) == {
        "/metadata",
        "/metadata/sys/schemas/sys/tables/t/versions/0",
        "/rules/authority/versions/0",
        "/props/versions/0",
    }
    assert all(k.lstrip("/").split("/")[0] in KEPT for k in seed)
    assert "s3cret-1" not in "".join(seed.values())
    target = FakeRegistry()
    SeedStore.restore(seed, target, "/other", "n3w-2")
    assert target.entries["/other/rules/authority/versions/0"] == "users:\n- password: n3w-2\n"
    assert target.entries["/other/metadata/sys/schemas/sys/tables/t/versions/0"] == "name: t"
    assert not any("nodes" in k or "states" in k for k in target.entries)


def test_nothing_to_keep_writes_no_seed(tmp_path: Path) -> None:
    store = SeedStore(tmp_path)
    assert store.capture("k", FakeRegistry({"/ns/nodes/x": "1"}), "/ns", "p") == 0
    assert store.read("k") is None


def test_a_missing_or_damaged_seed_is_no_seed(tmp_path: Path) -> None:
    store = SeedStore(tmp_path)
    assert store.read("absent") is None
    (tmp_path / "torn.json").write_text('{"/metadata": ')
    assert store.read("torn") is None
    (tmp_path / "list.json").write_text("[1, 2]")
    assert store.read("list") is None
    (tmp_path / "old.json").write_text('{"/metadata": ""}')  # the first format: no header
    assert store.read("old") is None


def test_prune_keeps_the_seeds_of_images_still_there(tmp_path: Path) -> None:
    store = SeedStore(tmp_path)
    for key, image in (("a", "sha256:1"), ("b", "sha256:2")):
        store.capture(key, FakeRegistry(FIRST_BOOT), "/ns", "p", image=image)
    (tmp_path / "old.json").write_text('{"/metadata": ""}')
    assert store.prune({"sha256:1"}, dry_run=True) == [tmp_path / "b.json", tmp_path / "old.json"]
    assert store.read("b") is not None
    assert store.prune({"sha256:1"}) == [tmp_path / "b.json", tmp_path / "old.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    assert store.read("a") is not None
    assert SeedStore(tmp_path / "none").prune(set()) == []


def test_the_key_changes_with_every_part() -> None:
    base = seed_key("sha256:1", "zookeeper", "global", "mode", "root")
    assert base == seed_key("sha256:1", "zookeeper", "global", "mode", "root")
    for i in range(5):
        parts = ["sha256:1", "zookeeper", "global", "mode", "root"]
        parts[i] += "x"
        assert seed_key(*parts) != base
