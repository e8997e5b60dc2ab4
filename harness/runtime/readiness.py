"""Readiness probes: each returns True when the service answers, or raises/returns None."""

from __future__ import annotations

import socket

import httpx

from harness.clients.mysql import Endpoint, SqlClient

__all__ = ["etcd_ready", "mysql_ready", "zookeeper_ready"]


def zookeeper_ready(host: str, port: int) -> bool | None:
    # `srvr`, not `ruok`: `imok` means only that the process listens, and a restarted
    # ZooKeeper said it while still loading its database, so a client's handshake right after
    # timed out (10 s, under load). `srvr` names a Mode only once requests are served; it is
    # also the one command ZooKeeper allows by default.
    with socket.create_connection((host, port), timeout=1) as s:
        s.sendall(b"srvr")
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    return True if b"Mode:" in reply else None


def etcd_ready(host: str, port: int) -> bool | None:
    try:
        resp = httpx.get(f"http://{host}:{port}/health", timeout=1)
    except httpx.HTTPError:  # refused or reset while etcd starts: not ready yet
        return None
    return True if resp.status_code == 200 and resp.json().get("health") == "true" else None


def mysql_ready(endpoint: Endpoint, sql: str = "SELECT 1") -> bool | None:
    with SqlClient(endpoint, connect_timeout=1, read_timeout=5) as c:
        c.query(sql)
    return True
