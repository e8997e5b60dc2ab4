"""MySQL-protocol client for the proxy (DistSQL and SQL) and for storage nodes, on PyMySQL."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pymysql
import pymysql.cursors

__all__ = ["Endpoint", "SqlClient", "SqlError"]

SqlError = pymysql.MySQLError
"""Any error a proxy returns to a SQL statement (PyMySQL's ``MySQLError``); ``args[0]`` is the
MySQL error code. Example: ``with pytest.raises(SqlError): c.execute("DROP DATABASE nope")``."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    user: str
    password: str

    def __str__(self) -> str:  # never shows the password
        return f"{self.user}@{self.host}:{self.port}"


class SqlClient:
    """One connection; autocommit on, because the proxy rejects schema switching after
    ``SET AUTOCOMMIT=0`` (PyMySQL's default), and the database is chosen at connect time."""

    def __init__(
        self,
        endpoint: Endpoint,
        database: str | None = None,
        *,
        connect_timeout: float = 5,
        read_timeout: float = 30,
    ) -> None:
        self.endpoint = endpoint
        self.database = database
        self._conn = pymysql.connect(
            host=endpoint.host,
            port=endpoint.port,
            user=endpoint.user,
            password=endpoint.password,
            database=database,
            autocommit=True,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            write_timeout=read_timeout,
            cursorclass=pymysql.cursors.DictCursor,
            # Loopback to the project's own containers. PyMySQL otherwise tries TLS by default
            # and builds a fresh SSL context, loading the system CA bundle, on every connect:
            # most of the harness's own CPU while readiness probes poll.
            ssl_disabled=True,
        )

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Run one statement; return its rows (empty for statements without a result)."""
        with self._conn.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
        return list(rows) if rows else []

    def execute(self, sql: str) -> None:
        with self._conn.cursor() as cur:
            cur.execute(sql)

    def close(self) -> None:
        with contextlib.suppress(pymysql.err.Error):  # already closed by a server or a fault
            self._conn.close()

    def __enter__(self) -> SqlClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
