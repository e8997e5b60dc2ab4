"""The order in which ShardingSphere 5.1.x replays a database's missed changes after a
ZooKeeper reconnect, as a function of the database's name.

5.1.x watches ``/metadata`` with one Curator ``CuratorCache``. After a reconnect,
``CuratorCacheImpl.rebuild`` re-reads every cached path in the order its storage (a
``java.util.concurrent.ConcurrentHashMap`` keyed by the path without the namespace) iterates,
and each changed node becomes an UPDATED event in that order. When ``/metadata/<db>/rules``
comes before ``/metadata/<db>/dataSources``, the rule is rebuilt before its storage units
exist and is never applied. The order is fixed by the paths' hashes, so whether a database
shows the behaviour depends on its name alone (about half of all names). This picks such a
name, so the scenario fails every time on 5.1.x, where random names failed 1 try in 3.

Measured on 5.1.0 (the chaos machine's ``chaos_<n>`` names, cut after every node served the
database, then a storage unit and a rule through a peer): chaos_0 and chaos_2 converged,
chaos_1 and chaos_3 did not, as ``rules_first`` predicts."""

from __future__ import annotations

import secrets

__all__ = ["rule_first_token", "rules_first"]

# Table sizes the cache's map may have: 16 until it holds 12 paths, then 32, then 64 (the
# path count grows with the databases and tables of the topology). The name must put the
# rules first at each, so the order does not depend on what else the cache holds.
TABLE_SIZES = (16, 32, 64)


def _java_hash(s: str) -> int:
    """``String.hashCode`` (32-bit, wrapping) for ASCII names."""
    h = 0
    for ch in s:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h


def _bucket(path: str, size: int) -> int:
    """The bin a ``ConcurrentHashMap`` of ``size`` bins puts ``path`` in (``spread``)."""
    h = _java_hash(path)
    return ((h ^ (h >> 16)) & 0x7FFFFFFF) & (size - 1)


def rules_first(database: str, size: int = 16) -> bool:
    """Whether 5.1.x's cache replays ``/metadata/<database>/rules`` before ``dataSources``
    in a map of ``size`` bins (bins are iterated in index order; in one bin the first
    inserted comes first, and the storage units' node is created first)."""
    base = f"/metadata/{database}"
    return _bucket(f"{base}/rules", size) < _bucket(f"{base}/dataSources", size)


def rule_first_token() -> str:
    """A fresh random token whose database ``t_<token>`` (LogicalDatabase's naming) has its
    rules replayed first at every table size."""
    while True:
        token = secrets.token_hex(4)
        if all(rules_first(f"t_{token}", size) for size in TABLE_SIZES):
            return token
