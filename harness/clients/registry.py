"""Registry readers: one protocol, a ZooKeeper (kazoo) and an etcd (etcd3gw) implementation."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Protocol

import etcd3gw
from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError, NoNodeError
from kazoo.recipe.cache import TreeCache

__all__ = ["EtcdReader", "RegistryReader", "ZooKeeperReader", "open_reader"]


class RegistryReader(Protocol):
    """Reads a registry namespace as a flat ``{path: value}`` tree."""

    def tree(self, root: str) -> dict[str, str]:
        """Every key under ``root`` (absolute, ``/``-separated) with its value."""
        ...

    def children(self, path: str) -> list[str]:
        """Names of the direct children of ``path`` (empty if it does not exist)."""
        ...

    def exists(self, path: str) -> bool:
        """Whether ``path`` itself is a key (even with an empty value)."""
        ...

    def put(self, key: str, value: str) -> None:
        """Write ``value`` at ``key`` behind the nodes' backs (creating it if needed)."""
        ...

    def roots(self) -> list[str]:
        """The top-level names (registry namespaces), without the registry's own."""
        ...

    def dump(self, root: str) -> dict[str, str]:
        """Every key under ``root``, ``root`` included, empty ones too (what ``load`` needs to
        write the same tree again)."""
        ...

    def load(self, entries: dict[str, str]) -> None:
        """Write every ``{key: value}`` of a ``dump``, parents before children; keys that
        exist are overwritten."""
        ...

    def delete_tree(self, root: str) -> None:
        """Delete ``root`` and everything under it."""
        ...

    def watch(self, root: str, on_change: Callable[[], None]) -> Callable[[], None]:
        """Call ``on_change`` (from another thread) whenever anything under ``root`` changes;
        return a function that stops watching."""
        ...

    def close(self) -> None: ...


class ZooKeeperReader:
    """Reads ZooKeeper through kazoo; ``hosts`` is ``host:port[,host:port]``."""

    def __init__(self, hosts: str, *, timeout: float = 10) -> None:
        self._zk = KazooClient(hosts=hosts, timeout=timeout, read_only=True)
        self._zk.start(timeout=timeout)

    def exists(self, path: str) -> bool:
        return self._zk.exists(path) is not None

    def children(self, path: str) -> list[str]:
        try:
            return sorted(self._zk.get_children(path))
        except NoNodeError:
            return []

    def tree(self, root: str) -> dict[str, str]:
        return self._read(root, empty=False)

    def dump(self, root: str) -> dict[str, str]:
        return self._read(root, empty=True)

    def load(self, entries: dict[str, str]) -> None:
        # Parents first (by depth), in multi-requests of up to ~256 KB, all sent at once:
        # ZooKeeper applies one session's requests in order, so a chunk's parents exist when
        # it runs. 1,270 nodes one create each (a depth at a time) took 0.55 s.
        keys = sorted(entries, key=lambda k: (k.count("/"), k))
        if not keys:
            return
        top = keys[0].count("/")
        for key in keys:
            if key.count("/") == top:
                self._zk.ensure_path(key.rsplit("/", 1)[0] or "/")
        chunks: list[list[str]] = [[]]
        size = 0
        for key in keys:
            cost = len(key) + len(entries[key].encode()) + 64
            if chunks[-1] and size + cost > 256_000:
                chunks.append([])
                size = 0
            chunks[-1].append(key)
            size += cost
        asked = []
        for chunk in chunks:
            txn = self._zk.transaction()
            for key in chunk:
                txn.create(key, entries[key].encode())
            asked.append((chunk, txn.commit_async()))
        for chunk, done in asked:
            if any(isinstance(r, Exception) for r in done.get()):
                # Something was there already (a namespace not empty): key by key, in order.
                for key in chunk:
                    self._write(key, entries[key])

    def _write(self, key: str, value: str) -> None:
        try:
            self._zk.create(key, value.encode(), makepath=True)
        except NodeExistsError:
            self._zk.set(key, value.encode())

    def _read(self, root: str, *, empty: bool) -> dict[str, str]:
        # A level at a time, every request of a level in flight at once: one round trip per
        # level instead of two per key (a database's tree is ~45 keys, ~8 levels deep, and
        # every convergence check reads it).
        out: dict[str, str] = {}
        level = [root.rstrip("/") or "/"]
        while level:
            asked = [(p, self._zk.get_async(p), self._zk.get_children_async(p)) for p in level]
            level = []
            for path, value, children in asked:
                try:
                    data, _stat = value.get()
                    names = children.get()
                except NoNodeError:  # deleted since its parent was read
                    continue
                if data or empty:
                    out[path] = data.decode("utf-8", errors="replace")
                level += [f"{path.rstrip('/')}/{name}" for name in sorted(names)]
        return out

    def put(self, key: str, value: str) -> None:
        self._zk.ensure_path(key)
        self._zk.set(key, value.encode())

    def roots(self) -> list[str]:
        return [name for name in self.children("/") if name != "zookeeper"]

    def delete_tree(self, root: str) -> None:
        path = "/" + root.strip("/")
        if self._zk.exists(path) is not None:
            self._zk.delete(path, recursive=True)

    def watch(self, root: str, on_change: Callable[[], None]) -> Callable[[], None]:
        cache = TreeCache(_NoCreate(self._zk), root.rstrip("/") or "/")
        cache.listen(lambda _event: on_change())
        cache.start()

        def cancel() -> None:
            cache.close()

        return cancel

    def close(self) -> None:
        self._zk.stop()
        self._zk.close()


class _NoCreate:
    """A kazoo client for TreeCache whose ``ensure_path`` does nothing: TreeCache.start()
    creates the path it watches, and a watch must not write (it made a database the checker
    waited for appear in the registry). TreeCache waits for a missing root to be created."""

    def __init__(self, zk: KazooClient) -> None:
        self._zk = zk

    def ensure_path(self, _path: str) -> bool:
        return True

    def __getattr__(self, name: str) -> object:
        return getattr(self._zk, name)


class EtcdReader:
    """Reads etcd v3 through its HTTP gateway (etcd3gw). Keys are flat; ``children`` derives
    the next path segment, so both readers present the same tree."""

    def __init__(self, host: str, port: int, *, timeout: float = 10) -> None:
        self._etcd = etcd3gw.client(host=host, port=port, timeout=timeout)

    def tree(self, root: str) -> dict[str, str]:
        prefix = root.rstrip("/")
        out: dict[str, str] = {}
        for value, meta in self._etcd.get_prefix(prefix):
            key = meta["key"].decode("utf-8", errors="replace")
            if key == prefix or key.startswith(prefix + "/"):
                out[key] = value.decode("utf-8", errors="replace")
        return out

    def exists(self, path: str) -> bool:
        return bool(self._etcd.get(path.rstrip("/")))

    def children(self, path: str) -> list[str]:
        base = path.rstrip("/") + "/"
        names = {k[len(base) :].split("/", 1)[0] for k in self.tree(path) if k.startswith(base)}
        return sorted(names)

    def put(self, key: str, value: str) -> None:
        self._etcd.put(key, value)

    def dump(self, root: str) -> dict[str, str]:
        return self.tree(root)

    def load(self, entries: dict[str, str]) -> None:
        # Flat keys: no parents to make. Batches of 100 puts per transaction (etcd's default
        # limit is 128 operations per transaction).
        items = sorted(entries.items())
        for start in range(0, len(items), 100):
            puts = [
                {"request_put": {"key": _b64(k), "value": _b64(v)}}
                for k, v in items[start : start + 100]
            ]
            self._etcd.transaction({"compare": [], "success": puts, "failure": []})

    def roots(self) -> list[str]:
        names = set()
        for _value, meta in self._etcd.get_all():
            key = meta["key"].decode("utf-8", errors="replace")
            names.add(key.lstrip("/").split("/", 1)[0])
        return sorted(names - {""})

    def delete_tree(self, root: str) -> None:
        base = root.strip("/")
        for key in (base, f"/{base}"):
            self._etcd.delete(key)
            self._etcd.delete_prefix(key + "/")

    def watch(self, root: str, on_change: Callable[[], None]) -> Callable[[], None]:
        events, cancel = self._etcd.watch_prefix(root.rstrip("/"))

        def pump() -> None:
            for _event in events:
                on_change()

        threading.Thread(target=pump, name="harness-etcd-watch", daemon=True).start()
        return cancel

    def close(self) -> None:
        self._etcd.session.close()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def open_reader(kind: str, address: str) -> RegistryReader:
    """A reader for ``kind`` (zookeeper | etcd) at ``host:port``."""
    if kind == "zookeeper":
        return ZooKeeperReader(address)
    host, port = address.rsplit(":", 1)
    return EtcdReader(host, int(port))
