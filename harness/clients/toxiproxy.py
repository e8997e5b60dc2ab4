"""A small typed client for the Toxiproxy HTTP API (v2), on httpx, with a timeout on every call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from harness.errors import FaultError

__all__ = ["Proxy", "Toxic", "ToxiproxyClient"]

Stream = Literal["upstream", "downstream"]


@dataclass(frozen=True)
class Toxic:
    name: str
    type: str
    stream: Stream = "downstream"
    toxicity: float = 1.0
    attributes: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": self.toxicity,
            "attributes": self.attributes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Toxic:
        return cls(
            data["name"],
            data["type"],
            data.get("stream", "downstream"),
            float(data.get("toxicity", 1.0)),
            dict(data.get("attributes") or {}),
        )


@dataclass(frozen=True)
class Proxy:
    name: str
    listen: str
    upstream: str
    enabled: bool = True
    toxics: tuple[Toxic, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proxy:
        toxics = tuple(Toxic.from_json(t) for t in data.get("toxics") or [])
        return cls(data["name"], data["listen"], data["upstream"], bool(data["enabled"]), toxics)


class ToxiproxyClient:
    """Talks to one Toxiproxy server; every server error becomes a FaultError naming the proxy."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers={"User-Agent": "harness"}
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ToxiproxyClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, what: str, json: Any = None) -> Any:
        try:
            resp = self._http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise FaultError(
                f"toxiproxy {self.base_url}: {what} failed: {exc}. Fix: check the "
                "Toxiproxy container is running and its API port is reachable"
            ) from exc
        if resp.status_code >= 400:
            try:
                message = resp.json().get("error", resp.text)
            except ValueError:
                message = resp.text
            raise FaultError(
                f"toxiproxy {self.base_url}: {what} failed ({resp.status_code}): {message}"
            )
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    def version(self) -> str:
        data = self._call("GET", "/version", "read version")
        return data.get("version", "") if isinstance(data, dict) else str(data)

    def proxies(self) -> dict[str, Proxy]:
        data = self._call("GET", "/proxies", "list proxies")
        return {name: Proxy.from_json(p) for name, p in data.items()}

    def proxy(self, name: str) -> Proxy:
        return Proxy.from_json(self._call("GET", f"/proxies/{name}", f"read proxy {name!r}"))

    def create(self, name: str, listen: str, upstream: str, *, enabled: bool = True) -> Proxy:
        body = {"name": name, "listen": listen, "upstream": upstream, "enabled": enabled}
        return Proxy.from_json(self._call("POST", "/proxies", f"create proxy {name!r}", body))

    def populate(self, proxies: list[Proxy]) -> None:
        body = [
            {"name": p.name, "listen": p.listen, "upstream": p.upstream, "enabled": p.enabled}
            for p in proxies
        ]
        self._call("POST", "/populate", "populate proxies", body)

    def update(self, name: str, **fields: Any) -> Proxy:
        return Proxy.from_json(
            self._call("PATCH", f"/proxies/{name}", f"update proxy {name!r}", fields)
        )

    def set_enabled(self, name: str, enabled: bool) -> Proxy:
        return self.update(name, enabled=enabled)

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/proxies/{name}", f"delete proxy {name!r}")

    def add_toxic(self, proxy: str, toxic: Toxic) -> Toxic:
        return Toxic.from_json(
            self._call(
                "POST",
                f"/proxies/{proxy}/toxics",
                f"add toxic {toxic.name!r} to {proxy!r}",
                toxic.payload(),
            )
        )

    def update_toxic(self, proxy: str, name: str, **fields: Any) -> Toxic:
        return Toxic.from_json(
            self._call(
                "PATCH",
                f"/proxies/{proxy}/toxics/{name}",
                f"update toxic {name!r} on {proxy!r}",
                fields,
            )
        )

    def remove_toxic(self, proxy: str, name: str) -> None:
        self._call(
            "DELETE", f"/proxies/{proxy}/toxics/{name}", f"remove toxic {name!r} from {proxy!r}"
        )

    def toxics(self, proxy: str) -> list[Toxic]:
        data = self._call("GET", f"/proxies/{proxy}/toxics", f"list toxics of {proxy!r}")
        return [Toxic.from_json(t) for t in data]

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self._call("POST", "/reset", "reset")
