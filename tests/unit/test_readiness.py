"""The ZooKeeper readiness probe against a loopback stand-in that answers `srvr` as
ZooKeeper does while loading its database and once serving."""

from __future__ import annotations

import socket
import threading

import pytest

from harness.runtime.readiness import zookeeper_ready

NOT_SERVING = b"This ZooKeeper instance is not currently serving requests\n"
SERVING = b"Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: standalone\n"


def answering(reply: bytes) -> tuple[int, list[bytes]]:
    server = socket.create_server(("127.0.0.1", 0))
    asked: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn, server:
            asked.append(conn.recv(4))
            conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], asked


@pytest.mark.parametrize(("reply", "ready"), [(NOT_SERVING, None), (SERVING, True)])
def test_ready_only_once_zookeeper_serves(reply: bytes, ready: bool | None) -> None:
    port, asked = answering(reply)
    assert zookeeper_ready("127.0.0.1", port) is ready
    assert asked == [b"srvr"]
